// SPDX-License-Identifier: MIT
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>
/// What New-VirtioFsShare -Mapping takes from a mapping for one host: the directory that host has, the
/// mapping's name as the default tag, and its options under the ones given explicitly.
/// </summary>
internal static class MappingResolver
{
    /// <summary>
    /// Fills <paramref name="given"/> (the explicitly given options) from mapping <paramref name="name"/> of
    /// <paramref name="file"/> for the host of <paramref name="uriOrHost"/> (a libvirt URI, or a host key for
    /// domain XML files). Returns the mark the share gets: the mapping's name as the file spells it (the tag,
    /// unless -Tag overrides it) and the host key.
    /// </summary>
    public static ShareMark Fill(ShareSettings given, string file, string name, string uriOrHost) =>
        Fill(given, MappingStore.Load(file).Get(name, file), uriOrHost);

    /// <summary>Like the other overload, with the mapping already read (once for all hosts of a command).</summary>
    public static ShareMark Fill(ShareSettings given, MappingEntry mapping, string uriOrHost)
    {
        var (_, directory) = MappingHosts.Resolve(mapping, uriOrHost);
        given.Source = directory;
        foreach (var option in ShareOptions.Settable)
        {
            if (!option.IsAsked(given) && mapping.Options.TryGetValue(option.Name, out var value))
            {
                option.SetAsked(given, value);
            }
        }
        return new ShareMark(mapping.Name, MappingHosts.HostKeyOf(uriOrHost));
    }
}
