// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>
/// Starts, finds, stops and restarts virtiofsd. Readiness is judged from /proc, never by connecting: both
/// virtiofsd implementations serve exactly one vhost-user connection and exit when it closes, so a probe
/// connection would consume the daemon (seen with the C daemon: "virtio_loop: Unexpected poll revents 11").
/// </summary>
internal sealed partial class DaemonSupervisor
{
    private readonly DaemonHost _host;
    private readonly ProcessTable _proc;
    private readonly DaemonStateStore _store;
    private readonly DaemonDiscovery _discovery;

    public DaemonSupervisor(DaemonHost host)
    {
        _host = host;
        _proc = new ProcessTable(host);
        _store = new DaemonStateStore(host.RuntimeDirectory);
        _discovery = new DaemonDiscovery(host, _proc);
    }

    public DaemonStateStore Store => _store;

    // ---------------------------------------------------------------- binaries

    /// <summary>The binary libvirt would pick (first descriptor, then the usual paths), or an explicit path.</summary>
    public VirtioFsDaemonBinary ResolveBinary(string? explicitPath, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (!DaemonBinaryLocator.IsExecutableFile(explicitPath))
            {
                throw new VirtioFsException(ErrorIds.DaemonBinaryNotFound, VirtioFsErrorKind.ObjectNotFound,
                    $"The virtiofsd binary '{explicitPath}' does not exist or is not executable.", explicitPath,
                    "Give the path of an executable virtiofsd, or omit -BinaryPath to use the one libvirt would use.");
            }
            return DaemonBinaryProbe.Probe(new DaemonBinaryCandidate(explicitPath, "Explicit", null), ct);
        }
        var first = new DaemonBinaryLocator(_host).Find().FirstOrDefault()
            ?? throw new VirtioFsException(ErrorIds.DaemonBinaryNotFound, VirtioFsErrorKind.NotInstalled,
                "No virtiofsd found: no vhost-user descriptor of type 'fs' in /usr/share/qemu/vhost-user or /etc/qemu/vhost-user, "
                + $"none at {string.Join(", ", DaemonBinaryLocator.WellKnownPaths)}, and none on PATH.",
                "virtiofsd", "Install virtiofsd (Debian 12: apt-get install qemu-system-x86; later: apt-get install virtiofsd), or pass -BinaryPath.");
        return DaemonBinaryProbe.Probe(first, ct);
    }

    // ---------------------------------------------------------------- start

    /// <summary>Validates everything and builds the argv; throws before anything is created.</summary>
    public DaemonLaunchPlan Plan(string? name, DaemonOptions options, VirtioFsDaemonBinary binary)
    {
        var dir = options.SharedDirectory;
        if (!Directory.Exists(dir))
        {
            throw new VirtioFsException(ErrorIds.DaemonSharedDirectoryNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The shared directory '{dir}' does not exist (or is not a directory).", dir,
                "Create the directory first, or correct -SharedDirectory.");
        }
        Domain.SharedDirectoryGuard.Ensure(dir, resolveOnThisHost: true, options.AllowUnsafeSharedDirectory, "Start-VirtioFsDaemon");
        var existing = List().ToList();
        if (name is not null)
        {
            if (!NameRegex().IsMatch(name))
            {
                throw new VirtioFsException(ErrorIds.DaemonNameInvalid, VirtioFsErrorKind.InvalidArgument,
                    $"The daemon name '{name}' is not valid: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
                    name, "Choose a name such as 'data' or 'vm1-share'; it names the state, log, socket and unit files.");
            }
            if (existing.Any(d => d.Name == name && d.ManagedBy == VirtioFsDaemonManager.VirtioFs && d.State == VirtioFsDaemonState.Running))
            {
                throw new VirtioFsException(ErrorIds.DaemonNameInUse, VirtioFsErrorKind.ResourceExists,
                    $"A daemon named '{name}' is already running.", name,
                    $"Choose another -Name, or stop it first: Stop-VirtioFsDaemon -Name {name}.");
            }
        }
        else
        {
            name = UniqueName(dir, existing);
        }

        var socket = string.IsNullOrEmpty(options.SocketPath) ? _store.DefaultSocketPath(name) : Path.GetFullPath(options.SocketPath);
        var socketDir = Path.GetDirectoryName(socket) ?? "/";
        var generated = string.IsNullOrEmpty(options.SocketPath);
        if (!generated && !Directory.Exists(socketDir))
        {
            throw new VirtioFsException(ErrorIds.DaemonSocketDirectoryNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The directory of the socket path '{socket}' does not exist; virtiofsd would fail with 'vhost socket bind: No such file or directory'.",
                socket, $"Create '{socketDir}' first, or omit -SocketPath to use a generated socket under {_store.Directory}.");
        }
        UnixSocketPath.EnsureFits(socket, ", so virtiofsd could not listen on it",
            "Use a shorter -SocketPath (or a shorter -Name / VIRTIOFS_RUNTIME_DIR).");
        if (_proc.AnyoneListening(socket))
        {
            throw new VirtioFsException(ErrorIds.DaemonSocketInUse, VirtioFsErrorKind.ResourceExists,
                $"Something already listens on the socket '{socket}'.", socket,
                "Choose another -SocketPath, or stop the daemon using it (Get-VirtioFsDaemon -SocketPath ...).");
        }
        if (!string.IsNullOrEmpty(options.SocketGroup) && !HostAccounts.GroupExists(_host, options.SocketGroup))
        {
            throw new VirtioFsException(ErrorIds.DaemonSocketGroupNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The socket group '{options.SocketGroup}' does not exist.", options.SocketGroup,
                "Give an existing group (the one QEMU runs as, 'kvm' under Debian's libvirt), or -SocketGroup '' for a root-only socket.");
        }
        var o = CloneWith(options, socket);
        var argv = VirtiofsdArgvBuilder.Build(o, binary);
        return new DaemonLaunchPlan(name, binary, argv, dir, socket, _store.LogPath(name));
    }

    private static DaemonOptions CloneWith(DaemonOptions o, string socket) => new()
    {
        SharedDirectory = o.SharedDirectory, SocketPath = socket, SocketGroup = o.SocketGroup, Cache = o.Cache,
        Xattr = o.Xattr, PosixAcl = o.PosixAcl, Sandbox = o.Sandbox, ThreadPoolSize = o.ThreadPoolSize,
        InodeFileHandles = o.InodeFileHandles, AnnounceSubmounts = o.AnnounceSubmounts, ReadOnly = o.ReadOnly,
        AllowDirectIo = o.AllowDirectIo, Writeback = o.Writeback, XattrMap = o.XattrMap, TranslateUid = o.TranslateUid,
        TranslateGid = o.TranslateGid, RlimitNofile = o.RlimitNofile, LogLevel = o.LogLevel, ExtraArguments = o.ExtraArguments,
        MigrationMode = o.MigrationMode, MigrationOnError = o.MigrationOnError, MigrationVerifyHandles = o.MigrationVerifyHandles,
    };

    private string UniqueName(string dir, IReadOnlyList<VirtioFsDaemon> existing)
    {
        var leaf = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
        var baseName = InvalidNameChars().Replace(leaf, "-").Trim('-', '.', '_');
        if (baseName.Length == 0)
        {
            baseName = "share";
        }
        if (baseName.Length > 48)
        {
            baseName = baseName[..48];
        }
        var taken = new HashSet<string>(existing.Select(d => d.Name), StringComparer.Ordinal);
        var candidate = baseName;
        for (var i = 2; taken.Contains(candidate) || File.Exists(_store.StatePath(candidate)); i++)
        {
            candidate = $"{baseName}-{i}";
        }
        return candidate;
    }

    /// <summary>Starts the planned daemon detached and waits until it listens; on any failure nothing is left running.</summary>
    public VirtioFsDaemon Launch(DaemonLaunchPlan plan, TimeSpan timeout, Action<string>? progress, CancellationToken ct)
    {
        _store.EnsureDirectory();
        AppendLog(plan.LogPath, $"# {DateTime.Now:O} VirtioFs: starting {plan.Binary.Path} {string.Join(' ', plan.Arguments.Select(QuoteForLog))}");
        int pid;
        try
        {
            pid = Processes.SpawnDetached(plan.Binary.Path, plan.Arguments, plan.LogPath);
        }
        catch (InvalidOperationException e)
        {
            throw new VirtioFsException(ErrorIds.DaemonSpawnFailed, VirtioFsErrorKind.InvalidResult,
                $"Cannot start '{plan.Binary.Path}': {e.Message}", plan.Binary.Path, "Check the binary and its permissions.", e);
        }
        var started = _proc.Read(pid);
        var record = new DaemonRecord
        {
            Name = plan.Name, ProcessId = pid, ProcessStartTicks = started?.StartTicks ?? 0, BinaryPath = plan.Binary.Path,
            Dialect = plan.Binary.Dialect, Version = plan.Binary.Version?.ToString(), Arguments = plan.Arguments.ToList(),
            SharedDirectory = plan.SharedDirectory, SocketPath = plan.SocketPath, LogPath = plan.LogPath, StartTime = DateTime.Now,
        };
        try
        {
            // Recorded before waiting, so a daemon is never running without a state file that can stop it.
            _store.Write(record);
            WaitUntilListening(record, timeout, progress, ct);
        }
        catch
        {
            KillAndReap(pid);
            CleanupFiles(record.Dialect, record.SocketPath);
            _store.Delete(record.Name);
            throw;
        }
        return ToDaemon(record, _store.StatePath(record.Name));
    }

    private void WaitUntilListening(DaemonRecord r, TimeSpan timeout, Action<string>? progress, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        var lastReport = DateTime.MinValue;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (IsGone(r.ProcessId))
            {
                throw new VirtioFsException(ErrorIds.DaemonExited, VirtioFsErrorKind.InvalidResult,
                    $"virtiofsd '{r.Name}' exited before its socket was ready. Last lines of {r.LogPath}:{Environment.NewLine}{LogTail(r.LogPath, 15)}",
                    r.SharedDirectory, "Read the log lines above; Get-VirtioFsDaemonBinary shows what the binary supports.");
            }
            // The Rust virtiofsd's namespace sandbox forks first and binds the socket in the child,
            // so the listener may belong to the worker rather than the process we started.
            if (_proc.IsListening(r.ProcessId, r.SocketPath) || _proc.IsListening(_proc.WorkerPid(r.ProcessId), r.SocketPath))
            {
                return;
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new VirtioFsException(ErrorIds.DaemonSocketTimeout, VirtioFsErrorKind.OperationTimeout,
                    $"virtiofsd '{r.Name}' (pid {r.ProcessId}) did not listen on '{r.SocketPath}' within {timeout.TotalSeconds:0.#} s; it was killed. Last lines of {r.LogPath}:{Environment.NewLine}{LogTail(r.LogPath, 15)}",
                    r.SocketPath, "Raise -TimeoutSec on a busy host, or read the log.");
            }
            if (progress is not null && DateTime.UtcNow - lastReport > TimeSpan.FromMilliseconds(250))
            {
                progress($"Waiting for {r.SocketPath}");
                lastReport = DateTime.UtcNow;
            }
            ct.WaitHandle.WaitOne(20);
        }
    }

    // ---------------------------------------------------------------- list

    /// <summary>Our recorded daemons (running or exited), then every other virtiofsd in the process table.</summary>
    public IEnumerable<VirtioFsDaemon> List()
    {
        var ours = new HashSet<int>();
        foreach (var (record, path) in _store.ReadAll())
        {
            var d = ToDaemon(record, path);
            if (d.State == VirtioFsDaemonState.Running)
            {
                ours.Add(record.ProcessId);
            }
            yield return d;
        }
        foreach (var d in _discovery.Others(ours))
        {
            yield return d;
        }
    }

    private VirtioFsDaemon ToDaemon(DaemonRecord r, string statePath)
    {
        var running = IsOurProcessAlive(r);
        return _discovery.WithHealth(new VirtioFsDaemon(r.Name, r.ProcessId, running ? VirtioFsDaemonState.Running : VirtioFsDaemonState.Exited,
            r.SharedDirectory, r.SocketPath, r.BinaryPath, r.Dialect, r.Version, r.Arguments, r.LogPath, r.StartTime,
            VirtioFsDaemonManager.VirtioFs, null, null, statePath));
    }

    private bool IsOurProcessAlive(DaemonRecord r)
    {
        if (IsGone(r.ProcessId))
        {
            return false;
        }
        var p = _proc.Read(r.ProcessId);
        return p is not null && p.IsAlive && (r.ProcessStartTicks == 0 || p.StartTicks == r.ProcessStartTicks);
    }

    // ---------------------------------------------------------------- stop / restart

    /// <summary>SIGTERM, wait; with <paramref name="force"/> SIGKILL after the timeout. Removes socket, pid and state files.</summary>
    public void Stop(VirtioFsDaemon d, bool force, TimeSpan timeout, CancellationToken ct)
    {
        if (d.ManagedBy == VirtioFsDaemonManager.Libvirt && !force)
        {
            throw new VirtioFsException(ErrorIds.DaemonManagedByLibvirt, VirtioFsErrorKind.InvalidOperation,
                $"virtiofsd '{d.Name}' (pid {d.ProcessId}) belongs to libvirt domain '{d.Domain}'; stopping it breaks the running guest's share.",
                d.Name, $"Shut the domain down (virsh shutdown {d.Domain}) or detach the filesystem; add -Force only if you mean to cut the share.");
        }
        if (d.State == VirtioFsDaemonState.Running)
        {
            var children = _proc.Enumerate().Where(p => p.ParentPid == d.ProcessId).Select(p => p.Pid).ToList();
            if (!Processes.Signal(d.ProcessId, LibC.SIGTERM))
            {
                children.Clear();
            }
            if (!WaitGone(d.ProcessId, timeout, ct))
            {
                if (!force)
                {
                    throw new VirtioFsException(ErrorIds.DaemonStopTimeout, VirtioFsErrorKind.OperationTimeout,
                        $"virtiofsd '{d.Name}' (pid {d.ProcessId}) did not exit within {timeout.TotalSeconds:0.#} s of SIGTERM.",
                        d.Name, "Repeat with -Force to kill it (SIGKILL).");
                }
                Processes.Signal(d.ProcessId, LibC.SIGKILL);
                if (!WaitGone(d.ProcessId, TimeSpan.FromSeconds(5), ct))
                {
                    throw new VirtioFsException(ErrorIds.DaemonStopFailed, VirtioFsErrorKind.InvalidResult,
                        $"virtiofsd '{d.Name}' (pid {d.ProcessId}) survived SIGKILL (uninterruptible I/O?).", d.Name,
                        "Look at /proc/<pid>/stack and the shared directory's file system.");
                }
            }
            // The namespace sandbox's child dies with its parent (PR_SET_PDEATHSIG); make sure of it.
            foreach (var child in children)
            {
                if (!WaitGone(child, TimeSpan.FromSeconds(2), ct))
                {
                    Processes.Signal(child, LibC.SIGKILL);
                    WaitGone(child, TimeSpan.FromSeconds(2), ct);
                }
            }
        }
        else if (d.ManagedBy == VirtioFsDaemonManager.VirtioFs && _proc.Read(d.ProcessId) is { IsAlive: false })
        {
            // It exited by itself (guest disconnect) and is still our zombie child: reap it.
            WaitGone(d.ProcessId, TimeSpan.FromSeconds(2), ct);
        }
        // libvirt removes its own socket and pid file when the domain stops; leave its files alone.
        if (d.ManagedBy != VirtioFsDaemonManager.Libvirt && d.SocketPath is not null && d.FileDescriptor is null)
        {
            CleanupFiles(d.Dialect, d.SocketPath);
        }
        if (d.ManagedBy == VirtioFsDaemonManager.VirtioFs)
        {
            _store.Delete(d.Name);
        }
    }

    /// <summary>Stops it if running and starts it again with the very same binary, argv, name and log.</summary>
    public VirtioFsDaemon Restart(VirtioFsDaemon d, TimeSpan timeout, Action<string>? progress, CancellationToken ct)
    {
        if (d.ManagedBy == VirtioFsDaemonManager.Libvirt || d.FileDescriptor is not null || d.SocketPath is null)
        {
            throw new VirtioFsException(ErrorIds.DaemonRestartUnsupported, VirtioFsErrorKind.InvalidOperation,
                $"virtiofsd '{d.Name}' was handed its socket as --fd by {(d.ManagedBy == VirtioFsDaemonManager.Libvirt ? "libvirt" : "its parent")}; only that parent can start it again.",
                d.Name, d.Domain is not null ? $"Restart the domain: virsh shutdown {d.Domain}; virsh start {d.Domain}." : "Restart it the way it was started.");
        }
        var name = d.ManagedBy == VirtioFsDaemonManager.VirtioFs ? d.Name : UniqueName(d.SharedDirectory ?? "share", List().ToList());
        var binary = new VirtioFsDaemonBinary(d.BinaryPath, "Restart", null, d.Dialect, null,
            d.Version is not null && System.Version.TryParse(d.Version, out var v) ? v : null, [], []);
        Stop(d, force: true, TimeSpan.FromSeconds(10), ct);
        var plan = new DaemonLaunchPlan(name, binary, d.Arguments, d.SharedDirectory ?? "", d.SocketPath, _store.LogPath(name));
        return Launch(plan, timeout, progress, ct);
    }

    private bool WaitGone(int pid, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (IsGone(pid))
            {
                return true;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            ct.WaitHandle.WaitOne(20);
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// True when the process no longer runs. A zombie child of ours is reaped on the spot: it may have died
    /// between an earlier waitpid and this read, and must not linger until this PowerShell session ends.
    /// </summary>
    private bool IsGone(int pid)
    {
        var p = _proc.Read(pid);
        if (p is null)
        {
            return true;
        }
        if (p.IsAlive)
        {
            return false;
        }
        // 0: our child, still tearing down its other threads; wait for it so it can be reaped.
        return Processes.TryReap(pid) != 0;
    }

    private void KillAndReap(int pid)
    {
        Processes.Signal(pid, LibC.SIGKILL);
        WaitGone(pid, TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    /// <summary>
    /// The socket (if nobody listens on it any more) and the daemon's pid/lock file: the C daemon writes
    /// /run/virtiofsd/&lt;socket path with '/' as '.'&gt;.pid, the Rust daemon &lt;socket&gt;.pid. Neither removes them.
    /// </summary>
    private void CleanupFiles(VirtioFsDaemonDialect dialect, string socketPath)
    {
        if (File.Exists(socketPath) && !_proc.AnyoneListening(socketPath))
        {
            TryDelete(socketPath);
        }
        TryDelete(socketPath + ".pid");
        if (dialect != VirtioFsDaemonDialect.Rust)
        {
            TryDelete(_host.Root.Path("/run/virtiofsd/" + socketPath.Replace('/', '.') + ".pid"));
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover lock file does not stop the next start (both daemons replace it).
        }
    }

    // ---------------------------------------------------------------- logs

    private static void AppendLog(string path, string line) =>
        UnixFile.AppendLine(path, line, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    internal static string LogTail(string path, int lines)
    {
        try
        {
            var all = File.ReadAllLines(path);
            return string.Join(Environment.NewLine, all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "(no log)";
        }
    }

    private static string QuoteForLog(string a) => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./,:+".Contains(c))
        ? a : "'" + a.Replace("'", "'\\''") + "'";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NameRegex();

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex InvalidNameChars();
}
