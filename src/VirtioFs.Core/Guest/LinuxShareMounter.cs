// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Guest;

/// <summary>
/// Mounts, persists, reads back and dismounts virtio-fs shares in a Linux guest through its agent. Everything
/// is checked first (kernel support, what is mounted at the mount point, whether it is a directory, the fstab
/// entry or unit already there); the changes are then one <see cref="GuestPlan"/> the caller approves, and
/// the result is read back from the guest's /proc/self/mounts and /etc/fstab, never assumed.
/// </summary>
internal static class LinuxShareMounter
{
    /// <summary>How long a failing mount is retried: a just hot-plugged device reaches the guest within about a second.</summary>
    public static readonly TimeSpan HotPlugGrace = TimeSpan.FromSeconds(5);

    /// <summary>Mounts one share; null when <paramref name="approve"/> declined (-WhatIf).</summary>
    public static VirtioFsGuestMountState? Mount(LinuxGuest guest, GuestMountRequest request, Func<string, bool> approve, CancellationToken ct)
    {
        var session = guest.Session;
        var recipe = GuestMountBuilder.Build(request.Tag, request.MountPoint, request.ReadOnly, request.Options, 'Z');
        string tag = recipe.Tag, mp = recipe.MountPoint;
        var support = guest.Support();
        if (!support.Available)
        {
            throw guest.Unsupported(support);
        }

        var mounts = guest.Mounts();
        var top = mounts.LastOrDefault(m => m.MountPoint == mp);
        bool mounted = false;
        if (top is not null)
        {
            if (top.FileSystemType != "virtiofs" || top.Source != tag)
            {
                throw InUse(guest, mp, $"{top.FileSystemType} {top.Source} is mounted there");
            }
            if (top.HasOption("ro") != request.ReadOnly)
            {
                throw InUse(guest, mp, $"'{tag}' is mounted there {(top.HasOption("ro") ? "read-only" : "read-write")} ({top.Options})");
            }
            mounted = true;
        }

        var ancestry = LinuxGuest.Ancestry(mp);
        var stat = guest.Stat([.. ancestry, LinuxGuest.FstabPath]);
        var missing = new List<string>();
        foreach (string dir in ancestry)
        {
            if (stat.TryGetValue(dir, out var kind))
            {
                if (kind.Type != "directory")
                {
                    throw new VirtioFsException(ErrorIds.GuestMountPointNotDirectory, VirtioFsErrorKind.InvalidArgument,
                        $"{(dir == mp ? "The mount point" : "A parent of the mount point")} {dir} is a {kind.Type} in the guest of {guest.Agent.Label}, not a directory. Nothing was changed.",
                        mp, $"Choose another mount point, or remove or rename {dir} in the guest first.");
                }
            }
            else
            {
                missing.Add(dir);
            }
        }

        var plan = new GuestPlan();
        if (!mounted)
        {
            if (missing.Count > 0)
            {
                string[] mkdir = ["mkdir", "-p", mp];
                plan.Add(Show(mkdir), () => guest.RunChecked(mkdir),
                    () => guest.RunChecked(["rmdir", .. Enumerable.Reverse(missing)]));
            }
            if (!support.Loaded)
            {
                string[] modprobe = ["modprobe", "virtiofs"];
                plan.Add(Show(modprobe), () => guest.RunChecked(modprobe, ErrorIds.GuestVirtioFsUnsupported));
            }
            string[] mount = ["mount", "-t", "virtiofs", .. (recipe.Options == "defaults" ? Array.Empty<string>() : ["-o", recipe.Options]), tag, mp];
            plan.Add(Show(mount), () => MountWithGrace(guest, mount, tag, mp, ct), () => guest.RunChecked(["umount", mp], ErrorIds.GuestUnmountFailed));
        }

        string fstabMode = stat.TryGetValue(LinuxGuest.FstabPath, out var f) ? f.Mode : "644";
        bool systemd = guest.RunsSystemd();
        string? fstab = guest.Agent.ReadText(LinuxGuest.FstabPath);
        string unitPath = LinuxGuest.UnitPath(mp);
        if (request.Persist)
        {
            if (systemd)
            {
                PlanUnit(guest, plan, recipe, unitPath, fstab, fstabMode, request.Force);
            }
            else
            {
                var change = Fstab.Add(fstab, recipe.FstabLine, request.Force);
                if (change.Conflicts.Count > 0)
                {
                    throw FstabConflict(guest, mp, LinuxGuest.FstabPath, change.Conflicts.Select(c => c.Text.Trim()), recipe.FstabLine);
                }
                if (change.NewText is { } text)
                {
                    string what = change.Replaced.Count > 0
                        ? $"{LinuxGuest.FstabPath}: replace '{change.Replaced[0].Text.Trim()}' with '{recipe.FstabLine}'"
                        : $"{LinuxGuest.FstabPath}: add '{recipe.FstabLine}'";
                    plan.Add(what, () => guest.ReplaceFile(LinuxGuest.FstabPath, text, fstabMode));
                }
            }
        }

        IReadOnlyList<string> changes = [];
        if (plan.Count > 0)
        {
            if (!approve(plan.Describe($"Mount virtio-fs share '{tag}' on {mp} in the guest of {guest.Agent.Label}")))
            {
                return null;
            }
            changes = plan.Execute();
        }

        var state = Read(guest, tag, mp, systemd);
        if (!state.Mounted)
        {
            throw new VirtioFsException(ErrorIds.GuestMountFailed, VirtioFsErrorKind.InvalidResult,
                $"mount reported success, but the guest of {guest.Agent.Label} does not list '{tag}' on {mp} in /proc/self/mounts.", mp,
                "Look at the guest (dmesg, /proc/self/mounts): something unmounted it at once.");
        }
        if (request.Persist && !state.Persistent)
        {
            throw new VirtioFsException(ErrorIds.GuestCommandFailed, VirtioFsErrorKind.InvalidResult,
                $"The guest of {guest.Agent.Label} does not show the persistent entry for {mp} after it was written.", mp,
                $"Read {(systemd ? unitPath : LinuxGuest.FstabPath)} in the guest.");
        }
        state.Changes = changes;
        return state;
    }

