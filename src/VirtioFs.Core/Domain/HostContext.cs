// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Threading;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using VirtioFs.Libvirt;

namespace VirtioFs.Domain;

/// <summary>
/// What validation may assume about the host the domain runs on: whether host paths can be
/// checked here, which libvirt version will read the XML (null when unknown, e.g. a file), and
/// which virtiofsd libvirt would run for a share.
/// </summary>
internal sealed class HostContext
{
    public static readonly HostContext OfflineFile = new(checkHostPaths: true, libvirtVersion: null);

    private readonly Func<string?, VirtioFsDaemonBinary?> _daemonFor;

    public HostContext(bool checkHostPaths, Version? libvirtVersion, Func<string?, VirtioFsDaemonBinary?>? daemonFor = null)
    {
        CheckHostPaths = checkHostPaths;
        LibvirtVersion = libvirtVersion;
        _daemonFor = daemonFor ?? ProbeOnThisHost;
    }

    /// <summary>True when the domain lives on this host, so a source directory must exist here.</summary>
    public bool CheckHostPaths { get; }

    /// <summary>For a domain on another host: looks at its paths there (qemu+ssh), else null.</summary>
    public SshPathProbe? RemotePaths { get; init; }

    /// <summary>For a domain on another host that cannot be looked at: why, for the warning that says so.</summary>
    public string? RemotePathsUnchecked { get; init; }

    /// <summary>Cancels a look at the other host.</summary>
    public CancellationToken Cancel { get; init; }

    private readonly List<string> _warnings = new();

    /// <summary>What validation could not check and the user must know; taken (and cleared) by the caller to write.</summary>
    public IReadOnlyList<string> TakeWarnings()
    {
        var taken = _warnings.ToArray();
        _warnings.Clear();
        return taken;
    }

    /// <summary>Adds a warning once, since a change may be validated again when the definition changed under it.</summary>
    public void Warn(string warning)
    {
        if (!_shown.Contains(warning))
        {
            _shown.Add(warning);
            _warnings.Add(warning);
        }
    }

    private readonly HashSet<string> _shown = new(StringComparer.Ordinal);

    public Version? LibvirtVersion { get; }

    /// <summary>
    /// The virtiofsd libvirt would run on this host for a share with this &lt;binary path&gt; (null: the
    /// one libvirt picks, as Start-VirtioFsDaemon resolves it); null when unknown or not on this host.
    /// </summary>
    public VirtioFsDaemonBinary? DaemonFor(string? binaryPath) => CheckHostPaths ? _daemonFor(binaryPath) : null;

    private static VirtioFsDaemonBinary? ProbeOnThisHost(string? binaryPath)
    {
        try
        {
            return new DaemonSupervisor(new DaemonHost()).ResolveBinary(binaryPath, CancellationToken.None);
        }
        catch (VirtioFsException)
        {
            // A binary that cannot be found or probed is reported elsewhere (BinaryNotFound, the doctor); here it is just unknown.
            return null;
        }
    }
}
