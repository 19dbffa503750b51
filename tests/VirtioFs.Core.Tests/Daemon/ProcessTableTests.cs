// SPDX-License-Identifier: MIT
using System.IO;
using System.Linq;
using VirtioFs.Daemon;
using Xunit;

namespace VirtioFs.Tests.Core.Daemon;

public sealed class ProcessTableTests
{
    private static DaemonSupervisor Supervisor(FakeHostTree t) =>
        new(new DaemonHost { Root = t.Host, RuntimeDirectory = t.P("/run/virtiofs"), XdgConfigHome = null, SearchPath = "" });

    [Fact]
    public void LibvirtFdDaemonIsNamedAfterItsDomainFromSocketPidFileAndLog()
    {
        using var t = new FakeHostTree();
        // libvirt 9.0 on this host: --fd=32, the socket libvirt listens on, its pid file and log (real-guest-notes Step 5).
        t.AddProcess(4100, 1, ["/usr/lib/qemu/virtiofsd", "--fd=32", "-o", "source=/srv/lv share,cache=always,xattr,flock,posix_lock"],
            (32, 777001, "/var/lib/libvirt/qemu/domain-3-a-very-long-domain-n/fs0-fs.sock", true));
        // The namespace sandbox's child: same argv, must not be listed twice.
        t.AddProcess(4101, 4100, ["/usr/lib/qemu/virtiofsd", "--fd=32", "-o", "source=/srv/lv share,cache=always,xattr,flock,posix_lock"]);
        t.Write("/run/libvirt/qemu/3-a-very-long-domain-n-fs0-fs.pid", "4100\n");
        t.Write("/var/log/libvirt/qemu/a-very-long-domain-name-here-fs0-virtiofsd.log", "");

        var d = Assert.Single(Supervisor(t).List());
        Assert.Equal(VirtioFsDaemonManager.Libvirt, d.ManagedBy);
        Assert.Equal("a-very-long-domain-name-here", d.Domain);
        Assert.Equal("a-very-long-domain-name-here-fs0", d.Name);
        Assert.Equal(4100, d.ProcessId);
        Assert.Equal(32, d.FileDescriptor);
        Assert.Equal("/srv/lv share", d.SharedDirectory);
        Assert.Equal("/var/lib/libvirt/qemu/domain-3-a-very-long-domain-n/fs0-fs.sock", d.SocketPath);
        Assert.Equal(VirtioFsDaemonDialect.C, d.Dialect);
        Assert.EndsWith("a-very-long-domain-name-here-fs0-virtiofsd.log", d.LogPath);
        Assert.NotNull(d.StartTime);
    }

    [Fact]
    public void LibvirtDaemonWithAConnectedGuestIsFoundThroughItsAcceptedSocket()
    {
        using var t = new FakeHostTree();
        // As seen on this host once QEMU connected: fd 31 (the listener) is closed, fd 3 is the accepted
        // connection, listed in /proc/net/unix with libvirt's path but not as listening.
        t.AddProcess(4150, 1, ["/usr/lib/qemu/virtiofsd", "--fd=31", "-o", "source=/tmp/lvshare"],
            (3, 174120, "/var/lib/libvirt/qemu/domain-1-vfsd-t4/fs0-fs.sock", false));
        var d = Assert.Single(Supervisor(t).List());
        Assert.Equal("/var/lib/libvirt/qemu/domain-1-vfsd-t4/fs0-fs.sock", d.SocketPath);
        Assert.Equal(VirtioFsDaemonManager.Libvirt, d.ManagedBy);
        Assert.Equal("vfsd-t4", d.Domain);
        Assert.Equal("vfsd-t4-fs0", d.Name);
    }

