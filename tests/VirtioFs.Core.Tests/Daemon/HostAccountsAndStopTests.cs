// SPDX-License-Identifier: MIT
using System.Linq;
using System.Threading;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Daemon;

public sealed class HostAccountsAndStopTests
{
    private const string Groups = "root:x:0:\nkvm:x:107:\nlibvirt-qemu:x:64055:\nqemu:x:990:\n";

    [Fact]
    public void SocketGroupFollowsQemuConfThenTheQemuUserThenNothing()
    {
        using var t = new FakeHostTree();
        var host = new DaemonHost { Root = t.Host };
        t.Write("/etc/group", Groups);
        Assert.Null(HostAccounts.LibvirtQemuGroup(host)); // no libvirt: root-only socket

        t.Write("/etc/libvirt/qemu.conf", "#group = \"libvirt-qemu\"\n");
        t.Write("/etc/passwd", "root:x:0:0::/root:/bin/sh\nlibvirt-qemu:x:64055:107::/var/lib/libvirt:/usr/sbin/nologin\n");
        Assert.Equal("kvm", HostAccounts.LibvirtQemuGroup(host)); // Debian: libvirt-qemu:kvm

        t.Write("/etc/libvirt/qemu.conf", "# comment\n  group = \"qemu\"\n");
        Assert.Equal("qemu", HostAccounts.LibvirtQemuGroup(host));

        t.Write("/etc/libvirt/qemu.conf", "group = \"+107\"\n");
        Assert.Equal("kvm", HostAccounts.LibvirtQemuGroup(host));

        Assert.True(HostAccounts.GroupExists(host, "kvm"));
        Assert.False(HostAccounts.GroupExists(host, "nogroup"));
    }

    [Fact]
    public void LibvirtDaemonIsNotStoppedWithoutForce()
    {
        using var t = new FakeHostTree();
        t.AddProcess(4600, 1, ["/usr/lib/qemu/virtiofsd", "--fd=32", "-o", "source=/srv/x"]);
        t.Write("/run/libvirt/qemu/2-vm1-fs0-fs.pid", "4600");
        var s = new DaemonSupervisor(new DaemonHost { Root = t.Host, RuntimeDirectory = t.P("/run/virtiofs"), XdgConfigHome = null, SearchPath = "" });
        var d = Assert.Single(s.List());
        var e = Assert.Throws<VirtioFsException>(() => s.Stop(d, force: false, System.TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal("DaemonManagedByLibvirt", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("vm1", e.Message, System.StringComparison.Ordinal);
        var r = Assert.Throws<VirtioFsException>(() => s.Restart(d, System.TimeSpan.FromSeconds(1), null, CancellationToken.None));
        Assert.Equal("DaemonRestartUnsupported", r.ErrorId);
        Assert.True(System.IO.File.Exists(t.P("/run/libvirt/qemu/2-vm1-fs0-fs.pid")));
        Assert.Equal(4600, s.List().Single().ProcessId);
    }
}
