// SPDX-License-Identifier: MIT
using System.Linq;
using System.Threading;
using VirtioFs.Doctor;
using VirtioFs.Domain;
using VirtioFs.Tests.Fakes;
using Xunit;

namespace VirtioFs.Tests.Core.Doctor;

/// <summary>Test-VirtioFsDomain's guest checks, from what a stand-in agent answers.</summary>
public sealed class GuestAgentCheckTests
{
    private static VirtioFsCheckResult[] Run(FakeQemuGa ga)
    {
        var doc = DomainDocument.Parse(ga.InactiveXml(), "test");
        var list = new CheckList(doc.Name);
        GuestAgentCheck.Run(doc, GuestAgentCheck.Inspect(ga, CancellationToken.None), list);
        return list.Results.ToArray();
    }

    [Fact]
    public void A_healthy_guest_passes_and_an_unmounted_share_is_a_warning_with_the_fix()
    {
        var ga = new FakeQemuGa("web01");
        ga.LiveTags.Add("www");
        ga.Mounts.Add(("data", "/srv/data", "virtiofs", "rw,relatime"));
        var r = Run(ga);
        Assert.Equal(["GuestAgent", "GuestVirtioFs", "GuestMount", "GuestMount"], r.Select(x => x.Name));
        Assert.Equal(VirtioFsCheckStatus.Pass, r[0].Status);
        Assert.Contains("Debian GNU/Linux 12 (bookworm), kernel 6.1.0-57-amd64", r[0].Message);
        Assert.Contains("channel state 'connected'", r[0].Evidence);
        Assert.Equal(VirtioFsCheckStatus.Pass, r[1].Status);
        Assert.Equal(VirtioFsCheckStatus.Pass, r[2].Status);
        Assert.Contains("/srv/data (rw,relatime)", r[2].Message);
        Assert.Equal(VirtioFsCheckStatus.Warn, r[3].Status);
        Assert.Equal("web01 tag 'www'", r[3].Target);
        Assert.Equal("Mount-VirtioFsShare -Domain web01 -Tag 'www' -MountPoint /mnt/www -Persist", r[3].Fix);
    }

    [Fact]
    public void A_share_set_to_mount_at_boot_but_not_mounted_names_its_mount_point()
    {
        var ga = new FakeQemuGa("web01");
        ga.Files["/etc/fstab"] = "data /srv/data virtiofs defaults,nofail 0 0\n"u8.ToArray();
        var r = Run(ga).Single(x => x.Name == "GuestMount");
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.Contains("set to be mounted on /srv/data at boot", r.Message);
        Assert.Contains("-MountPoint /srv/data", r.Fix);
    }

    [Fact]
    public void No_channel_is_a_warning_naming_the_cmdlet_that_adds_it()
    {
        var r = Assert.Single(Run(new FakeQemuGa("web01") { Channel = false }));
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.StartsWith("Add-VirtioFsGuestAgentChannel -Domain web01", r.Fix);
    }

    [Fact]
    public void A_disconnected_channel_is_a_warning_at_once_without_asking_the_agent()
    {
        var ga = new FakeQemuGa("web01") { Connected = false };
        var r = Assert.Single(Run(ga));
        Assert.Equal("GuestAgent", r.Name);
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.Contains("state='disconnected'", r.Message);
        Assert.Contains("GuestAgentUnresponsive", r.Evidence);
        Assert.Empty(ga.Sent);
    }

    [Fact]
    public void A_connected_agent_that_hangs_is_a_warning_after_the_doctors_short_wait()
    {
        var r = Assert.Single(Run(new FakeQemuGa("web01") { Hung = true }));
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.Contains("Guest agent not available for now", r.Message);
        Assert.Contains("channel state 'connected'", r.Evidence);
    }

    [Fact]
    public void A_kernel_without_virtiofs_fails()
    {
        var ga = new FakeQemuGa { VirtiofsLoaded = false, VirtiofsInModulesDep = false };
        ga.Os = ga.Os.Replace("6.1.0-57-amd64", "4.19.0-27-amd64", System.StringComparison.Ordinal);
        var r = Run(ga).Single(x => x.Name == "GuestVirtioFs");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("virtio-fs arrived in Linux 5.4", r.Message);
    }

    [Fact]
    public void A_windows_guest_is_pointed_at_WhatIf()
    {
        var r = Run(new FakeQemuGa("win1", windows: true));
        Assert.Equal(VirtioFsCheckStatus.Pass, r[0].Status);
        Assert.Equal(VirtioFsCheckStatus.Skip, r[1].Status);
        Assert.Contains("-WhatIf", r[1].Message);
    }
}
