// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using VirtioFs.Daemon;
using VirtioFs.Platform;
using VirtioFs.QemuConfig;

namespace VirtioFs.Doctor;

/// <summary>
/// The account libvirt runs QEMU as: qemu.conf <c>user</c>/<c>group</c>, else libvirt-qemu (Debian) or qemu (Fedora)
/// with its primary group (Debian: kvm), plus its supplementary groups from /etc/group. Used to decide whether QEMU
/// can reach a socket: every parent directory must be searchable and the socket writable for this account.
/// </summary>
internal sealed class QemuAccount
{
    public QemuAccount(string user, uint uid, string group, uint gid, IReadOnlyCollection<uint> groups)
    {
        User = user;
        Uid = uid;
        Group = group;
        Gid = gid;
        Groups = groups;
    }

    public string User { get; }
    public uint Uid { get; }
    public string Group { get; }
    public uint Gid { get; }
    public IReadOnlyCollection<uint> Groups { get; }

    public override string ToString() => $"{User}:{Group}";

    /// <summary>Null when no such account is known (libvirt not installed).</summary>
    public static QemuAccount? Resolve(HostRoot root)
    {
        var host = new DaemonHost { Root = root };
        string? confUser = null;
        string? confGroup = null;
        var conf = host.Root.Path(QemuConfigFile.DefaultPath);
        try
        {
            if (File.Exists(conf))
            {
                var doc = QemuConfigDocument.Parse(File.ReadAllBytes(conf), conf);
                confUser = doc.Find("user")?.Value.Text;
                confGroup = doc.Find("group")?.Value.Text;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Errors.VirtioFsException)
        {
            // unreadable qemu.conf: fall back to the distribution defaults
        }
        var passwd = HostAccounts.Users(root).ToList();
        HostAccounts.PasswdEntry? user;
        if (confUser is not null)
        {
            user = confUser.StartsWith('+')
                ? passwd.FirstOrDefault(u => u.Uid == confUser[1..]) ?? new HostAccounts.PasswdEntry(confUser, confUser[1..], confUser[1..], null)
                : passwd.FirstOrDefault(u => u.Name == confUser);
        }
        else
        {
            user = passwd.FirstOrDefault(u => u.Name == "libvirt-qemu") ?? passwd.FirstOrDefault(u => u.Name == "qemu");
        }
        return user is null ? null : WithGroups(root, user, confGroup ?? HostAccounts.LibvirtQemuGroup(host) ?? user.Gid);
    }

    /// <summary>
    /// The account of a session libvirt, which runs QEMU as its own user (qemu.conf's user/group do not apply);
    /// null when the uid is not in the root's passwd.
    /// </summary>
    public static QemuAccount? OfUser(HostRoot root, uint uid) =>
        HostAccounts.UserById(root, uid) is { } user ? WithGroups(root, user, "+" + user.Gid) : null;

    /// <summary>
    /// <paramref name="user"/> running as <paramref name="groupName"/> (a name, a gid or +gid), with the groups the
    /// kernel checks a file against: that group, the user's primary group and every /etc/group line listing the user.
    /// One routine for the system and the session account, so both read /etc/group the same way.
    /// </summary>
    private static QemuAccount WithGroups(HostRoot root, HostAccounts.PasswdEntry user, string groupName)
    {
        var groupFile = root.ReadLines("/etc/group").Select(l => l.Split(':')).Where(f => f.Length > 2).ToList();
        if (groupName.StartsWith('+'))
        {
            groupName = groupFile.FirstOrDefault(f => f[2] == groupName[1..])?[0] ?? groupName[1..];
        }
        uint primary = uint.Parse(user.Gid, CultureInfo.InvariantCulture);
        var groupEntry = groupFile.FirstOrDefault(f => f[0] == groupName);
        uint gid = groupEntry is not null ? uint.Parse(groupEntry[2], CultureInfo.InvariantCulture)
            : uint.TryParse(groupName, out var g) ? g : primary;
        var groups = new HashSet<uint> { gid, primary };
        foreach (var f in groupFile)
        {
            if (f.Length > 3 && f[3].Split(',').Contains(user.Name))
            {
                groups.Add(uint.Parse(f[2], CultureInfo.InvariantCulture));
            }
        }
        return new QemuAccount(user.Name, uint.Parse(user.Uid, CultureInfo.InvariantCulture), groupName, gid, groups);
    }

    /// <summary>Whether this account has the permission bits (4 read, 2 write, 1 execute) on the file.</summary>
    public bool May(FileStatus f, uint bits)
    {
        if (Uid == 0)
        {
            return true;
        }
        uint shift = f.Uid == Uid ? 6u : Groups.Contains(f.Gid) ? 3u : 0u;
        return ((f.Mode >> (int)shift) & bits) == bits;
    }

    /// <summary>
    /// Walks from / to the socket: the first directory QEMU cannot search, or the socket it cannot write, with the
    /// reason; null when QEMU can connect (as far as permissions go).
    /// </summary>
    public string? BlockerFor(string hostPath, string shownPath)
    {
        var parts = shownPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string realPrefix = hostPath[..^shownPath.Length];
        string current = "";
        for (int i = 0; i < parts.Length - 1; i++)
        {
            current += "/" + parts[i];
            var owner = FileStatus.Of(realPrefix + current);
            if (owner is null)
            {
                return $"directory {current} does not exist";
            }
            if (!May(owner.Value, 1))
            {
                return $"{this} cannot enter {current} ({Describe(owner.Value)})";
            }
        }
        var socket = FileStatus.Of(hostPath);
        if (socket is { } s && !May(s, 2))
        {
            return $"{this} cannot write the socket {shownPath} ({Describe(s)}); connect() needs write permission";
        }
        return null;
    }

    private static string Describe(FileStatus f) =>
        $"mode {Convert.ToString(f.Mode & 0xFFF, 8)}, owner {f.Uid}:{f.Gid}";
}
