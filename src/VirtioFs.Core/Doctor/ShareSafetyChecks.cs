// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VirtioFs.Domain;
using VirtioFs.Platform;

namespace VirtioFs.Doctor;

/// <summary>
/// What a share exposes of the host to the guest's root. SharedDirectory fails a share of a system
/// directory (the rule New-VirtioFsShare enforces). HostExposure warns when the guest's root could
/// plant a setuid-root binary or a device node in the host's tree: the daemon runs as root, so that is
/// possible unless the source's file system is mounted nosuid,nodev, guest root is mapped to another
/// user, or the share is read-only.
/// </summary>
internal static class ShareSafetyChecks
{
    public static void Run(VirtioFsShare share, DomainCheckInput input, CheckList list, string target)
    {
        string? dir = share.Source ?? DaemonOf(share, input)?.SharedDirectory;
        if (dir is null)
        {
            list.Skip("SharedDirectory", "The directory behind the socket is unknown (its daemon is not running here).", share.SocketPath, target);
            return;
        }
        if (SharedDirectoryGuard.Problem(dir, input.CheckHostPaths) is { } problem)
        {
            list.Fail("SharedDirectory", $"The share exposes {problem}: virtiofsd runs as root, so the guest's root can read and change it (/etc/shadow, other guests' disks).",
                $"Share a directory of its own instead: Set-VirtioFsShare -Tag '{MountTag.Printable(share.Tag)}' -Source /srv/<name>. See Get-Help about_VirtioFs_Security.", dir, target);
            return;
        }
        list.Pass("SharedDirectory", $"{dir} is not a system directory and holds no libvirt or VirtioFs state.", dir, target);
        HostExposure(share, dir, input, list, target);
    }

    private static void HostExposure(VirtioFsShare share, string dir, DomainCheckInput input, CheckList list, string target)
    {
        if (!input.CheckHostPaths)
        {
            list.Skip("HostExposure", "Host checks are off: the source's file system is not looked at.", dir, target);
            return;
        }
        var daemon = DaemonOf(share, input);
        if (share.SocketPath is not null && daemon is null)
        {
            list.Skip("HostExposure", "The daemon behind the socket is not running here, so its ID mapping is unknown.", share.SocketPath, target);
            return;
        }
        string real = input.Host.HostPathOf(PathResolver.Resolve(input.Host.Path(dir)));
        var mount = MountTable.Containing(MountTable.Read(input.Host), real);
        bool nosuidNodev = mount is not null && mount.HasOption("nosuid") && mount.HasOption("nodev");
        bool readOnly = share.ReadOnly || mount?.HasOption("ro") == true || daemon?.Arguments.Contains("--readonly") == true;
        bool rootMapped = share.SocketPath is null ? MapsGuestRoot(share.UidMap) : TranslatesGuestRoot(daemon!.Arguments);
        string evidence = $"{dir} on {mount?.MountPoint ?? "?"} ({mount?.FileSystemType ?? "?"}, {mount?.Options ?? "?"}); " +
            $"guest root mapped: {(rootMapped ? "yes" : "no")}; read-only: {(readOnly ? "yes" : "no")}";
        if (nosuidNodev || readOnly || rootMapped)
        {
            string why = nosuidNodev ? $"{mount!.MountPoint} is mounted nosuid,nodev" : readOnly ? "the share is read-only" : "the guest's root is mapped to another user";
            list.Pass("HostExposure", $"The guest cannot plant setuid binaries or device nodes on the host: {why}.", evidence, target);
            return;
        }
        list.Warn("HostExposure",
            $"The guest's root acts as root in {dir}: it can create setuid-root binaries and device nodes there, which a host user or service might run or open, and set security.* extended attributes.",
            $"Close at least one door: (1) mount the source nosuid,nodev (mount --bind {dir} {dir}; mount -o remount,bind,nosuid,nodev {dir}, and the same in /etc/fstab); " +
            $"(2) map the guest's root to an unprivileged user (<idmap> on qemu:///session, or Start-VirtioFsDaemon -TranslateUid 'squash-guest:0:65534:4294967295' -TranslateGid 'squash-guest:0:65534:4294967295' ... | New-VirtioFsShare); " +
            $"(3) make the share read-only (Set-VirtioFsShare -Tag '{MountTag.Printable(share.Tag)}' -ReadOnly, libvirt 11.0+; or Start-VirtioFsDaemon -ReadOnly). " +
            "With xattrs on, also keep security.* to the guest: Start-VirtioFsDaemon -XattrMap ':prefix:all:security.:user.virtiofs.security.::bad:all:::'. See Get-Help about_VirtioFs_Security.",
            evidence, target);
    }

    private static VirtioFsDaemon? DaemonOf(VirtioFsShare share, DomainCheckInput input) =>
        share.SocketPath is { } socket ? input.Daemons?.FirstOrDefault(d => d.SocketPath == socket && d.State == VirtioFsDaemonState.Running) : null;

    /// <summary>An &lt;idmap&gt; uid range that takes guest uid 0 to a host uid other than 0.</summary>
    private static bool MapsGuestRoot(IReadOnlyList<VirtioFsIdMapEntry> map) =>
        map.Any(e => e.Start == 0 && e.Count > 0 && e.Target != 0);

    /// <summary>A --translate-uid rule of the Rust daemon that covers guest uid 0 and does not keep it root.</summary>
    internal static bool TranslatesGuestRoot(IReadOnlyList<string> argv)
    {
        for (int i = 0; i < argv.Count; i++)
        {
            string? rule = argv[i] == "--translate-uid" && i + 1 < argv.Count ? argv[i + 1]
                : argv[i].StartsWith("--translate-uid=", StringComparison.Ordinal) ? argv[i]["--translate-uid=".Length..] : null;
            var f = rule?.Split(':');
            if (f is not { Length: 4 } || !uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint from)
                || !uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint to)
                || !ulong.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out ulong count))
            {
                continue;
            }
            // '<type>:<source base>:<target base>:<count>'; guest, squash-guest and map take guest IDs to the host,
            // forbid-guest refuses them; host and squash-host go the other way and leave guest root as it is.
            bool coversGuestRoot = from == 0 && count > 0;
            if (coversGuestRoot && (f[0] == "forbid-guest" || (f[0] is "guest" or "squash-guest" or "map" && to != 0)))
            {
                return true;
            }
        }
        return false;
    }
}
