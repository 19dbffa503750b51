// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Mappings;

/// <summary>
/// What the declaration asks of one host (one connection URI): for each domain, the shares that belong
/// there, each with the directory its mapping gives this host. Assignments that cannot be met (a mapping
/// that is gone, a host the mapping has no directory for) are <see cref="Problems"/>, reported for this
/// host while the rest of it is still checked.
/// </summary>
internal sealed class MappingHostPlan
{
    private readonly List<(DomainPattern Pattern, DeclaredShare Share)> _entries = new();
    private readonly MappingDocument _doc;
    private readonly Func<string, bool> _selected;

    /// <param name="selected">Which mappings this run is about (Test/Sync -Name); the others are not looked at.</param>
    public MappingHostPlan(MappingDocument doc, string file, string uri, Func<string, bool> selected)
    {
        _doc = doc;
        _selected = selected;
        Uri = uri;
        Host = MappingHosts.HostKeyOf(uri);
        foreach (var a in doc.Assignments.Where(a => string.Equals(a.ConnectionUri, uri, StringComparison.OrdinalIgnoreCase) && selected(a.Mapping)))
        {
            var mapping = doc.Find(a.Mapping);
            if (mapping is null)
            {
                Problems.Add(doc.NotFound(a.Mapping, file));
                continue;
            }
            if (MappingHosts.Find(mapping, uri) is not { } found)
            {
                Problems.Add(MappingHosts.Missing(mapping, uri));
                continue;
            }
            _entries.Add((new DomainPattern(a.Domain), new DeclaredShare(mapping, found.Directory)));
        }
    }

    public string Uri { get; }

    /// <summary>The host as mapping keys name it.</summary>
    public string Host { get; }

    public List<VirtioFsException> Problems { get; } = new();

    /// <summary>Domains the declaration names without a wildcard: each must exist on the host.</summary>
    public IEnumerable<string> NamedDomains => _entries.Where(e => !e.Pattern.IsWildcard).Select(e => e.Pattern.Text).Distinct(StringComparer.Ordinal);

    /// <summary>The shares the declaration puts in <paramref name="domain"/>, one per tag.</summary>
    public IReadOnlyList<DeclaredShare> For(string domain) =>
        _entries.Where(e => e.Pattern.Matches(domain)).Select(e => e.Share)
            .GroupBy(s => s.Tag, StringComparer.Ordinal).Select(g => g.First()).ToList();

    /// <summary>Whether a marker's mapping is one this run manages: a mapping of this file, selected by -Name.</summary>
    public bool Ours(string mapping) => _doc.Find(mapping) is not null && _selected(mapping);
}
