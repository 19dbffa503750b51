// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace VirtioFs.Platform;

/// <summary>One line of /proc/mounts: what is mounted where, with which type and options.</summary>
internal sealed record MountEntry(string Source, string MountPoint, string FileSystemType, string Options)
{
    public bool HasOption(string option) => Options.Split(',').Contains(option, StringComparer.Ordinal);

    /// <summary>The value of a key=value option, or null.</summary>
    public string? OptionValue(string key) =>
        Options.Split(',').FirstOrDefault(o => o.StartsWith(key + "=", StringComparison.Ordinal)) is { } kv ? kv[(key.Length + 1)..] : null;
}

/// <summary>
/// The kernel's mount table (/proc/mounts under a <see cref="HostRoot"/>), read fresh on every call. The
/// one reader of it: hugetlbfs mounts for the hugepage cmdlets, /dev/shm for the doctor, and which
/// file system (and with which nosuid/nodev options) holds a share's source.
/// </summary>
internal static class MountTable
{
    public static IReadOnlyList<MountEntry> Read(HostRoot host) => Parse(host.ReadLines("/proc/mounts"));

    /// <summary>Lines in the /proc/mounts format (also a guest's /proc/self/mounts, read through its agent).</summary>
    public static IReadOnlyList<MountEntry> Parse(IEnumerable<string> lines)
    {
        var list = new List<MountEntry>();
        foreach (var line in lines)
        {
            var f = line.Split(' ');
            if (f.Length >= 4)
            {
                list.Add(new MountEntry(Unescape(f[0]), Unescape(f[1]), f[2], f[3]));
            }
        }
        return list;
    }

    /// <summary>
    /// The mount a path lives on: the last entry (the one on top) whose mount point is the path or one
    /// of its parents. The path should be resolved (no symlinks) first.
    /// </summary>
    public static MountEntry? Containing(IReadOnlyList<MountEntry> mounts, string path)
    {
        MountEntry? best = null;
        foreach (var m in mounts)
        {
            bool under = m.MountPoint == "/" || path == m.MountPoint || path.StartsWith(m.MountPoint + "/", StringComparison.Ordinal);
            if (under && (best is null || m.MountPoint.Length >= best.MountPoint.Length))
            {
                best = m;
            }
        }
        return best;
    }

    /// <summary>/proc/mounts writes space, tab, newline and backslash as \ooo octal.</summary>
    internal static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(string s, int start)
    {
        if (start + 3 > s.Length)
        {
            return false;
        }
        for (int i = start; i < start + 3; i++)
        {
            if (s[i] < '0' || s[i] > '7')
            {
                return false;
            }
        }
        return true;
    }
}
