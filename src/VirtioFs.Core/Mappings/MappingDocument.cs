// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Mappings;

/// <summary>
/// The whole mapping file: the mappings by name and the declaration (assignments) of where they belong.
/// Cmdlets change a copy (<see cref="Clone"/>) that MappingStore writes only when it differs.
/// </summary>
internal sealed class MappingDocument
{
    /// <summary>The file format this module reads and writes ("version": 1).</summary>
    public const int CurrentVersion = 1;

    /// <summary>By name; names are unique ignoring case, so two mappings never differ only in case.</summary>
    public SortedDictionary<string, MappingEntry> Mappings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<MappingAssignment> Assignments { get; } = new();

    public MappingEntry? Find(string name) => Mappings.TryGetValue(name, out var m) ? m : null;

    /// <summary>The mapping, or MappingNotFound naming the file and the mappings it has.</summary>
    public MappingEntry Get(string name, string file) => Find(name) ?? throw NotFound(name, file);

    public VirtioFsException NotFound(string name, string file) =>
        new(ErrorIds.MappingNotFound, VirtioFsErrorKind.ObjectNotFound,
            $"There is no mapping '{name}' in {file}" + (Mappings.Count == 0 ? " (it has none)." : $"; it has: {string.Join(", ", Mappings.Keys)}."),
            name, "List them with Get-VirtioFsMapping (-MappingPath names another file), or create it with New-VirtioFsMapping.");

    public IEnumerable<MappingAssignment> AssignmentsOf(string mapping) =>
        Assignments.Where(a => string.Equals(a.Mapping, mapping, StringComparison.OrdinalIgnoreCase));

    public MappingDocument Clone()
    {
        var copy = new MappingDocument();
        foreach (var m in Mappings.Values)
        {
            copy.Mappings[m.Name] = m.Clone();
        }
        copy.Assignments.AddRange(Assignments);
        return copy;
    }
}
