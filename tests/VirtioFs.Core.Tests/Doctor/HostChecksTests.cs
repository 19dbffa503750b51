// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using VirtioFs.Daemon;
using VirtioFs.Doctor;
using VirtioFs.Platform;
using Xunit;

namespace VirtioFs.Tests.Core.Doctor;

public sealed class HostChecksTests : IDisposable
{
    private readonly FakeSysfs _fake = new();

    private const string DomCaps = """
        <domainCapabilities><path>/usr/bin/qemu-system-x86_64</path><domain>qemu</domain>
        <memoryBacking supported='yes'><enum name='sourceType'><value>file</value><value>anonymous</value><value>memfd</value></enum></memoryBacking>
        <devices><filesystem supported='yes'><enum name='driverType'><value>path</value><value>handle</value><value>virtiofs</value></enum></filesystem></devices>
        </domainCapabilities>
        """;

    private static VirtioFsDaemonBinary CDaemon(string? descriptor = "/usr/share/qemu/vhost-user/50-qemu-virtiofsd.json") =>
        DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/usr/lib/qemu/virtiofsd", descriptor is null ? "WellKnownPath" : "Descriptor", descriptor),
            "virtiofsd version 7.2.22\n", "{\n  \"type\": \"fs\"\n}\n", "usage: virtiofsd [options]\n    -o source=PATH             shared directory tree\n");

    private HostCheckInput Input(LibvirtFacts? facts = null, uint uid = 0, string deviceHelp = "name \"vhost-user-fs-pci\", bus PCI\n", params VirtioFsDaemonBinary[] daemons) => new()
    {
        Host = _fake.Host,
        Uid = uid,
        UserName = "alice",
        Libvirt = facts ?? new LibvirtFacts
        {
            ClientVersion = new Version(9, 0, 0), DaemonVersion = new Version(9, 0, 0), HypervisorVersion = new Version(7, 2, 22),
            DomainCapabilities = DomCaps, Domains = [new DomainMemory("a", 8 * 1024 * 1024, VirtioFsSharedMemoryBacking.Memfd)],
        },
        Daemons = daemons.Length == 0 ? [CDaemon()] : daemons,
        Run = (path, args) => args[0] == "-version"
            ? new ProgramResult(0, "QEMU emulator version 7.2.22 (Debian)\n")
            : new ProgramResult(0, "Storage devices:\n" + deviceHelp),
    };

    private static VirtioFsCheckResult Get(HostCheckInput input, string name) => HostChecks.Run(input).Single(r => r.Name == name);

    [Fact]
    public void AtLeastTenChecksAndEveryWarnOrFailHasAFix()
    {
        var results = HostChecks.Run(Input(uid: 1000));
        Assert.True(results.Count >= 10);
        Assert.All(results.Where(r => r.Status is VirtioFsCheckStatus.Warn or VirtioFsCheckStatus.Fail), r => Assert.False(string.IsNullOrWhiteSpace(r.Fix), r.Name));
        Assert.Equal(results.Count, results.Select(r => r.Name).Distinct().Count());
    }

    [Fact]
    public void VersionsDeviceDaemonAndCapabilitiesPassOnADebian12LikeHost()
    {
        var input = Input();
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(input, "LibvirtDaemon").Status);
        Assert.Contains("7.2.22", Get(input, "QemuVersion").Message);
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(input, "QemuDevice").Status);
        var d = Get(input, "Virtiofsd");
        Assert.Equal(VirtioFsCheckStatus.Pass, d.Status);
        Assert.Contains("legacy C dialect", d.Message);
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(input, "DomainCapabilities").Status);
    }

    [Fact]
    public void AnotherSystemsLibvirtIsDescribedFromItsOwnFactsAndAnotherMachinesHostIsSkipped()
    {
        var rust = DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/usr/libexec/virtiofsd", "Descriptor", "/usr/share/qemu/vhost-user/50-virtiofsd.json"),
            "virtiofsd 1.13.2", "{\"type\":\"fs\",\"features\":[\"migrate-precopy\",\"separate-options\"]}", "");
        var stack = new VirtioFs.Libvirt.LibvirtStack("qemu+unix:///system?socket=/srv/t/run/libvirt/libvirt-sock", new Version(11, 3, 0), new Version(10, 0, 13),
            isSession: false, daemonUid: 0, _fake.Host, "the file system of libvirtd (pid 42)", _ => rust);
        var facts = new LibvirtFacts
        {
            Uri = stack.Uri, ClientVersion = new Version(9, 0, 0), DaemonVersion = new Version(11, 3, 0), HypervisorVersion = new Version(10, 0, 13),
            DomainCapabilities = DomCaps, Domains = [], Stack = stack, Files = _fake.Host, FilesDescription = stack.FilesDescription,
        };
        var input = Input(facts, daemons: rust);
        input = new HostCheckInput
        {
            Host = input.Host, Libvirt = facts, Daemons = [rust], BinariesRun = false,
            // QEMU is another system's binary: running it is a test failure.
            Run = (_, _) => throw new InvalidOperationException("ran a binary of another system"),
        };
        var results = HostChecks.Run(input);
        var s = results.Single(r => r.Name == "Stack");
        Assert.Equal(VirtioFsCheckStatus.Pass, s.Status);
        Assert.StartsWith("libvirt 11.3.0, QEMU 10.0.13, virtiofsd /usr/libexec/virtiofsd (Rust 1.13.2)", s.Message, StringComparison.Ordinal);
        Assert.Contains("ID mapping: not with <idmap>", s.Message, StringComparison.Ordinal);
        Assert.Contains("Save and migration of running guests: yes.", s.Message, StringComparison.Ordinal);
        Assert.Contains("as libvirt reports it", results.Single(r => r.Name == "QemuVersion").Message, StringComparison.Ordinal);
        Assert.Equal(VirtioFsCheckStatus.Skip, results.Single(r => r.Name == "Daemons").Status);

        // Another machine: its host is not described from this one.
        var remote = new HostCheckInput { Libvirt = facts, Daemons = [], BinariesRun = false, HasFileView = false, Run = input.Run };
        foreach (var name in new[] { "HugePages", "DevShm", "MemoryBackingDir", "SecurityModule", "Kernel", "Kvm" })
        {
            Assert.Equal(VirtioFsCheckStatus.Skip, HostChecks.Run(remote).Single(r => r.Name == name).Status);
        }
    }

    [Fact]
    public void MissingDeviceDaemonAndUnreachableLibvirtFail()
    {
        var input = Input(new LibvirtFacts { ClientVersion = new Version(9, 0, 0), ConnectError = "Failed to connect socket" }, deviceHelp: "name \"virtio-9p-pci\"\n");
        input = new HostCheckInput { Host = input.Host, Libvirt = input.Libvirt, Run = input.Run, Daemons = [], Uid = 0 };
        Assert.Equal(VirtioFsCheckStatus.Fail, Get(input, "QemuDevice").Status);
        var daemon = Get(input, "Virtiofsd");
        Assert.Equal(VirtioFsCheckStatus.Fail, daemon.Status);
        Assert.Contains("Unable to find a satisfying virtiofsd", daemon.Message);
        Assert.Equal(VirtioFsCheckStatus.Fail, Get(input, "LibvirtDaemon").Status);
        Assert.Equal(VirtioFsCheckStatus.Skip, Get(input, "DomainCapabilities").Status);
        File.WriteAllText(Path.Combine(_fake.Root, "proc", "mounts"), "tmpfs /dev/shm tmpfs rw,size=1024k 0 0\n");
        Assert.Equal(VirtioFsCheckStatus.Skip, Get(input, "DevShm").Status); // guests' memory unknown
    }

    [Fact]
    public void ADaemonNoDescriptorNamesWarnsThatLibvirtWillNotFindIt()
    {
        var r = Get(Input(daemons: CDaemon(descriptor: null)), "Virtiofsd");
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.Contains("-BinaryPath /usr/lib/qemu/virtiofsd", r.Fix);
    }

    [Fact]
    public void NonRootOutsideTheLibvirtGroupFails()
    {
        File.WriteAllText(Path.Combine(_fake.Dir("etc"), "group"), "root:x:0:\nlibvirt:x:111:bob\n");
        Assert.Equal(VirtioFsCheckStatus.Fail, Get(Input(uid: 1000), "Privileges").Status);
        File.WriteAllText(Path.Combine(_fake.Dir("etc"), "group"), "root:x:0:\nlibvirt:x:111:bob,alice\n");
        Assert.Equal(VirtioFsCheckStatus.Warn, Get(Input(uid: 1000), "Privileges").Status);
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(Input(uid: 0), "Privileges").Status);
    }

    [Fact]
    public void HugePagesReportEveryPoolAndAMissingMount()
    {
        var r = Get(Input(), "HugePages");
        Assert.Equal(VirtioFsCheckStatus.Pass, r.Status);
        Assert.Contains("1GiB node1: 1 total", r.Evidence);
        File.WriteAllText(Path.Combine(_fake.Root, "proc", "mounts"), "tmpfs /dev/shm tmpfs rw,size=1024k 0 0\n");
        var none = Get(Input(), "HugePages");
        Assert.Equal(VirtioFsCheckStatus.Warn, none.Status);
        Assert.Contains("Mount-VirtioFsHugeTlbFs", none.Fix);
    }

    [Fact]
    public void DevShmSmallerThanTheGuestsWarns()
    {
        File.WriteAllText(Path.Combine(_fake.Root, "proc", "mounts"), "tmpfs /dev/shm tmpfs rw,size=1048576k 0 0\n/dev/sda1 / ext4 rw 0 0\n");
        var r = Get(Input(), "DevShm");
        Assert.Equal(VirtioFsCheckStatus.Warn, r.Status);
        Assert.Contains("8192 MiB", r.Message);
        File.WriteAllText(Path.Combine(_fake.Root, "proc", "mounts"), "tmpfs /dev/shm tmpfs rw,size=16g 0 0\n");
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(Input(), "DevShm").Status);
    }

    [Fact]
    public void MemoryBackingDirFromQemuConfAndItsFilesystem()
    {
        File.WriteAllText(Path.Combine(_fake.Root, "proc", "mounts"), "/dev/sda1 / ext4 rw 0 0\ntmpfs /dev/shm tmpfs rw 0 0\n");
        var missing = Get(Input(), "MemoryBackingDir");
        Assert.Equal(VirtioFsCheckStatus.Warn, missing.Status);
        Assert.Contains("does not exist", missing.Message);
        _fake.Dir("var/lib/libvirt/qemu/ram");
        var disk = Get(Input(), "MemoryBackingDir");
        Assert.Equal(VirtioFsCheckStatus.Warn, disk.Status);
        Assert.Contains("ext4", disk.Message);
        File.WriteAllText(Path.Combine(_fake.Dir("etc/libvirt"), "qemu.conf"), "# comment\nmemory_backing_dir = \"/dev/shm\"\n");
        _fake.Dir("dev/shm");
        var shm = Get(Input(), "MemoryBackingDir");
        Assert.Equal(VirtioFsCheckStatus.Pass, shm.Status);
        Assert.Contains("/etc/libvirt/qemu.conf", shm.Evidence);
    }

    [Fact]
    public void SecurityModulesAreReported()
    {
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(Input(), "SecurityModule").Status);
        File.WriteAllText(Path.Combine(_fake.Dir("sys/fs/selinux"), "enforce"), "1\n");
        var se = Get(Input(), "SecurityModule");
        Assert.Equal(VirtioFsCheckStatus.Warn, se.Status);
        Assert.Contains("SELinux enforcing", se.Evidence);
        File.WriteAllText(Path.Combine(_fake.Root, "sys/fs/selinux/enforce"), "0\n");
        _fake.Dir("sys/kernel/security/apparmor");
        Assert.Contains("AppArmor", Get(Input(), "SecurityModule").Message);
    }

    [Fact]
    public void CapabilitiesWithoutVirtiofsFailAndKernelIsRead()
    {
        var facts = new LibvirtFacts { ClientVersion = new Version(6, 0, 0), DaemonVersion = new Version(6, 0, 0), DomainCapabilities = DomCaps.Replace("<value>virtiofs</value>", ""), Domains = [] };
        Assert.Equal(VirtioFsCheckStatus.Fail, Get(Input(facts), "DomainCapabilities").Status);
        Assert.Equal(VirtioFsCheckStatus.Fail, Get(Input(facts), "LibvirtDaemon").Status);
        File.WriteAllText(Path.Combine(_fake.Dir("proc/sys/kernel"), "osrelease"), "6.1.0-18-amd64\n");
        Assert.Equal("Host kernel 6.1.0-18-amd64.", Get(Input(), "Kernel").Message);
        Assert.Equal(VirtioFsCheckStatus.Warn, Get(Input(), "Kvm").Status);
    }

    /// <summary>A real character device node (c 10 232, as the kernel makes /dev/kvm) in the fake tree; mknod needs root.</summary>
    private void MakeKvmNode(uint uid, uint gid, string mode)
    {
        Assert.True(Environment.UserName == "root", "This test makes a device node with mknod and must run as root (CI does).");
        string node = Path.Combine(_fake.Dir("dev"), "kvm");
        foreach (var (cmd, args) in new[] { ("mknod", new[] { node, "c", "10", "232" }), ("chown", new[] { $"{uid}:{gid}", node }), ("chmod", new[] { mode, node }) })
        {
            var r = ProgramRunner.Run(cmd, args, TimeSpan.FromSeconds(10));
            Assert.True(r is { ExitCode: 0 }, $"{cmd} {string.Join(' ', args)}: {r?.Output}");
        }
        File.WriteAllText(Path.Combine(_fake.Dir("etc"), "passwd"), "root:x:0:0::/root:/bin/sh\nlibvirt-qemu:x:64055:107::/var/lib/libvirt:/usr/sbin/nologin\n");
        File.WriteAllText(Path.Combine(_fake.Dir("etc"), "group"), "root:x:0:\nkvm:x:107:\nlibvirt-qemu:x:64055:libvirt-qemu\n");
        File.WriteAllText(Path.Combine(_fake.Dir("etc/libvirt"), "qemu.conf"), "#user = \"root\"\n");
    }

    [Fact]
    public void KvmIsCheckedAsTheQemuUserSeesIt()
    {
        // Without udev: root:root 0600. QEMU (libvirt-qemu:kvm) cannot open it.
        MakeKvmNode(0, 0, "600");
        var fail = Get(Input(), "Kvm");
        Assert.Equal(VirtioFsCheckStatus.Fail, fail.Status);
        Assert.Contains("libvirt-qemu:kvm", fail.Message);
        Assert.Contains("chgrp kvm /dev/kvm && chmod 0660 /dev/kvm", fail.Fix);
        Assert.Contains("/etc/udev/rules.d/", fail.Fix);
        // What udev does: root:kvm 0660.
        File.Delete(Path.Combine(_fake.Root, "dev", "kvm"));
        MakeKvmNode(0, 107, "660");
        var pass = Get(Input(), "Kvm");
        Assert.Equal(VirtioFsCheckStatus.Pass, pass.Status);
        Assert.Contains("libvirt-qemu:kvm", pass.Message);
        // qemu.conf may run QEMU as root, who opens anything.
        File.Delete(Path.Combine(_fake.Root, "dev", "kvm"));
        MakeKvmNode(0, 0, "600");
        File.WriteAllText(Path.Combine(_fake.Root, "etc", "libvirt", "qemu.conf"), "user = \"root\"\ngroup = \"root\"\n");
        Assert.Equal(VirtioFsCheckStatus.Pass, Get(Input(), "Kvm").Status);
    }

    [Fact]
    public void AKvmNodeThatIsNotADeviceFails()
    {
        File.WriteAllText(Path.Combine(_fake.Dir("dev"), "kvm"), "");
        Assert.Equal(VirtioFsCheckStatus.Fail, Get(Input(), "Kvm").Status);
    }

    public void Dispose() => _fake.Dispose();
}
