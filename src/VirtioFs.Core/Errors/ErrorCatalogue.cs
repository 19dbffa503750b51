// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace VirtioFs.Errors;

/// <summary>One known error text (ErrorCatalogue.json).</summary>
internal sealed class ErrorCatalogueEntry
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    [JsonPropertyName("pattern")] public string Pattern { get; init; } = "";
    [JsonPropertyName("errorIds")] public string[] ErrorIds { get; init; } = [];
    [JsonPropertyName("cause")] public string Cause { get; init; } = "";
    [JsonPropertyName("fix")] public string Fix { get; init; } = "";
    [JsonPropertyName("reference")] public string? Reference { get; init; }
    [JsonPropertyName("examples")] public string[] Examples { get; init; } = [];

    private Regex? _regex;

    public Regex Regex => _regex ??= new Regex(Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

/// <summary>
/// Known libvirt, QEMU, virtiofsd and guest error texts with their cause and fix. The entries are data
/// (ErrorCatalogue.json, embedded) so adding one needs no code; each carries examples the tests match.
/// </summary>
internal static class ErrorCatalogue
{
    private static readonly Lazy<IReadOnlyList<ErrorCatalogueEntry>> s_entries = new(Load);

    public static IReadOnlyList<ErrorCatalogueEntry> Entries => s_entries.Value;

    private static IReadOnlyList<ErrorCatalogueEntry> Load()
    {
        using var stream = typeof(ErrorCatalogue).Assembly.GetManifestResourceStream("VirtioFs.Errors.ErrorCatalogue.json")
            ?? throw new InvalidOperationException("The error catalogue resource is missing from VirtioFs.Core.dll.");
        return JsonSerializer.Deserialize<List<ErrorCatalogueEntry>>(stream) ?? [];
    }

    /// <summary>
    /// Every entry the text (or the module error id) matches, in the order the matches occur in the text, so a
    /// libvirt message wrapping QEMU's explains both. An unknown text gives one result with Known = false.
    /// </summary>
    public static IReadOnlyList<VirtioFsErrorExplanation> Resolve(string message, string? errorId = null, string? recommendedAction = null)
    {
        message ??= string.Empty;
        var hits = new List<(int Position, VirtioFsErrorExplanation Explanation)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(errorId))
        {
            // FullyQualifiedErrorId is "Id,Command"; the module's ids are stable.
            string id = errorId.Split(',')[0];
            foreach (var e in Entries.Where(e => e.ErrorIds.Contains(id, StringComparer.Ordinal)))
            {
                if (seen.Add(e.Id))
                {
                    hits.Add((-1, Explain(e, id, message)));
                }
            }
        }
        foreach (var e in Entries)
        {
            if (seen.Contains(e.Id))
            {
                continue;
            }
            var m = e.Regex.Match(message);
            if (m.Success)
            {
                seen.Add(e.Id);
                hits.Add((m.Index, Explain(e, m.Value, message)));
            }
        }
        if (hits.Count > 0)
        {
            return hits.OrderBy(h => h.Position).Select(h => h.Explanation).ToList();
        }
        if (!string.IsNullOrEmpty(errorId) && !string.IsNullOrEmpty(recommendedAction))
        {
            // One of our own errors without a catalogue entry: its recommended action is the fix.
            return [new VirtioFsErrorExplanation(errorId.Split(',')[0], true, errorId.Split(',')[0], "VirtioFs",
                message, recommendedAction, "Get-Help about_VirtioFs", message)];
        }
        return [new VirtioFsErrorExplanation(null, false, null, null,
            "This text is not in the VirtioFs error catalogue.",
            "Run Test-VirtioFsHost and Test-VirtioFsDomain -Domain <vm>, and read /var/log/libvirt/qemu/<vm>.log and <vm>-fs0-virtiofsd.log for the first error.",
            null, message)];
    }

    /// <summary>An entry as an explanation of its first example, for listing the catalogue.</summary>
    public static VirtioFsErrorExplanation Describe(ErrorCatalogueEntry e) =>
        Explain(e, e.Pattern, e.Examples.FirstOrDefault() ?? string.Empty);

    private static VirtioFsErrorExplanation Explain(ErrorCatalogueEntry e, string match, string message) =>
        new(e.Id, true, match, e.Source, e.Cause, e.Fix, e.Reference, message);
}
