// SPDX-License-Identifier: MIT
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>A share the declaration asks for in a domain: a mapping with its directory on the domain's host.</summary>
internal sealed record DeclaredShare(MappingEntry Mapping, string Directory)
{
    /// <summary>The mapping's name is the share's tag.</summary>
    public string Tag => Mapping.Name;

    /// <summary>Fresh settings each call: ShareEditor may keep what it is given.</summary>
    public ShareSettings Settings() => Mapping.SettingsFor(Directory);
}
