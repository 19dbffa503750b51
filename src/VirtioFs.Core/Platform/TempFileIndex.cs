// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace VirtioFs.Platform;

/// <summary>
/// The names in a directory that look like temp files (a dot name ending in <c>.tmp</c>), kept current by inotify,
/// so that AtomicFile can find the temp files dead writers left without reading the whole directory on every
/// write. Reading /etc/libvirt/qemu with 400 domains and their .bak files (800 entries) costs 0.15-0.8 ms on a
/// virtual machine, as much as the write itself; this costs a stat and a read of the pending events.
/// <para>
/// A directory is read once, after its watch is in place (so nothing created meanwhile is missed); from then on
/// every creation, rename and removal in it arrives as an event. When events were lost (the queue overflowed),
/// the directory is read again. The path is stat'ed on each call, so a directory replaced by another under the
/// same path is a new directory. One inotify instance serves the process; a directory on a file system whose
/// events do not cover every writer (NFS, FUSE, overlay: a change below them raises none) is not watched, nor
/// is anything when inotify is unavailable: <see cref="Candidates"/> then returns null and the caller reads the
/// directory, as before.
/// </para>
/// </summary>
internal static class TempFileIndex
{
    private const uint Mask = LibC.IN_CREATE | LibC.IN_MOVED_TO | LibC.IN_DELETE | LibC.IN_MOVED_FROM | LibC.IN_ONLYDIR;

    // Local file systems, where every change to a directory goes through this kernel: ext2/3/4, xfs, btrfs,
    // tmpfs, f2fs, zfs.
    private static readonly HashSet<long> s_localFileSystems = [0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0xF2F52010, 0x2FC12FC1];

    private static readonly object s_gate = new();
    private static readonly Dictionary<int, Watched> s_byWatch = new();
    private static readonly Dictionary<(ulong Device, ulong Inode), Watched> s_byDirectory = new();
    private static int s_fd = -2; // -2: not tried yet; -1: inotify unavailable

    private sealed class Watched
    {
        public Watched(int watch, (ulong, ulong) key)
        {
            Watch = watch;
            Key = key;
        }

        public int Watch { get; }

        public (ulong Device, ulong Inode) Key { get; }

        public HashSet<string> Temps { get; } = new(StringComparer.Ordinal);

        /// <summary>Events were lost: read the directory again before answering.</summary>
        public bool Stale { get; set; } = true;
    }

    /// <summary>
    /// The names in <paramref name="dir"/> that start with <paramref name="prefix"/> and end in <c>.tmp</c>, as they
    /// are now; null when the directory cannot be watched (the caller then reads it itself).
    /// </summary>
    public static List<string>? Candidates(string dir, string prefix, Func<string, string, List<string>?> scan)
    {
        lock (s_gate)
        {
            if (!EnsureInstance() || FileStatus.Of(dir) is not { IsDirectory: true } st)
            {
                return null;
            }
            Drain();
            var key = (st.Device, st.Inode);
            if (!s_byDirectory.TryGetValue(key, out var watched))
            {
                if (!IsLocal(dir))
                {
                    return null;
                }
                int wd = LibC.InotifyAddWatch(s_fd, dir, Mask);
                if (wd < 0)
                {
                    return null; // out of watches, or not ours to watch
                }
                if (s_byWatch.Remove(wd, out var previous))
                {
                    s_byDirectory.Remove(previous.Key); // the kernel reused a watch whose removal we have not read yet
                }
                watched = new Watched(wd, key);
                s_byWatch[wd] = watched;
                s_byDirectory[key] = watched;
            }
            if (watched.Stale)
            {
                // The watch is in place first: whatever is created while the directory is read is also an event.
                if (scan(dir, ".") is not { } all)
                {
                    Forget(watched);
                    return null;
                }
                watched.Temps.Clear();
                watched.Temps.UnionWith(all);
                watched.Stale = false;
                Drain();
            }
            var found = new List<string>();
            foreach (var name in watched.Temps)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    found.Add(name);
                }
            }
            return found;
        }
    }

    private static bool EnsureInstance()
    {
        if (s_fd == -2)
        {
            int fd = LibC.InotifyInit1(LibC.IN_NONBLOCK | LibC.IN_CLOEXEC);
            s_fd = fd >= 0 ? fd : -1;
        }
        return s_fd >= 0;
    }

    private static unsafe bool IsLocal(string dir)
    {
        byte* buf = stackalloc byte[256];
        return LibC.StatFs(dir, buf) == 0 && s_localFileSystems.Contains(*(long*)buf);
    }

    /// <summary>Applies every pending event (struct inotify_event: wd, mask, cookie, len, then the name).</summary>
    private static unsafe void Drain()
    {
        byte* buf = stackalloc byte[16384];
        while (true)
        {
            nint n = LibC.Read(s_fd, buf, 16384);
            if (n <= 0)
            {
                return; // EAGAIN: nothing more pending
            }
            for (nint at = 0; at + 16 <= n;)
            {
                int wd = *(int*)(buf + at);
                uint mask = *(uint*)(buf + at + 4);
                int len = (int)*(uint*)(buf + at + 12);
                var name = len > 0 ? MemoryMarshal.CreateReadOnlySpanFromNullTerminated(buf + at + 16) : default;
                at += 16 + len;
                if ((mask & LibC.IN_Q_OVERFLOW) != 0)
                {
                    foreach (var w in s_byWatch.Values)
                    {
                        w.Stale = true;
                    }
                    continue;
                }
                if (!s_byWatch.TryGetValue(wd, out var watched))
                {
                    continue;
                }
                if ((mask & LibC.IN_IGNORED) != 0)
                {
                    Forget(watched, removeWatch: false); // the directory is gone (or its file system unmounted): so is the watch
                    continue;
                }
                // As the directory read: a directory named like a temp file is not one.
                if ((mask & LibC.IN_ISDIR) != 0 || name.Length < 5 || name[0] != (byte)'.' || !name.EndsWith(".tmp"u8))
                {
                    continue;
                }
                string text = Encoding.UTF8.GetString(name);
                if ((mask & (LibC.IN_CREATE | LibC.IN_MOVED_TO)) != 0)
                {
                    watched.Temps.Add(text);
                }
                else if ((mask & (LibC.IN_DELETE | LibC.IN_MOVED_FROM)) != 0)
                {
                    watched.Temps.Remove(text);
                }
            }
        }
    }

    private static void Forget(Watched watched, bool removeWatch = true)
    {
        s_byWatch.Remove(watched.Watch);
        s_byDirectory.Remove(watched.Key);
        if (removeWatch)
        {
            _ = LibC.InotifyRmWatch(s_fd, watched.Watch);
        }
    }
}
