// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Doctor;
using VirtioFs.Domain;
using Xunit;

namespace VirtioFs.Tests.Core.Doctor;

public sealed class LiveShareCheckTests
{
    private static readonly DomainDocument Doc = DomainDocument.Parse("""
        <domain type='qemu'><name>vm1</name><memory unit='MiB'>512</memory>
        <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
        <os><type arch='x86_64' machine='q35'>hvm</type></os>
        <devices>
          <filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/srv/data'/><target dir='data'/></filesystem>
          <filesystem type='mount'><driver type='virtiofs'/><source socket='/run/virtiofs/own.sock'/><target dir='own'/></filesystem>
        </devices></domain>
        """, "test");

    private static VirtioFsDaemon Daemon(string name, VirtioFsDaemonManager by, string? domain, string dir, string socket, bool? connected,
        VirtioFsDaemonState state = VirtioFsDaemonState.Running) =>
        new(name, 100, state, dir, socket, "/usr/lib/qemu/virtiofsd", VirtioFsDaemonDialect.C, "7.2.22", [], null, null, by, domain, null, null)
        { GuestConnected = connected };

    private static VirtioFsCheckResult[] Run(bool active, params VirtioFsDaemon[] daemons) =>
        DomainChecks.Run(Doc, new DomainCheckInput { CheckHostPaths = false, IsActive = active, Daemons = daemons })
            .Where(r => r.Name == "LiveDaemon").ToArray();

    [Fact]
    public void BothSharesServedAndConnectedPass()
    {
        var r = Run(true,
            Daemon("vm1-fs0", VirtioFsDaemonManager.Libvirt, "vm1", "/srv/data", "/var/lib/libvirt/qemu/domain-1-vm1/fs0-fs.sock", true),
            Daemon("own", VirtioFsDaemonManager.VirtioFs, null, "/srv/own", "/run/virtiofs/own.sock", true));
        Assert.Equal(2, r.Length);
        Assert.All(r, x => Assert.Equal(VirtioFsCheckStatus.Pass, x.Status));
    }

    [Fact]
    public void AGoneOrExitedDaemonOfARunningGuestFails()
    {
        var r = Run(true, Daemon("own", VirtioFsDaemonManager.VirtioFs, null, "/srv/own", "/run/virtiofs/own.sock", null, VirtioFsDaemonState.Exited));
        Assert.Equal(2, r.Length);
        Assert.All(r, x => Assert.Equal(VirtioFsCheckStatus.Fail, x.Status));
        Assert.Contains(r, x => x.Message.Contains("/srv/data", System.StringComparison.Ordinal));
        Assert.Contains(r, x => x.Message.Contains("/run/virtiofs/own.sock", System.StringComparison.Ordinal));
    }

    [Fact]
    public void ADaemonQemuIsNotConnectedToWarns()
    {
        var r = Run(true,
            Daemon("vm1-fs0", VirtioFsDaemonManager.Libvirt, "vm1", "/srv/data", "/x.sock", true),
            Daemon("own", VirtioFsDaemonManager.VirtioFs, null, "/srv/own", "/run/virtiofs/own.sock", false));
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Single(x => x.Target!.Contains("'own'", System.StringComparison.Ordinal)).Status);
    }

    [Fact]
    public void AShutOffGuestIsNotChecked() => Assert.Empty(Run(false));

    [Fact]
    public void AShareTheRunningGuestDoesNotHaveYetIsSkipped()
    {
        var input = new DomainCheckInput { CheckHostPaths = false, IsActive = true, Daemons = [], LiveTags = new System.Collections.Generic.HashSet<string> { "data" } };
        var r = DomainChecks.Run(Doc, input).Where(x => x.Name == "LiveDaemon").ToArray();
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Single(x => x.Target!.Contains("'data'", System.StringComparison.Ordinal)).Status);
        Assert.Equal(VirtioFsCheckStatus.Skip, r.Single(x => x.Target!.Contains("'own'", System.StringComparison.Ordinal)).Status);
    }
}