    [Fact]
    public void HealthComesFromTheSandboxWorkerOnceAGuestIsConnected()
    {
        using var t = new FakeHostTree();
        // The C namespace sandbox after QEMU connected: the parent only waits; its child (same argv)
        // holds the accepted connection, the shared directory's files and the raised file limit.
        string[] argv = ["/usr/lib/qemu/virtiofsd", "--fd=31", "-o", "source=/srv/big"];
        const string sock = "/var/lib/libvirt/qemu/domain-2-vm2/fs0-fs.sock";
        // fork() copied the accepted connection (fd 3) into the child; both hold it.
        t.AddProcess(4200, 1, argv, (3, 190001, sock, false));
        t.AddProcess(4201, 4200, argv, (3, 190001, sock, false), (4, 190002, null, false));
        for (int fd = 10; fd < 15; fd++)
        {
            File.CreateSymbolicLink(t.P($"/proc/4201/fd/{fd}"), $"/srv/big/file{fd}");
        }
        t.Write("/proc/4200/task/4200/children", "4201 ");
        t.Write("/proc/4200/limits", "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            1024                 524288               files     \n");
        t.Write("/proc/4201/limits", "Limit                     Soft Limit           Hard Limit           Units     \nMax cpu time              unlimited            unlimited            seconds   \nMax open files            1000000              1000000              files     \n");

        var d = Assert.Single(Supervisor(t).List());
        Assert.Equal(4200, d.ProcessId);
        Assert.Equal(sock, d.SocketPath);
        Assert.True(d.GuestConnected);
        Assert.Equal(7, d.OpenFiles);
        Assert.Equal(1000000L, d.OpenFilesLimit);
    }

    [Fact]
    public void ADaemonWaitingForItsGuestIsNotConnected()
    {
        using var t = new FakeHostTree();
        t.AddProcess(4300, 1, ["/usr/lib/qemu/virtiofsd", "--socket-path=/run/vfs/a.sock", "-o", "source=/srv/a"],
            (9, 191001, "/run/vfs/a.sock", true));
        var d = Assert.Single(Supervisor(t).List());
        Assert.False(d.GuestConnected);
        Assert.Equal(1, d.OpenFiles);
        Assert.Null(d.OpenFilesLimit); // no limits file in this tree: unknown, not guessed
    }

    [Fact]
    public void SocketOfADaemonInItsOwnNetworkNamespaceIsFoundInOurTable()
    {
        using var t = new FakeHostTree();
        // The C namespace sandbox unshares the network namespace: its /proc/<pid>/net/unix is empty.
        t.AddProcess(4160, 1, ["/usr/lib/qemu/virtiofsd", "--fd=31", "-o", "source=/tmp/lvshare"], (3, 178406, null, false));
        t.Write("/proc/net/unix", "Num       RefCount Protocol Flags    Type St Inode Path\n"
            + "0000000000000000: 00000003 00000000 00000000 0001 03 178406 /var/lib/libvirt/qemu/domain-3-vm9/fs0-fs.sock\n");
        var d = Assert.Single(Supervisor(t).List());
        Assert.Equal("/var/lib/libvirt/qemu/domain-3-vm9/fs0-fs.sock", d.SocketPath);
        Assert.Equal("vm9", d.Domain);
    }

    [Fact]
    public void LibvirtDaemonFoundByPidFileAloneWhenTheFdIsUnreadable()
    {
        using var t = new FakeHostTree();
        t.AddProcess(4200, 1, ["/usr/libexec/virtiofsd", "--fd=28", "--shared-dir", "/srv/x", "--cache", "never", "--sandbox", "chroot"]);
        t.Write("/run/libvirt/qemu/7-vm1-fs1-fs.pid", "4200");
        var d = Assert.Single(Supervisor(t).List());
        Assert.Equal(VirtioFsDaemonManager.Libvirt, d.ManagedBy);
        Assert.Equal("vm1", d.Domain);
        Assert.Equal("vm1-fs1", d.Name);
        Assert.Equal(VirtioFsDaemonDialect.Rust, d.Dialect);
        Assert.Equal("/srv/x", d.SharedDirectory);
        Assert.Null(d.SocketPath);
    }

    [Fact]
    public void SomeoneElsesDaemonInBothDialectsAndNonDaemonsAreIgnored()
    {
        using var t = new FakeHostTree();
        t.AddProcess(4300, 1, ["/usr/lib/qemu/virtiofsd", "--socket-path=/tmp/x.sock", "-o", @"source=/srv/a\,b c", "-o", "sandbox=chroot"],
            (4, 900, "/tmp/x.sock", true));
        t.AddProcess(4301, 1, ["/usr/bin/python3", "/opt/fake-rust-virtiofsd", "--shared-dir=/srv/r", "--socket-path", "/tmp/r.sock"]);
        t.AddProcess(4302, 1, ["/usr/bin/bash", "-c", "echo virtiofsd"]);
        t.AddProcess(4303, 1, ["/usr/bin/vim", "virtiofsd.txt"]);
        var list = Supervisor(t).List().ToList();
        Assert.Equal([4300, 4301], list.Select(d => d.ProcessId));
        Assert.All(list, d => Assert.Equal(VirtioFsDaemonManager.Other, d.ManagedBy));
        Assert.Equal("/srv/a,b c", list[0].SharedDirectory);
        Assert.Equal("/tmp/x.sock", list[0].SocketPath);
        Assert.Equal("virtiofsd-4300", list[0].Name);
        Assert.Equal("/srv/r", list[1].SharedDirectory);
        Assert.Equal("/tmp/r.sock", list[1].SocketPath);
        Assert.Equal(VirtioFsDaemonDialect.Rust, list[1].Dialect);
        Assert.Equal("/opt/fake-rust-virtiofsd", list[1].BinaryPath);
    }

