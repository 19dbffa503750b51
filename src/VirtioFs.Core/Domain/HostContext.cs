// SPDX-License-Identifier: MIT
using System;
using System.Threading;
using VirtioFs.Daemon;
using VirtioFs.Errors;

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
