// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>
/// One directory mapping as the file holds it: the name (which is also the guest's mount tag), a directory
/// per host, the share options every share made from it gets, and a description for people.
/// </summary>
internal sealed class MappingEntry
{
    public MappingEntry(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public string? Description { get; set; }

    /// <summary>Host key (a host name, <c>localhost</c>, or a full libvirt URI) to directory; keys compare case-insensitively.</summary>
    public SortedDictionary<string, string> Paths { get; } = new(MappingHosts.KeyComparer);

    /// <summary>Share options by <see cref="ShareOption.Name"/>, values typed as ShareSettings holds them.</summary>
    public SortedDictionary<string, object> Options { get; } = new(StringComparer.OrdinalIgnoreCase);

    public MappingEntry Clone()
    {
        var copy = new MappingEntry(Name) { Description = Description };
        foreach (var p in Paths)
        {
            copy.Paths[p.Key] = p.Value;
        }
        foreach (var o in Options)
        {
            copy.Options[o.Key] = o.Value;
        }
        return copy;
    }

    /// <summary>The settings of a share made from this mapping on the host whose directory is <paramref name="directory"/>.</summary>
    public ShareSettings SettingsFor(string directory)
    {
        var settings = new ShareSettings { Tag = Name, Source = directory };
        foreach (var option in ShareOptions.Settable)
        {
            if (Options.TryGetValue(option.Name, out var value))
            {
                option.SetAsked(settings, value);
            }
        }
        return settings;
    }

    /// <summary>The mapping as cmdlets show it, read from <paramref name="file"/>.</summary>
    public VirtioFsMapping ToPublic(string file) =>
        new(Name, file, new SortedDictionary<string, string>(Paths, MappingHosts.KeyComparer), new SortedDictionary<string, object>(Options, StringComparer.OrdinalIgnoreCase))
        {
            Description = Description,
        };

    /// <summary>The options in the table's order, for messages.</summary>
    public IEnumerable<ShareOption> OptionsInTableOrder() => ShareOptions.Settable.Where(o => Options.ContainsKey(o.Name));
}