    /// <summary>systemd guests get the .mount unit Get-VirtioFsGuestMount prints, enabled; an fstab entry for the same mount point is a conflict.</summary>
    private static void PlanUnit(LinuxGuest guest, GuestPlan plan, VirtioFsGuestMount recipe, string unitPath, string? fstab, string fstabMode, bool force)
    {
        var fstabSame = Fstab.Parse(fstab).Where(e => e.File == recipe.MountPoint).ToList();
        string? unit = guest.Agent.ReadText(unitPath);
        var conflicts = new List<string>();
        if (unit is not null && unit != recipe.SystemdUnit)
        {
            conflicts.Add($"{unitPath} (another unit for {recipe.MountPoint})");
        }
        conflicts.AddRange(fstabSame.Select(e => $"{LinuxGuest.FstabPath}: {e.Text.Trim()}"));
        if (conflicts.Count > 0 && !force)
        {
            throw FstabConflict(guest, recipe.MountPoint, unitPath, conflicts, recipe.SystemdUnitName);
        }
        if (fstabSame.Count > 0)
        {
            var (text, removed) = Fstab.Remove(fstab, e => e.File == recipe.MountPoint);
            plan.Add($"{LinuxGuest.FstabPath}: remove '{string.Join("', '", removed.Select(r => r.Text.Trim()))}' (the unit replaces it)",
                () => guest.ReplaceFile(LinuxGuest.FstabPath, text!, fstabMode));
        }
        if (unit != recipe.SystemdUnit)
        {
            plan.Add($"write {unitPath}", () => guest.ReplaceFile(unitPath, recipe.SystemdUnit, "644"),
                () => guest.RunChecked(["rm", "-f", unitPath]));
            string[] reload = ["systemctl", "daemon-reload"];
            plan.Add(Show(reload), () => guest.RunChecked(reload));
        }
        string[] enable = ["systemctl", "enable", recipe.SystemdUnitName];
        var enabled = guest.Run(["systemctl", "is-enabled", recipe.SystemdUnitName]);
        if (unit != recipe.SystemdUnit || enabled.StdOut.Trim() != "enabled")
        {
            plan.Add(Show(enable), () => guest.RunChecked(enable));
        }
    }

