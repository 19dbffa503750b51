// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Threading;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>
/// What validation may assume about the host the domain runs on: whether host paths can be checked and in which
/// file system, which libvirt version will read the XML (null when unknown, e.g. a file), whom it runs virtiofsd as,
/// and which virtiofsd it would run for a share. For a libvirt domain all of it comes from the connection's
/// <see cref="LibvirtStack"/>, never from this machine when libvirt lives elsewhere.
/// </summary>
internal sealed class HostContext
{
    public static readonly HostContext OfflineFile = new(checkHostPaths: true, libvirtVersion: null);

    private readonly Func<string?, VirtioFsDaemonBinary?> _daemonFor;

    public HostContext(bool checkHostPaths, Version? libvirtVersion, Func<string?, VirtioFsDaemonBinary?>? daemonFor = null,
        bool? daemonRunsAsRoot = null, HostRoot? files = null, string? uri = null)
    {
        CheckHostPaths = checkHostPaths;
        LibvirtVersion = libvirtVersion;
        DaemonRunsAsRoot = daemonRunsAsRoot;
        Files = files ?? HostRoot.Real;
        Uri = uri;
        _daemonFor = daemonFor ?? ProbeOnThisHost;
    }

    /// <summary>The context of a domain in the libvirt of <paramref name="stack"/>: its files, version, daemon and privilege.</summary>
    public static HostContext Of(LibvirtStack stack, bool skipSourceCheck) =>
        new(stack.Files is not null && !skipSourceCheck, stack.LibvirtVersion, stack.DaemonFor, stack.RunsDaemonAsRoot,
            stack.Files, stack.Uri);

    /// <summary>True when the domain's host paths can be read from here (<see cref="Files"/>), so a source directory must exist.</summary>
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

    /// <summary>True when libvirt runs virtiofsd as root (qemu:///system); false for an unprivileged session; null when unknown.</summary>
    public bool? DaemonRunsAsRoot { get; }

    /// <summary>The file system libvirt sees: this host's, or another mount namespace's (<see cref="HostRoot.OfProcess"/>).</summary>
    public HostRoot Files { get; }

    public string? Uri { get; }

    /// <summary>What the option table's context rules look at (ShareOption.ContextRule).</summary>
    public OptionContext Options => new(Uri, LibvirtVersion, DaemonRunsAsRoot);

    /// <summary>
    /// The virtiofsd libvirt would run for a share with this &lt;binary path&gt; (null: the one libvirt picks); null
    /// when unknown or when host paths are not checked.
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
