// SPDX-License-Identifier: MIT
using System;
using System.Text.RegularExpressions;

namespace VirtioFs.Daemon;

/// <summary>
/// Group lookups from /etc (under the host root), and the group libvirt runs QEMU as: QEMU must be able to open
/// a self-run daemon's socket, which virtiofsd creates root-only unless given --socket-group.
/// </summary>
internal static partial class HostAccounts
{
    public static bool GroupExists(DaemonHost host, string group)
    {
        if (group.StartsWith('+') || int.TryParse(group, out _))
        {
            return GroupNameById(host, group.TrimStart('+')) is not null;
        }
        foreach (var line in host.Root.ReadLines("/etc/group"))
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
                return g.StartsWith('+') ? GroupNameById(host, g[1..]) ?? g : g;
            }
        }
        foreach (var user in new[] { "libvirt-qemu", "qemu" })
        {
            foreach (var line in host.Root.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 3 && f[0] == user && GroupNameById(host, f[3]) is { } name)
                {
                    return name;
                }
            }
        }
        return GroupExists(host, "kvm") ? "kvm" : null;
    }

    private static string? GroupNameById(DaemonHost host, string gid)
    {
        foreach (var line in host.Root.ReadLines("/etc/group"))
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
