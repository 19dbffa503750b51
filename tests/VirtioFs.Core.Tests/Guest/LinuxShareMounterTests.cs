// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Tests.Fakes;
using Xunit;

namespace VirtioFs.Tests.Core.Guest;

public sealed class LinuxShareMounterTests
{
    private readonly List<string> _plans = [];

    private static LinuxGuest Guest(FakeQemuGa ga)
    {
        var session = GuestSession.Open(ga, TimeSpan.FromSeconds(5), CancellationToken.None);
        session.Connect(null);
        return new LinuxGuest(session);
    }

    private VirtioFsGuestMountState? Mount(FakeQemuGa ga, string mp = "/srv/data", bool persist = true, bool force = false, bool ro = false,
        bool approve = true, string[]? options = null) =>
        LinuxShareMounter.Mount(Guest(ga), new GuestMountRequest("data", mp, ro, options ?? [], persist, force),
            plan => { _plans.Add(plan); return approve; }, CancellationToken.None);

    /// <summary>The guest as a snapshot, to prove a refusal changed nothing.</summary>
    private static string Snapshot(FakeQemuGa ga) =>
        string.Join("|", ga.Dirs.OrderBy(d => d, StringComparer.Ordinal)) + "#" +
        string.Join("|", ga.Files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + Convert.ToBase64String(f.Value) + ":" + ga.Modes.GetValueOrDefault(f.Key))) + "#" +
        string.Join("|", ga.Mounts) + "#" + string.Join("|", ga.EnabledUnits) + "#" + ga.VirtiofsLoaded;

    [Fact]
    public void Mounts_persists_and_reads_the_result_back_from_the_guest()
    {
        var ga = new FakeQemuGa();
        ga.Files["/etc/fstab"] = "UUID=1 / ext4 defaults 0 1\n"u8.ToArray();
        var state = Mount(ga)!;
        Assert.True(state.Mounted);
        Assert.Equal("rw,relatime", state.Options);
        Assert.True(state.Persistent);
        Assert.Equal("/etc/fstab", state.PersistedIn);
        Assert.Equal("6.1.0-57-amd64", state.GuestKernel);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", state.GuestOs);
        Assert.True(state.InDomain);
        Assert.Equal(["mkdir -p /srv/data", "mount -t virtiofs data /srv/data", "/etc/fstab: add 'data /srv/data virtiofs defaults,nofail 0 0'"], state.Changes);
        // The line Get-VirtioFsGuestMount gives, written with the old file's mode by a rename.
        Assert.Equal("UUID=1 / ext4 defaults 0 1\n" + GuestMountBuilder.Build("data", "/srv/data", false, null, 'Z').FstabLine + "\n", ga.Text("/etc/fstab"));
        Assert.Equal("644", ga.Modes["/etc/fstab"]);
        Assert.DoesNotContain(ga.Files.Keys, f => f.Contains("virtiofs-new", StringComparison.Ordinal));
        Assert.Contains(ga.Ran, r => r == "mv -f /etc/fstab.virtiofs-new /etc/fstab");
    }

    [Fact]
    public void A_second_run_changes_nothing_and_asks_nothing()
    {
        var ga = new FakeQemuGa();
        Mount(ga);
        string before = Snapshot(ga);
        _plans.Clear();
        var again = Mount(ga)!;
        Assert.Empty(again.Changes);
        Assert.Empty(_plans);
        Assert.True(again.Mounted && again.Persistent);
        Assert.Equal(before, Snapshot(ga));
    }

    [Fact]
    public void WhatIf_lists_every_command_and_changes_nothing()
    {
        var ga = new FakeQemuGa { VirtiofsLoaded = false };
        string before = Snapshot(ga);
        Assert.Null(Mount(ga, options: ["noatime"], ro: true, approve: false));
        Assert.Equal(before, Snapshot(ga));
        Assert.Equal(
            "Mount virtio-fs share 'data' on /srv/data in the guest of domain 'vm1' on qemu:///system:" + Environment.NewLine +
            "  mkdir -p /srv/data" + Environment.NewLine +
            "  modprobe virtiofs" + Environment.NewLine +
            "  mount -t virtiofs -o ro,noatime data /srv/data" + Environment.NewLine +
            "  /etc/fstab: add 'data /srv/data virtiofs defaults,ro,noatime,nofail 0 0'", Assert.Single(_plans));
        // Only reads ran: stat.
        Assert.All(ga.Ran, r => Assert.StartsWith("stat ", r));
    }

    [Fact]
    public void Read_only_and_options_reach_the_guest()
    {
        var ga = new FakeQemuGa();
        var state = Mount(ga, ro: true, options: ["noatime"], persist: false)!;
        Assert.True(state.ReadOnly);
        Assert.Equal("ro,noatime", state.Options);
        Assert.False(state.Persistent);
        Assert.Empty(ga.Files["/etc/fstab"]);
    }

    [Fact]
    public void A_module_that_is_not_loaded_is_loaded_first()
    {
        var ga = new FakeQemuGa { VirtiofsLoaded = false };
        Assert.True(Mount(ga)!.Mounted);
        Assert.Contains("modprobe virtiofs", ga.Ran);
    }

    [Fact]
    public void A_kernel_without_virtiofs_is_refused_before_anything_changes()
    {
        var ga = new FakeQemuGa { VirtiofsLoaded = false, VirtiofsInModulesDep = false };
        string before = Snapshot(ga);
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga));
        Assert.Equal(ErrorIds.GuestVirtioFsUnsupported, e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.NotInstalled, e.Kind);
        Assert.Contains("has no virtiofs file system", e.Message);
        Assert.Contains("/lib/modules/6.1.0-57-amd64/modules.dep", e.Message);
        Assert.Equal(before, Snapshot(ga));
        Assert.Empty(ga.Ran);
    }

    [Fact]
    public void A_kernel_older_than_5_4_is_named_so()
    {
        var ga = new FakeQemuGa { VirtiofsLoaded = false, VirtiofsInModulesDep = false };
        ga.Os = ga.Os.Replace("6.1.0-57-amd64", "4.19.0-27-amd64", StringComparison.Ordinal);
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga));
        Assert.Contains("predates virtio-fs (Linux 5.4)", e.Message);
    }

    [Fact]
    public void A_backport_to_an_older_kernel_is_accepted_when_the_module_is_there()
    {
        var ga = new FakeQemuGa { VirtiofsLoaded = false };
        ga.Os = ga.Os.Replace("6.1.0-57-amd64", "4.18.0-553.el8_10.x86_64", StringComparison.Ordinal);
        Assert.True(Mount(ga, persist: false)!.Mounted);
    }

    [Theory]
    [InlineData("/srv/data")]
    [InlineData("/srv/data/sub")]
    public void A_mount_point_that_is_a_file_is_refused_before_anything_changes(string mp)
    {
        var ga = new FakeQemuGa();
        ga.Files["/srv/data"] = "x"u8.ToArray();
        string before = Snapshot(ga);
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga, mp));
        Assert.Equal(ErrorIds.GuestMountPointNotDirectory, e.ErrorId);
        Assert.Contains("/srv/data is a regular file", e.Message);
        Assert.Equal(before, Snapshot(ga));
    }

    [Fact]
    public void Something_else_on_the_mount_point_is_refused()
    {
        var ga = new FakeQemuGa();
        ga.Dirs.Add("/srv/data");
        ga.Mounts.Add(("tmpfs", "/srv/data", "tmpfs", "rw"));
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga));
        Assert.Equal(ErrorIds.GuestMountPointInUse, e.ErrorId);
        Assert.Contains("tmpfs tmpfs is mounted there", e.Message);
    }

    [Fact]
    public void The_same_share_mounted_with_another_read_only_setting_is_refused()
    {
        var ga = new FakeQemuGa();
        Mount(ga, persist: false);
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga, ro: true, persist: false));
        Assert.Equal(ErrorIds.GuestMountPointInUse, e.ErrorId);
        Assert.Contains("read-write", e.Message);
    }

    [Fact]
    public void A_conflicting_fstab_entry_is_refused_unless_forced()
    {
        var ga = new FakeQemuGa();
        ga.Files["/etc/fstab"] = "data /srv/data virtiofs defaults,ro,nofail 0 0\n"u8.ToArray();
        string before = Snapshot(ga);
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga));
        Assert.Equal(ErrorIds.GuestFstabConflict, e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.ResourceExists, e.Kind);
        Assert.Contains("defaults,ro,nofail", e.Message);
        Assert.Contains("-Force", e.RecommendedAction);
        Assert.Equal(before, Snapshot(ga));
        var forced = Mount(ga, force: true)!;
        Assert.Equal("data /srv/data virtiofs defaults,nofail 0 0\n", ga.Text("/etc/fstab"));
        Assert.Contains(forced.Changes, c => c.StartsWith("/etc/fstab: replace 'data /srv/data virtiofs defaults,ro,nofail 0 0'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failing_mount_shows_the_guests_stderr_and_takes_back_the_new_directory()
    {
        var ga = new FakeQemuGa { MountAlwaysFails = "Operation not permitted" };
        string before = Snapshot(ga);
        var e = Assert.Throws<VirtioFsException>(() => Mount(ga, "/srv/new/data"));
        Assert.Equal(ErrorIds.GuestMountFailed, e.ErrorId);
        Assert.Contains("mount: mounting data on /srv/new/data failed: Operation not permitted", e.Message);
        Assert.Contains("Undone in the guest: mkdir -p /srv/new/data", e.Message);
        Assert.Equal(before, Snapshot(ga));
        Assert.Contains("rmdir /srv/new/data /srv/new", ga.Ran);
    }

    [Fact]
    public void A_share_still_arriving_is_retried()
    {
        var ga = new FakeQemuGa { MountFailures = 2 };
        Assert.True(Mount(ga, persist: false)!.Mounted);
        Assert.Equal(3, ga.Ran.Count(r => r.StartsWith("mount ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_tag_the_running_guest_lacks_is_refused_with_what_it_has()
    {
        var ga = new FakeQemuGa();
        ga.DefinedTags.Add("later");
        var session = GuestSession.Open(ga, TimeSpan.FromSeconds(5), CancellationToken.None);
        var defined = Assert.Throws<VirtioFsException>(() => session.RequireTag("later"));
        Assert.Equal(ErrorIds.GuestTagNotFound, defined.ErrorId);
        Assert.Contains("in the definition", defined.Message);
        var none = Assert.Throws<VirtioFsException>(() => session.RequireTag("nope"));
        Assert.Contains("has no virtio-fs share with the tag 'nope'; the running guest has: data", none.Message);
        Assert.Empty(ga.Sent);
    }

    [Fact]
    public void A_systemd_guest_gets_the_unit_enabled_and_a_second_run_changes_nothing()
    {
        var ga = new FakeQemuGa { Systemd = true };
        ga.Dirs.Add("/etc/systemd/system");
        var state = Mount(ga)!;
        var recipe = GuestMountBuilder.Build("data", "/srv/data", false, null, 'Z');
        Assert.Equal(recipe.SystemdUnit, ga.Text("/etc/systemd/system/srv-data.mount"));
        Assert.Equal("644", ga.Modes["/etc/systemd/system/srv-data.mount"]);
        Assert.Contains("srv-data.mount", ga.EnabledUnits);
        Assert.Equal("/etc/systemd/system/srv-data.mount", state.PersistedIn);
        Assert.Equal(["mkdir -p /srv/data", "mount -t virtiofs data /srv/data", "write /etc/systemd/system/srv-data.mount", "systemctl daemon-reload", "systemctl enable srv-data.mount"], state.Changes);
        Assert.Empty(ga.Files["/etc/fstab"]);
        Assert.Empty(Mount(ga)!.Changes);
    }

    [Fact]
    public void A_systemd_guest_with_an_fstab_entry_for_the_mount_point_is_a_conflict()
    {
        var ga = new FakeQemuGa { Systemd = true };
        ga.Dirs.Add("/etc/systemd/system");
        ga.Files["/etc/fstab"] = "data /srv/data virtiofs defaults,nofail 0 0\n"u8.ToArray();
        Assert.Equal(ErrorIds.GuestFstabConflict, Assert.Throws<VirtioFsException>(() => Mount(ga)).ErrorId);
        Mount(ga, force: true);
        Assert.Empty(ga.Files["/etc/fstab"]);
        Assert.True(ga.Files.ContainsKey("/etc/systemd/system/srv-data.mount"));
    }

    [Fact]
    public void Dismount_with_persist_leaves_no_mount_and_no_line()
    {
        var ga = new FakeQemuGa();
        Mount(ga);
        var states = LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest("data", null, true), p => { _plans.Add(p); return true; })!;
        var state = Assert.Single(states);
        Assert.False(state.Mounted);
        Assert.False(state.Persistent);
        Assert.Equal(["umount /srv/data", "/etc/fstab: remove 'data /srv/data virtiofs defaults,nofail 0 0'"], state.Changes);
        Assert.Empty(ga.Files["/etc/fstab"]);
        Assert.DoesNotContain(ga.Mounts, m => m.Type == "virtiofs");
        Assert.Empty(LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest("data", null, true), _ => true)!);
    }

    [Fact]
    public void Dismount_on_a_systemd_guest_removes_the_unit()
    {
        var ga = new FakeQemuGa { Systemd = true };
        ga.Dirs.Add("/etc/systemd/system");
        Mount(ga);
        var state = Assert.Single(LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest(null, "/srv/data", true), _ => true)!);
        Assert.Equal(["umount /srv/data", "systemctl disable srv-data.mount", "rm -f /etc/systemd/system/srv-data.mount", "systemctl daemon-reload"], state.Changes);
        Assert.False(ga.Files.ContainsKey("/etc/systemd/system/srv-data.mount"));
        Assert.Empty(ga.EnabledUnits);
    }

    [Fact]
    public void A_share_in_use_stays_mounted_and_says_why()
    {
        var ga = new FakeQemuGa();
        Mount(ga);
        ga.BusyMountPoints.Add("/srv/data");
        string before = Snapshot(ga);
        var e = Assert.Throws<VirtioFsException>(() => LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest("data", null, true), _ => true));
        Assert.Equal(ErrorIds.GuestUnmountFailed, e.ErrorId);
        Assert.Contains("Device or resource busy", e.Message);
        Assert.Equal(before, Snapshot(ga));
    }

    [Fact]
    public void Dismount_leaves_other_file_systems_alone()
    {
        var ga = new FakeQemuGa();
        ga.Mounts.Add(("tmpfs", "/srv/data", "tmpfs", "rw"));
        var e = Assert.Throws<VirtioFsException>(() => LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest(null, "/srv/data", false), _ => true));
        Assert.Equal(ErrorIds.GuestMountPointInUse, e.ErrorId);
    }

    [Fact]
    public void Live_shows_mounts_unmounted_shares_and_orphaned_lines()
    {
        var ga = new FakeQemuGa();
        ga.LiveTags.Add("logs");
        ga.Mounts.Add(("data", "/srv/data", "virtiofs", "rw,relatime"));
        ga.Mounts.Add(("gone", "/mnt/gone", "virtiofs", "ro,relatime"));
        ga.Files["/etc/fstab"] = "data /srv/data virtiofs defaults,nofail 0 0\nold /mnt/old virtiofs defaults,nofail 0 0\n"u8.ToArray();
        var live = LinuxShareMounter.Live(Guest(ga)).ToDictionary(s => s.Tag);
        Assert.Equal(["data", "gone", "logs", "old"], live.Keys.Order(StringComparer.Ordinal));
        Assert.True(live["data"].Mounted && live["data"].Persistent && live["data"].InDomain);
        Assert.True(live["gone"].Mounted && live["gone"].ReadOnly && !live["gone"].InDomain);
        Assert.False(live["logs"].Mounted);
        Assert.Null(live["logs"].MountPoint);
        Assert.True(live["logs"].InDomain);
        Assert.True(!live["old"].Mounted && live["old"].Persistent && live["old"].MountPoint == "/mnt/old");
    }

    [Fact]
    public void A_unit_of_another_type_at_the_mount_point_does_not_persist_the_share()
    {
        // What=data alone once counted as persisted; the unit must also mount virtiofs, as Dismount requires.
        var ga = new FakeQemuGa { Systemd = true };
        ga.Dirs.Add("/etc/systemd/system");
        ga.Mounts.Add(("data", "/srv/data", "virtiofs", "rw,relatime"));
        ga.Files["/etc/systemd/system/srv-data.mount"] = "[Mount]\nWhat=data\nWhere=/srv/data\nType=tmpfs\n"u8.ToArray();
        var state = Assert.Single(LinuxShareMounter.Live(Guest(ga)), s => s.Tag == "data");
        Assert.True(state.Mounted);
        Assert.False(state.Persistent);
        Assert.Null(state.PersistedIn);
    }

    [Fact]
    public void Dismount_leaves_a_unit_of_another_type_alone()
    {
        var ga = new FakeQemuGa { Systemd = true };
        ga.Dirs.Add("/etc/systemd/system");
        ga.Mounts.Add(("data", "/srv/data", "virtiofs", "rw,relatime"));
        byte[] unit = "[Mount]\nWhat=data\nWhere=/srv/data\nType=tmpfs\n"u8.ToArray();
        ga.Files["/etc/systemd/system/srv-data.mount"] = unit;
        var state = Assert.Single(LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest(null, "/srv/data", true), _ => true)!);
        Assert.Equal(["umount /srv/data"], state.Changes);
        Assert.Equal(unit, ga.Files["/etc/systemd/system/srv-data.mount"]);
    }

    [Theory]
    [InlineData("[Mount]\nWhat=data\nType=virtiofs\n", "data")]
    [InlineData("[Unit]\nDescription=x\n\n[Mount]\n  What = data \r\nType= virtiofs\r\n", "data")]
    [InlineData("[Mount]\nWhat=old\nWhat=data\nType=virtiofs\n", "data")]
    [InlineData("[Mount]\nWhat=data\nType=tmpfs\n", null)]
    [InlineData("[Mount]\nWhat=data\n# Type=virtiofs\n", null)]
    [InlineData("[Unit]\nWhat=data\nType=virtiofs\n", null)]
    [InlineData("[Mount]\nType=virtiofs\n", null)]
    public void A_unit_names_its_tag_only_when_it_mounts_virtiofs(string unit, string? tag) =>
        Assert.Equal(tag, LinuxGuest.VirtioFsUnitTag(unit));

    [Fact]
    public void The_unit_path_is_named_after_the_mount_point()
    {
        Assert.Equal("/etc/systemd/system/srv-my\\x20data.mount", LinuxGuest.UnitPath("/srv/my data"));
        Assert.Equal(GuestMountBuilder.Build("data", "/srv/data", false, null, 'Z').SystemdUnitName, LinuxGuest.UnitName("/srv/data"));
    }

    [Fact]
    public void A_failed_command_names_itself_its_exit_code_and_what_it_printed()
    {
        var ga = new FakeQemuGa();
        Mount(ga);
        ga.BusyMountPoints.Add("/srv/data");
        var e = Assert.Throws<VirtioFsException>(() => LinuxShareMounter.Dismount(Guest(ga), new GuestDismountRequest("data", null, false), _ => true));
        Assert.Equal(ErrorIds.GuestUnmountFailed, e.ErrorId);
        Assert.StartsWith("'umount /srv/data' failed in the guest of ", e.Message);
        Assert.EndsWith(" (exit code 1): umount: can't unmount /srv/data: Device or resource busy", e.Message);
    }
}
