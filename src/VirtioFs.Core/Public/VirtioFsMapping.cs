// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioFs;

/// <summary>
/// A directory mapping: one name for "this directory on each host". The name is the mount tag of every
/// share made from it (New-VirtioFsShare -Mapping, Sync-VirtioFsMapping); <see cref="Path"/> gives the
/// directory per host, <see cref="Options"/> the share options each of those shares gets. Property names
/// match the parameters of New-, Set- and Remove-VirtioFsMapping, so objects bind by property name.
/// </summary>
public sealed class VirtioFsMapping
{
    internal VirtioFsMapping(string name, string mappingPath, IReadOnlyDictionary<string, string> path, IReadOnlyDictionary<string, object> options)
    {
        Name = name;
        MappingPath = mappingPath;
        Path = path;
        Options = options;
    }

    /// <summary>The mapping's name, and the mount tag of its shares.</summary>
    public string Name { get; }

    public string? Description { get; internal set; }

    /// <summary>Host key (host name, localhost, or a full libvirt URI) to the directory on that host.</summary>
    public IReadOnlyDictionary<string, string> Path { get; }

    /// <summary>The host keys, sorted.</summary>
    public IReadOnlyList<string> Hosts => Path.Keys.ToList();

    /// <summary>Share option name (as the parameter of New-VirtioFsShare, e.g. Cache) to its value (Always).</summary>
    public IReadOnlyDictionary<string, object> Options { get; }

    /// <summary>The mapping file the mapping was read from.</summary>
    public string MappingPath { get; }

    public override string ToString() => Name;

    /// <summary>"Cache=Always ReadOnly=True", for tables.</summary>
    public string OptionSummary => string.Join(" ", Options.Select(o => $"{o.Key}={Show(o.Value)}"));

    private static string Show(object value) => value is IEnumerable<VirtioFsIdMapEntry> map
        ? string.Join(",", map)
        : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
}
