// SPDX-License-Identifier: MIT
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using VirtioFs.Errors;

namespace VirtioFs.Daemon;

/// <summary>
/// Finds the virtiofsd processes the module did not start (libvirt's --fd daemons and anyone else's) in the
/// process table, works out their socket, shared directory and libvirt domain, and reads the health of any
/// running daemon (guest connected, open files against the limit) from the sandbox worker that serves it.
/// </summary>
internal sealed class DaemonDiscovery
{
    private static readonly ConcurrentDictionary<string, VirtioFsDaemonBinary?> s_probeCache = new(StringComparer.Ordinal);
    private readonly DaemonHost _host;
    private readonly ProcessTable _proc;

    public DaemonDiscovery(DaemonHost host, ProcessTable proc)
    {
        _host = host;
        _proc = proc;
    }

    /// <summary>Every live virtiofsd in the process table except <paramref name="ours"/>, each daemon once.</summary>
    public IEnumerable<VirtioFsDaemon> Others(IReadOnlySet<int> ours)
    {
        var all = _proc.Enumerate().ToDictionary(p => p.Pid);
        foreach (var p in all.Values.OrderBy(p => p.Pid))
        {
            if (ours.Contains(p.Pid) || !p.IsAlive)
            {
                continue;
            }
            var cl = VirtiofsdArgvParser.TryParse(p.Argv);
            if (cl is null)
            {
                continue;
            }
            // The namespace sandbox forks a child with the same argv; list the daemon once.
            if (all.TryGetValue(p.ParentPid, out var parent) && parent.Argv.SequenceEqual(p.Argv))
            {
                continue;
            }
            yield return FromProcess(p, cl);
        }
    }

    private VirtioFsDaemon FromProcess(ProcessEntry p, VirtiofsdArgvParser cl)
    {
        var socket = cl.SocketPath;
        if (socket is null && cl.FileDescriptor is { } fd)
        {
            var sockets = _proc.UnixSocketsSeenBy(p.Pid);
            if (_proc.SocketInode(p.Pid, fd) is { } ino)
            {
                socket = sockets.FirstOrDefault(s => s.Inode == ino).Path;
            }
            // Once QEMU has connected, the C daemon has closed the --fd listener and holds only the accepted
            // connection, which /proc/net/unix lists under the same path.
            if (socket is null)
            {
                var held = _proc.SocketInodes(p.Pid);
                socket = sockets.FirstOrDefault(s => held.Contains(s.Inode) && s.Path.Length > 0).Path;
            }
        }
        var lv = LibvirtDaemonNaming.Derive(_host, p.Pid, socket);
        var probe = ProbeCached(cl.BinaryPath);
        var dialect = probe?.Dialect is { } pd && pd != VirtioFsDaemonDialect.Unknown ? pd : cl.Dialect;
        var manager = lv is not null ? VirtioFsDaemonManager.Libvirt : VirtioFsDaemonManager.Other;
        var name = lv is not null ? $"{lv.Domain}-{lv.Alias}" : $"virtiofsd-{p.Pid}";
        return WithHealth(new VirtioFsDaemon(name, p.Pid, VirtioFsDaemonState.Running, cl.SharedDirectory, socket, cl.BinaryPath, dialect,
            probe?.Version?.ToString(), cl.Arguments, lv?.LogPath, _proc.StartTime(p.StartTicks), manager, lv?.Domain,
            cl.FileDescriptor, null));
    }

    /// <summary>What an admin watches on a running daemon: is a guest attached, and how close it is to its file limit.</summary>
    public VirtioFsDaemon WithHealth(VirtioFsDaemon d)
    {
        if (d.State != VirtioFsDaemonState.Running)
        {
            return d;
        }
        int worker = _proc.WorkerPid(d.ProcessId);
        d.OpenFiles = _proc.OpenFileCount(worker);
        d.OpenFilesLimit = _proc.OpenFileLimit(worker);
        if (d.SocketPath is { } socket)
        {
            d.GuestConnected = _proc.IsConnected(worker, socket) || (worker != d.ProcessId && _proc.IsConnected(d.ProcessId, socket));
        }
        return d;
    }

    /// <summary>Probe results per binary path and mtime, so listing many daemons runs each binary once.</summary>
    private VirtioFsDaemonBinary? ProbeCached(string path)
    {
        string key;
        try
        {
            key = path + "@" + File.GetLastWriteTimeUtc(_host.Root.Path(path)).Ticks.ToString(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return s_probeCache.GetOrAdd(key, _ =>
        {
            try
            {
                return _host.Root.IsReal ? DaemonBinaryProbe.Probe(new DaemonBinaryCandidate(path, "Process", null), CancellationToken.None) : null;
            }
            catch (VirtioFsException)
            {
                return null;
            }
        });
    }
}
