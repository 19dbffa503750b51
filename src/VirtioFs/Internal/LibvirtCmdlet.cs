// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using VirtioFs.Domain;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>
/// Base of every cmdlet that talks to libvirt: it owns the connections (one per URI for the whole
/// pipeline, closed at the end or on Ctrl+C), picks the URI as virsh does, and opens the domains a
/// command names, from XML files or from libvirt.
/// </summary>
public abstract class LibvirtCmdlet : VirtioFsCmdlet
{
    internal const string PathSet = "Path";
    internal const string DomainSet = "Domain";
    internal const string DefaultUri = "qemu:///system";

    private readonly Dictionary<string, LibvirtConnection> _connections = new(StringComparer.Ordinal);

    /// <summary>-ConnectionUri, else $env:LIBVIRT_DEFAULT_URI as virsh does, else qemu:///system.</summary>
    internal static string EffectiveUri(string? given) =>
        !string.IsNullOrEmpty(given) ? given
        : Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI") is { Length: > 0 } env ? env
        : DefaultUri;

    internal LibvirtConnection Connect(string? uri)
    {
        string effective = EffectiveUri(uri);
        if (!_connections.TryGetValue(effective, out var conn))
        {
            conn = LibvirtConnection.Open(effective);
            _connections[effective] = conn;
        }
        return conn;
    }

    internal IDomainTarget FileTarget(string path, bool skipSourceCheck) =>
        new FileDomainTarget(ResolveFileSystemPath(path, mustExist: false), checkHostPaths: !skipSourceCheck);

    internal IDomainTarget LibvirtTarget(string domain, string? uri, bool skipSourceCheck) =>
        new LibvirtDomainTarget(Connect(uri), domain, skipSourceCheck);

    /// <summary>
    /// The one loop over the domains a reading command names: each -Path (wildcards match files), or
    /// the -Domain names, UUIDs and wildcards on one connection (all of its domains when none is
    /// given), with progress. A domain that fails is an error for that domain; the others go on.
    /// </summary>
    internal void ReadDomains(string[] paths, string[]? domains, string? uri, bool checkHostPathsOfFiles,
        string activity, Action<IDomainTarget> emit)
    {
        if (paths.Length > 0)
        {
            foreach (string pattern in paths)
            {
                ForInput(() =>
                {
                    foreach (string file in ResolvePaths(pattern))
                    {
                        ForInput(() => emit(new FileDomainTarget(file, checkHostPaths: checkHostPathsOfFiles)));
                    }
                });
            }
            return;
        }
        ForInput(() =>
        {
            var conn = Connect(uri);
            ForEachWithProgress(DomainSelection.Resolve(conn, domains, this), activity,
                name => ForInput(() => emit(new LibvirtDomainTarget(conn, name, skipSourceCheck: true))));
        });
    }

    protected override void EndProcessing() => CloseConnections();

    private void CloseConnections()
    {
        foreach (var c in _connections.Values)
        {
            c.Dispose();
        }
        _connections.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseConnections();
        }
        base.Dispose(disposing);
    }
}
