// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>Turns -Domain values (names, UUIDs, wildcards, or nothing for all) into domain names.</summary>
internal static class DomainSelection
{
    public static IEnumerable<string> Resolve(LibvirtConnection conn, string[]? requested, Cmdlet cmdlet)
    {
        if (requested is null || requested.Length == 0)
        {
            return AllNames(conn);
        }
        var result = new List<string>();
        List<string>? all = null;
        foreach (string r in requested)
        {
            if (WildcardPattern.ContainsWildcardCharacters(r))
            {
                all ??= AllNames(conn);
                var pattern = new WildcardPattern(r, WildcardOptions.None);
                result.AddRange(all.Where(pattern.IsMatch));
            }
            else
            {
                result.Add(r); // exact name or UUID: a lookup failure is reported for this one
            }
        }
        return result.Distinct();
    }

    /// <summary>Every domain name on the connection, sorted.</summary>
    internal static List<string> AllNames(LibvirtConnection conn) =>
        conn.ListDomains().Select(d => { using (d) { return d.Name; } }).OrderBy(n => n, System.StringComparer.Ordinal).ToList();
}

/// <summary>Wildcard matching over several patterns.</summary>
internal static class WildcardMatch
{
    public static bool Any(IEnumerable<string> patterns, string value) =>
        patterns.Any(p => new WildcardPattern(p, WildcardOptions.None).IsMatch(value));
}
