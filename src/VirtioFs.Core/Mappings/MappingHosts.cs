// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using VirtioFs.Errors;
using VirtioFs.Libvirt;

namespace VirtioFs.Mappings;

/// <summary>
/// Which of a mapping's directories a libvirt connection gets. A key is either a full libvirt URI, matched
/// as written (ignoring case), or a host as it appears in a URI's host part (no user, no port; ignoring
/// case), where a URI without a host part (qemu:///system) is <c>localhost</c>. An exact URI key wins over
/// its host's key, so one host can be given a different directory on one connection (another port, a
/// session libvirt) and the host's directory on every other.
/// </summary>
internal static class MappingHosts
{
    public const string LocalHost = "localhost";

    public static readonly StringComparer KeyComparer = StringComparer.OrdinalIgnoreCase;

    public static bool IsUriKey(string key) => key.Contains("://", StringComparison.Ordinal);

    /// <summary>The host key of a URI (its host part, or localhost), or of a bare host name (lower case).</summary>
    public static string HostKeyOf(string uriOrHost)
    {
        if (!IsUriKey(uriOrHost))
        {
            return uriOrHost.Trim().ToLowerInvariant();
        }
        string host = LibvirtUri.Parse(uriOrHost).Host;
        return host.Length > 0 ? host : LocalHost;
    }

    /// <summary>The key and directory for a URI or host, or null when the mapping has neither the URI nor its host.</summary>
    public static (string Key, string Directory)? Find(MappingEntry mapping, string uriOrHost)
    {
        if (IsUriKey(uriOrHost) && mapping.Paths.TryGetValue(uriOrHost, out var exact))
        {
            return (uriOrHost, exact);
        }
        string host = HostKeyOf(uriOrHost);
        return mapping.Paths.TryGetValue(host, out var dir) ? (host, dir) : null;
    }

    /// <summary>As <see cref="Find"/>, or MappingHostMissing naming the mapping, the host and the hosts it has.</summary>
    public static (string Key, string Directory) Resolve(MappingEntry mapping, string uriOrHost) =>
        Find(mapping, uriOrHost) ?? throw Missing(mapping, uriOrHost);

    public static VirtioFsException Missing(MappingEntry mapping, string uriOrHost)
    {
        string host = HostKeyOf(uriOrHost);
        string via = IsUriKey(uriOrHost) ? $" (from {uriOrHost})" : string.Empty;
        string has = mapping.Paths.Count == 0 ? "it has no host yet" : "it has: " + string.Join(", ", mapping.Paths.Keys);
        return new VirtioFsException(ErrorIds.MappingHostMissing, VirtioFsErrorKind.ObjectNotFound,
            $"Mapping '{mapping.Name}' has no directory for host '{host}'{via}; {has}.", uriOrHost,
            $"Add one: Set-VirtioFsMapping -Name '{mapping.Name}' -Path @{{ '{host}' = '/srv/...' }} (a key may also be the full URI).");
    }

    /// <summary>A key must be a host name, an address, localhost or a libvirt URI; anything else could never match.</summary>
    public static void ValidateKey(string? key)
    {
        string why = string.IsNullOrWhiteSpace(key) ? "it is empty"
            : key.Any(char.IsControl) ? "it contains a control character"
            : key.Any(char.IsWhiteSpace) ? "it contains white space"
            : IsUriKey(key) ? string.Empty
            : key.Contains('@', StringComparison.Ordinal) ? "a host key has no user part (the user is not part of the host a URI names)"
            : key.Contains('/', StringComparison.Ordinal) ? "it is neither a host name nor a libvirt URI (scheme://host/path)"
            : string.Empty;
        if (why.Length > 0)
        {
            throw new VirtioFsException(ErrorIds.MappingHostKeyInvalid, VirtioFsErrorKind.InvalidArgument,
                $"'{key}' cannot be a mapping's host key: {why}.", key,
                "Use the host as libvirt URIs name it (kvm1.example.com, 192.0.2.10), localhost for this host, or a full URI such as qemu+ssh://root@kvm1/system.");
        }
    }
}