    [Fact]
    public void OurStateFileWinsOverTheProcessTableAndPidReuseMeansExited()
    {
        using var t = new FakeHostTree();
        t.AddProcess(4400, 1, ["/usr/lib/qemu/virtiofsd", "--socket-path=/run/virtiofs/data.sock", "-o", "source=/srv/data"]);
        var store = new DaemonStateStore(t.P("/run/virtiofs"));
        store.Write(new DaemonRecord { Name = "data", ProcessId = 4400, ProcessStartTicks = 123456, BinaryPath = "/usr/lib/qemu/virtiofsd",
            Dialect = VirtioFsDaemonDialect.C, SharedDirectory = "/srv/data", SocketPath = "/run/virtiofs/data.sock" });
        store.Write(new DaemonRecord { Name = "old", ProcessId = 4400, ProcessStartTicks = 99, BinaryPath = "/usr/lib/qemu/virtiofsd",
            Dialect = VirtioFsDaemonDialect.C, SharedDirectory = "/srv/old", SocketPath = "/run/virtiofs/old.sock" });
        var list = Supervisor(t).List().ToList();
        Assert.Equal(["data", "old"], list.Select(d => d.Name));
        Assert.Equal(VirtioFsDaemonState.Running, list[0].State);
        Assert.Equal(VirtioFsDaemonManager.VirtioFs, list[0].ManagedBy);
        Assert.Equal(VirtioFsDaemonState.Exited, list[1].State); // same pid, different start time: recycled
        Assert.Equal(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite, VirtioFs.Platform.UnixFile.GetMode(store.StatePath("data")));
    }

    [Fact]
    public void ListeningIsJudgedFromTheProcessOwnSocketInode()
    {
        using var t = new FakeHostTree();
        t.AddProcess(4500, 1, ["/usr/lib/qemu/virtiofsd"], (5, 1234, "/tmp/a.sock", true), (6, 1235, "/tmp/b.sock", false));
        t.Write("/proc/net/unix", "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 1234 /tmp/a.sock\n");
        var proc = new ProcessTable(new DaemonHost { Root = t.Host });
        Assert.True(proc.IsListening(4500, "/tmp/a.sock"));
        Assert.False(proc.IsListening(4500, "/tmp/b.sock")); // bound, not listening
        Assert.False(proc.IsListening(4500, "/tmp/c.sock"));
        Assert.True(proc.AnyoneListening("/tmp/a.sock"));
        Assert.False(proc.AnyoneListening("/tmp/b.sock"));
    }

    [Theory]
    [InlineData(@"source=/a\,b c,cache=none", "/a,b c")]
    [InlineData(@"cache=auto,source=/q\\b", @"/q\b")]
    [InlineData("source=/plain", "/plain")]
    public void DashOListsAreSplitOnUnescapedCommas(string list, string expected)
    {
        var cl = VirtiofsdArgvParser.TryParse(["/usr/lib/qemu/virtiofsd", "--fd=3", "-o", list])!;
        Assert.Equal(expected, cl.SharedDirectory);
        Assert.Equal(3, cl.FileDescriptor);
    }

    [Fact]
    public void AttachedDashOAndSeparateSocketValue()
    {
        var cl = VirtiofsdArgvParser.TryParse(["virtiofsd", "--socket-path", "/s.sock", "--socket-group", "kvm", "-osource=/d,xattr"])!;
        Assert.Equal("/s.sock", cl.SocketPath);
        Assert.Equal("kvm", cl.SocketGroup);
        Assert.Equal("/d", cl.SharedDirectory);
        Assert.True(cl.Options.ContainsKey("xattr"));
        Assert.Null(VirtiofsdArgvParser.TryParse(["/usr/bin/qemu-system-x86_64", "-chardev", "socket,path=/virtiofsd.sock"]));
    }
}
