// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>
/// User and group lookups from /etc (under the host root), and the group libvirt runs QEMU as: QEMU must be able to open
/// a self-run daemon's socket, which virtiofsd creates root-only unless given --socket-group.
/// </summary>
internal static partial class HostAccounts
{
    /// <summary>One /etc/passwd line: its name, uid and primary gid as written, and its home (null when the line has none).</summary>
    public sealed record PasswdEntry(string Name, string Uid, string Gid, string? Home);

    /// <summary>The lines of /etc/passwd that name at least a user, uid and gid, in file order.</summary>
    public static IEnumerable<PasswdEntry> Users(HostRoot root) =>
        root.ReadLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 3)
            .Select(f => new PasswdEntry(f[0], f[2], f[3], f.Length > 5 ? f[5] : null));

    /// <summary>The first passwd entry with this uid (as getpwuid finds it); null when there is none.</summary>
    public static PasswdEntry? UserById(HostRoot root, uint uid)
    {
        string id = uid.ToString(CultureInfo.InvariantCulture);
        return Users(root).FirstOrDefault(u => u.Uid == id);
    }

    public static bool GroupExists(DaemonHost host, string group) => GroupExists(host.Root, group);

    /// <summary>Whether /etc/group under <paramref name="root"/> has this group (a name, a gid or +gid).</summary>
    public static bool GroupExists(HostRoot root, string group)
    {
        if (group.StartsWith('+') || int.TryParse(group, out _))
        {
            return GroupNameById(root, group.TrimStart('+')) is not null;
        }
        foreach (var line in root.ReadLines("/etc/group"))
        {
            if (line.Split(':')[0] == group)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// null when libvirt is not installed (no /etc/libvirt/qemu.conf). Else qemu.conf's <c>group = "..."</c>;
    /// else the primary group of the <c>libvirt-qemu</c> user (Debian: kvm) or <c>qemu</c> (Fedora);
    /// else libvirt's built-in default 'kvm'... only if such a group exists.
    /// </summary>
    public static string? LibvirtQemuGroup(DaemonHost host)
    {
        if (!host.Root.FileExists("/etc/libvirt/qemu.conf"))
        {
            return null;
        }
        foreach (var line in host.Root.ReadLines("/etc/libvirt/qemu.conf"))
        {
            var m = GroupSettingRegex().Match(line);
            if (m.Success)
            {
                var g = m.Groups[1].Value;
                return g.StartsWith('+') ? GroupNameById(host.Root, g[1..]) ?? g : g;
            }
        }
        foreach (var user in new[] { "libvirt-qemu", "qemu" })
        {
            foreach (var line in host.Root.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 3 && f[0] == user && GroupNameById(host.Root, f[3]) is { } name)
                {
                    return name;
                }
            }
        }
        return GroupExists(host, "kvm") ? "kvm" : null;
    }

    private static string? GroupNameById(HostRoot root, string gid)
    {
        foreach (var line in root.ReadLines("/etc/group"))
        {
            var f = line.Split(':');
            if (f.Length > 2 && f[2] == gid)
            {
                return f[0];
            }
        }
        return null;
    }

    [GeneratedRegex(@"^\s*group\s*=\s*""([^""]+)""")]
    private static partial Regex GroupSettingRegex();
}
