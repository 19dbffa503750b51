// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs.Mappings;

/// <summary>
/// One line of the declaration: mapping <see cref="Mapping"/> belongs in the domains <see cref="Domain"/>
/// (a name, or a pattern with * ? [..]) on the host libvirt reaches at <see cref="ConnectionUri"/>.
/// </summary>
internal sealed record MappingAssignment(string Mapping, string ConnectionUri, string Domain)
{
    /// <summary>The file's order (see <see cref="Compare"/>).</summary>
    public static IComparer<MappingAssignment> Order { get; } = Comparer<MappingAssignment>.Create(Compare);

    /// <summary>The file's order: by mapping, host, domain, so that a change touches one line of a git diff.</summary>
    public static int Compare(MappingAssignment? a, MappingAssignment? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }
        int c = string.CompareOrdinal(a.Mapping, b.Mapping);
        if (c == 0)
        {
            c = string.CompareOrdinal(a.ConnectionUri, b.ConnectionUri);
        }
        return c != 0 ? c : string.CompareOrdinal(a.Domain, b.Domain);
    }

    /// <summary>Same mapping (as named), same host (URIs case-insensitive, as typed) and same domain pattern.</summary>
    public bool SameAs(MappingAssignment other) =>
        string.Equals(Mapping, other.Mapping, StringComparison.OrdinalIgnoreCase)
        && string.Equals(ConnectionUri, other.ConnectionUri, StringComparison.OrdinalIgnoreCase)
        && string.Equals(Domain, other.Domain, StringComparison.Ordinal);
}
