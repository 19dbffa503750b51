// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>One process as /proc shows it.</summary>
internal sealed record ProcessEntry(int Pid, int ParentPid, char State, long StartTicks, IReadOnlyList<string> Argv)
{
    /// <summary>Zombies and dead tasks are not running daemons.</summary>
    public bool IsAlive => State is not ('Z' or 'X' or 'x');
}

/// <summary>
/// Reads /proc (under a configurable root, so tests can feed a fake tree): argv, parent, state and start time of
/// processes, the fds they hold and the unix sockets they listen on.
/// </summary>
internal sealed class ProcessTable
{
    private readonly DaemonHost _host;

    public ProcessTable(DaemonHost host) => _host = host;

    private string Proc => _host.Root.Path("/proc");

    public IEnumerable<ProcessEntry> Enumerate()
    {
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(Proc);
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }
        foreach (var dir in dirs)
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            var e = Read(pid);
            if (e is not null)
            {
                yield return e;
            }
        }
    }

    /// <summary>The process, or null when it does not exist (or vanished while reading).</summary>
    public ProcessEntry? Read(int pid)
    {
        var dir = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            // comm may contain spaces and parentheses: fields start after the last ')'.
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            var state = fields[0].Length > 0 ? fields[0][0] : '?';
            var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var start = fields.Length > 19 ? long.Parse(fields[19], CultureInfo.InvariantCulture) : 0;
            var raw = File.ReadAllBytes(Path.Combine(dir, "cmdline"));
            return new ProcessEntry(pid, ppid, state, start, SplitCmdline(raw));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException
            or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    internal static IReadOnlyList<string> SplitCmdline(byte[] raw)
    {
        var list = new List<string>();
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == 0)
            {
                list.Add(Encoding.UTF8.GetString(raw, start, i - start));
                start = i + 1;
            }
        }
        if (start < raw.Length)
        {
            list.Add(Encoding.UTF8.GetString(raw, start, raw.Length - start));
        }
        return list;
    }

    /// <summary>Socket inodes the process holds ("socket:[123]" fd links).</summary>
    public HashSet<long> SocketInodes(int pid)
    {
        var set = new HashSet<long>();
        var fdDir = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture), "fd");
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(fdDir))
            {
                if (ParseSocketLink(ReadLink(fd)) is { } ino)
                {
                    set.Add(ino);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return set;
    }

    /// <summary>The socket inode behind one fd, for libvirt's <c>--fd=N</c>.</summary>
    public long? SocketInode(int pid, int fd)
    {
        var link = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture), "fd", fd.ToString(CultureInfo.InvariantCulture));
        return ParseSocketLink(ReadLink(link));
    }

    private static string? ReadLink(string path)
    {
        try
        {
            var fi = new FileInfo(path);
            // A fake tree may hold the link target as a regular file's content.
            return fi.LinkTarget ?? (fi.Exists ? File.ReadAllText(path).Trim() : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? ParseSocketLink(string? link) =>
        link is not null && link.StartsWith("socket:[", StringComparison.Ordinal) && link.EndsWith(']')
        && long.TryParse(link.AsSpan(8, link.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var ino)
            ? ino : null;

    /// <summary>Bound unix sockets (inode, path, listening) from /proc/&lt;pid&gt;/net/unix, or /proc/net/unix.</summary>
    public IReadOnlyList<(long Inode, string Path, bool Listening)> UnixSockets(int? pid = null)
    {
        var file = pid is { } p
            ? Path.Combine(Proc, p.ToString(CultureInfo.InvariantCulture), "net", "unix")
            : Path.Combine(Proc, "net", "unix");
        var list = new List<(long, string, bool)>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return list;
        }
        // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 = __SO_ACCEPTCON (listening).
        for (var i = 1; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 8)
            {
                continue;
            }
            if (!long.TryParse(parts[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
                || !long.TryParse(parts[6], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }
            list.Add((inode, parts[7], (flags & 0x10000) != 0));
        }
        return list;
    }

    /// <summary>
    /// The process's network namespace's unix sockets plus ours. A sandboxed daemon may have moved into a new
    /// network namespace after binding (the C daemon's namespace sandbox does), and then only our table still
    /// lists its socket; inodes are unique across namespaces, so matching them in either table is sound.
    /// </summary>
    public IReadOnlyList<(long Inode, string Path, bool Listening)> UnixSocketsSeenBy(int pid)
    {
        var own = UnixSockets(pid);
        var host = UnixSockets();
        if (own.Count == 0)
        {
            return host;
        }
        var result = new List<(long, string, bool)>(own);
        var seen = new HashSet<long>(own.Select(s => s.Inode));
        result.AddRange(host.Where(s => !seen.Contains(s.Inode)));
        return result;
    }

    /// <summary>True when <paramref name="pid"/> holds a listening socket bound to <paramref name="socketPath"/>.</summary>
    public bool IsListening(int pid, string socketPath) => HoldsSocket(pid, socketPath, listening: true);

    /// <summary>True when any process listens on <paramref name="socketPath"/> (a stale socket file has no entry).</summary>
    public bool AnyoneListening(string socketPath)
    {
        foreach (var (_, path, listening) in UnixSockets())
        {
            if (listening && path == socketPath)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// True when the process holds an accepted connection on <paramref name="socketPath"/>: a vhost-user
    /// front-end (QEMU) is attached. /proc/net/unix lists the server side of a connection under the
    /// listening socket's path, without the listening flag.
    /// </summary>
    public bool IsConnected(int pid, string socketPath) => HoldsSocket(pid, socketPath, listening: false);

    private bool HoldsSocket(int pid, string socketPath, bool listening)
    {
        var held = SocketInodes(pid);
        return UnixSocketsSeenBy(pid).Any(s => s.Listening == listening && s.Path == socketPath && held.Contains(s.Inode));
    }

    /// <summary>How many file descriptors the process holds; null when /proc does not let us count them.</summary>
    public int? OpenFileCount(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture), "fd")).Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The soft RLIMIT_NOFILE ("Max open files" in /proc/&lt;pid&gt;/limits); null when unreadable or unlimited.</summary>
    public long? OpenFileLimit(int pid)
    {
        const string label = "Max open files";
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture), "limits")))
            {
                if (line.StartsWith(label, StringComparison.Ordinal))
                {
                    var soft = line[label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                    return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    /// <summary>
    /// The process that serves the guest: a namespace sandbox forks a child with the same argv that
    /// does the work and holds the files, while the parent only waits for it (the C virtiofsd once
    /// QEMU has connected, the Rust virtiofsd at start, before it binds its socket). Without such a
    /// child, the process itself.
    /// </summary>
    public int WorkerPid(int pid)
    {
        var parent = Read(pid);
        if (parent is null)
        {
            return pid;
        }
        string children;
        try
        {
            children = File.ReadAllText(Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture), "task", pid.ToString(CultureInfo.InvariantCulture), "children"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return pid;
        }
        foreach (var token in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var child)
                && Read(child) is { IsAlive: true } c && c.Argv.SequenceEqual(parent.Argv))
            {
                return child;
            }
        }
        return pid;
    }

    /// <summary>Process start as wall-clock time: boot time (btime) plus the start ticks.</summary>
    public DateTime? StartTime(long startTicks)
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(Proc, "stat")))
            {
                if (line.StartsWith("btime ", StringComparison.Ordinal))
                {
                    var btime = long.Parse(line.AsSpan(6), CultureInfo.InvariantCulture);
                    return DateTimeOffset.FromUnixTimeSeconds(btime).AddSeconds((double)startTicks / Processes.ClockTicksPerSecond()).LocalDateTime;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }
}
