// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>
/// Compares one domain with what the declaration asks of it. Only what the declaration says is compared:
/// the share's source and the options its mapping sets (an option the mapping leaves out may be anything),
/// plus the marker that says the share is managed. A share is Extra only when its marker names a mapping
/// of this file (<c>ours</c>) and this host, and the declaration no longer puts that mapping in the domain.
/// </summary>
internal static class MappingDrift
{
    public const string MarkerProperty = "ManagedBy";

    public static IReadOnlyList<ShareDrift> Compare(DomainDocument doc, IReadOnlyList<DeclaredShare> declared, string host, Func<string, bool> ours)
    {
        var shares = ShareEditor.List(doc).GroupBy(s => s.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var marks = ManagedShareMarker.Read(doc);
        var result = new List<ShareDrift>();
        var declaredTags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in declared)
        {
            if (!declaredTags.Add(d.Tag))
            {
                continue;
            }
            result.Add(CompareOne(d, shares.GetValueOrDefault(d.Tag), marks.GetValueOrDefault(d.Tag), new ShareMark(d.Mapping.Name, host)));
        }
        foreach (var (tag, mark) in marks.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!declaredTags.Contains(tag) && ours(mark.Mapping) && MappingHosts.KeyComparer.Equals(mark.Host, host) && shares.TryGetValue(tag, out var extra))
            {
                var drift = new ShareDrift(tag, mark.Mapping, VirtioFsMappingDriftKind.Extra) { Actual = extra };
                drift.Differences.Add($"Share: {tag} -> (none)");
                result.Add(drift);
            }
        }
        return result;
    }

    private static ShareDrift CompareOne(DeclaredShare d, VirtioFsShare? actual, ShareMark? mark, ShareMark expectedMark)
    {
        var changes = new ShareSettings();
        var lines = new List<string>();
        if (!string.Equals(actual?.Source, d.Directory, StringComparison.Ordinal))
        {
            changes.Source = d.Directory;
            string was = actual is null ? "(none)" : actual.Source ?? (actual.SocketPath is { } socket ? "socket " + socket : "(none)");
            lines.Add($"Source: {was} -> {d.Directory}");
        }
        foreach (var option in d.Mapping.OptionsInTableOrder())
        {
            object expected = d.Mapping.Options[option.Name];
            object? current = actual is null ? null : option.ValueOf(actual);
            string before = MappingOptionValues.Show(current), after = MappingOptionValues.Show(expected);
            if (!string.Equals(before, after, StringComparison.Ordinal))
            {
                option.SetAsked(changes, expected);
                lines.Add($"{option.Name}: {before} -> {after}");
            }
        }
        if (mark is null || mark.Mapping != expectedMark.Mapping || !MappingHosts.KeyComparer.Equals(mark.Host, expectedMark.Host))
        {
            lines.Add($"{MarkerProperty}: {mark?.ToString() ?? "(none)"} -> {expectedMark}");
        }
        var kind = actual is null ? VirtioFsMappingDriftKind.Missing : lines.Count > 0 ? VirtioFsMappingDriftKind.Different : (VirtioFsMappingDriftKind?)null;
        var drift = new ShareDrift(d.Tag, d.Mapping.Name, kind) { Mark = expectedMark, Declared = d, Actual = actual, Changes = kind == VirtioFsMappingDriftKind.Different ? changes : null };
        drift.Differences.AddRange(lines);
        return drift;
    }
}