    /// <summary>mount, retried for a few seconds while it fails: a share hot-plugged a moment ago may not have reached the guest yet.</summary>
    private static void MountWithGrace(LinuxGuest guest, string[] argv, string tag, string mp, CancellationToken ct)
    {
        var until = DateTime.UtcNow + HotPlugGrace;
        while (true)
        {
            var r = guest.Run(argv);
            if (r.Succeeded)
            {
                return;
            }
            if (DateTime.UtcNow >= until)
            {
                string hint = r.Explanation.Contains("Invalid argument", StringComparison.Ordinal) || r.ExitCode == 32
                    ? $" The guest kernel refuses the tag or an option: its log (dmesg) says \"virtio-fs: tag <{tag}> not found\" when the device is missing, or names the option it does not know."
                    : string.Empty;
                throw new VirtioFsException(ErrorIds.GuestMountFailed, VirtioFsErrorKind.InvalidOperation,
                    $"'{Show(argv)}' failed in the guest of {guest.Agent.Label} (exit code {r.ExitCode?.ToString() ?? "none"}): {r.Explanation}.{hint}", mp,
                    "Read the guest's message above; check the options (-Options, -ReadOnly) and that the share's virtiofsd runs (Test-VirtioFsDomain).");
            }
            if (ct.WaitHandle.WaitOne(500))
            {
                ct.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>Unmounts virtio-fs shares; with Persist also removes their fstab lines or units. Null when declined.</summary>
    public static IReadOnlyList<VirtioFsGuestMountState>? Dismount(LinuxGuest guest, GuestDismountRequest request, Func<string, bool> approve)
    {
        string? mp = request.MountPoint is { Length: > 1 } m ? m.TrimEnd('/') : request.MountPoint;
        var mounts = guest.Mounts();
        var targets = mounts.Where(x => x.FileSystemType == "virtiofs" && (mp is null || x.MountPoint == mp) && (request.Tag is null || x.Source == request.Tag)).ToList();
        if (mp is not null && targets.Count == 0 && mounts.LastOrDefault(x => x.MountPoint == mp) is { } other)
        {
            throw InUse(guest, mp, $"{other.FileSystemType} {other.Source} is mounted there, not a virtio-fs share; it is left alone");
        }
        bool systemd = guest.RunsSystemd();
        string? fstab = guest.Agent.ReadText(LinuxGuest.FstabPath);
        var plan = new GuestPlan();
        // Mounted on top of each other: the last one in /proc/self/mounts first.
        foreach (var t in Enumerable.Reverse(targets))
        {
            string[] umount = ["umount", t.MountPoint];
            plan.Add(Show(umount), () => guest.RunChecked(umount, ErrorIds.GuestUnmountFailed));
        }
        var places = targets.Select(t => (t.Source, t.MountPoint)).ToList();
        if (request.Persist)
        {
            bool Match(FstabEntry e) => e.Type == "virtiofs" && (mp is null || e.File == mp) && (request.Tag is null || e.Spec == request.Tag);
            var (text, removed) = Fstab.Remove(fstab, Match);
            if (text is not null)
            {
                string mode = guest.Stat([LinuxGuest.FstabPath]).TryGetValue(LinuxGuest.FstabPath, out var k) ? k.Mode : "644";
                plan.Add($"{LinuxGuest.FstabPath}: remove '{string.Join("', '", removed.Select(r => r.Text.Trim()))}'",
                    () => guest.ReplaceFile(LinuxGuest.FstabPath, text, mode));
                places.AddRange(removed.Select(r => (r.Spec, r.File)));
            }
            if (systemd)
            {
                var candidates = places.Select(p => p.Item2).Append(mp).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                bool reload = false;
                foreach (string where in candidates)
                {
                    string name = LinuxGuest.UnitName(where);
                    string path = LinuxGuest.UnitPath(where);
                    // Only a virtiofs unit is a share's to remove; another type at the same mount point is left alone.
                    string? what = LinuxGuest.VirtioFsUnitTag(guest.Agent.ReadText(path));
                    if (what is null || (request.Tag is not null && what != request.Tag))
                    {
                        continue;
                    }
                    string[] disable = ["systemctl", "disable", name];
                    plan.Add(Show(disable), () => guest.RunChecked(disable));
                    string[] rm = ["rm", "-f", path];
                    plan.Add(Show(rm), () => guest.RunChecked(rm));
                    places.Add((what, where));
                    reload = true;
                }
                if (reload)
                {
                    string[] daemonReload = ["systemctl", "daemon-reload"];
                    plan.Add(Show(daemonReload), () => guest.RunChecked(daemonReload));
                }
            }
        }
        if (plan.Count == 0)
        {
            return [];
        }
        string what2 = request.Tag is null ? $"the virtio-fs share on {mp}" : mp is null ? $"virtio-fs share '{request.Tag}'" : $"virtio-fs share '{request.Tag}' on {mp}";
        if (!approve(plan.Describe($"Dismount {what2} in the guest of {guest.Agent.Label}")))
        {
            return null;
        }
        var changes = plan.Execute();
        var after = guest.Mounts();
        var results = new List<VirtioFsGuestMountState>();
        foreach (var (tag, where) in places.Distinct())
        {
            if (after.Any(x => x.FileSystemType == "virtiofs" && x.MountPoint == where && x.Source == tag))
            {
                throw new VirtioFsException(ErrorIds.GuestUnmountFailed, VirtioFsErrorKind.InvalidResult,
                    $"umount reported success, but the guest of {guest.Agent.Label} still lists '{tag}' on {where}.", where,
                    "It was mounted more than once there; run Dismount-VirtioFsShare again.");
            }
            var state = Read(guest, tag, where, systemd, after);
            state.Changes = changes;
            results.Add(state);
        }
        return results;
    }

    /// <summary>What the guest has: every virtio-fs mount, every share of the domain not mounted, every fstab line or unit of one.</summary>
    public static IReadOnlyList<VirtioFsGuestMountState> Live(LinuxGuest guest)
    {
        var mounts = guest.Mounts();
        bool systemd = guest.RunsSystemd();
        var fstab = Fstab.Parse(guest.Agent.ReadText(LinuxGuest.FstabPath)).Where(e => e.Type == "virtiofs").ToList();
        var results = new List<VirtioFsGuestMountState>();
        foreach (var m in mounts.Where(m => m.FileSystemType == "virtiofs"))
        {
            results.Add(Read(guest, m.Source, m.MountPoint, systemd, mounts, fstab));
        }
        foreach (var e in fstab.Where(e => !results.Any(r => r.Tag == e.Spec && r.MountPoint == e.File)))
        {
            results.Add(Read(guest, e.Spec, e.File, systemd, mounts, fstab));
        }
        foreach (string tag in guest.Session.LiveTags.Where(t => !results.Any(r => r.Tag == t)))
        {
            var state = guest.Session.NewState(tag);
            results.Add(state);
        }
        return results;
    }

    /// <summary>The state of one tag on one mount point, read from the guest.</summary>
    private static VirtioFsGuestMountState Read(LinuxGuest guest, string tag, string mp, bool systemd,
        IReadOnlyList<MountEntry>? mounts = null, IReadOnlyList<FstabEntry>? fstab = null)
    {
        mounts ??= guest.Mounts();
        fstab ??= Fstab.Parse(guest.Agent.ReadText(LinuxGuest.FstabPath));
        var state = guest.Session.NewState(tag);
        state.MountPoint = mp;
        var m = mounts.LastOrDefault(x => x.FileSystemType == "virtiofs" && x.Source == tag && x.MountPoint == mp);
        state.Mounted = m is not null;
        state.Options = m?.Options;
        state.ReadOnly = m?.HasOption("ro") ?? false;
        if (fstab.Any(e => e.Type == "virtiofs" && e.Spec == tag && e.File == mp))
        {
            state.Persistent = true;
            state.PersistedIn = LinuxGuest.FstabPath;
        }
        else if (systemd)
        {
            // The same test as Dismount's: a unit persists the share only when it mounts virtiofs from this tag.
            string path = LinuxGuest.UnitPath(mp);
            if (LinuxGuest.VirtioFsUnitTag(guest.Agent.ReadText(path)) == tag)
            {
                state.Persistent = true;
                state.PersistedIn = path;
            }
        }
        return state;
    }

    private static string Show(string[] argv) => GuestAgent.Display(argv[0], argv[1..]);

    private static VirtioFsException InUse(LinuxGuest guest, string mp, string what) =>
        new(ErrorIds.GuestMountPointInUse, VirtioFsErrorKind.ResourceExists,
            $"The mount point {mp} in the guest of {guest.Agent.Label} is in use: {what}. Nothing was changed.", mp,
            $"Choose another mount point, or unmount it first (Dismount-VirtioFsShare -Domain {guest.Session.Domain.Name} -MountPoint {mp} for a virtio-fs share).");

    private static VirtioFsException FstabConflict(LinuxGuest guest, string mp, string file, IEnumerable<string> existing, string wanted) =>
        new(ErrorIds.GuestFstabConflict, VirtioFsErrorKind.ResourceExists,
            $"The guest of {guest.Agent.Label} already mounts {mp} differently at boot: {string.Join("; ", existing)}. It was not changed, and nothing was mounted.",
            mp, $"Look at {file} in the guest; add -Force to replace that entry with '{wanted}', or choose another mount point.");
}
