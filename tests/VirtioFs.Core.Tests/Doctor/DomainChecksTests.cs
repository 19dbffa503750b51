// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using VirtioFs.Daemon;
using VirtioFs.Doctor;
using VirtioFs.Domain;
using Xunit;

namespace VirtioFs.Tests.Core.Doctor;

public sealed class DomainChecksTests : IDisposable
{
    private readonly FakeSysfs _fake = new();
    private readonly string _share;

    public DomainChecksTests()
    {
        _share = _fake.Dir("srv/share");
    }

    private const string Memfd = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>";

    private static VirtioFsDaemonBinary C => DaemonBinaryProbe.FromOutputs(
        new DaemonBinaryCandidate("/usr/lib/qemu/virtiofsd", "Descriptor", "/usr/share/qemu/vhost-user/50-qemu-virtiofsd.json"),
        "virtiofsd version 7.2.22\n", "{\"type\": \"fs\"}", "    -o source=PATH\n");

    private static VirtioFsDaemonBinary Rust => DaemonBinaryProbe.FromOutputs(
        new DaemonBinaryCandidate("/usr/libexec/virtiofsd", "Descriptor", "/usr/share/qemu/vhost-user/50-virtiofsd.json"),
        "virtiofsd 1.13.3\n", "{\"type\":\"fs\",\"features\":[\"migrate-precopy\",\"separate-options\"]}", "--shared-dir <DIR>\n");

    private static DomainDocument Dom(string memory, string filesystems, string extra = "", int mib = 512, string devices = "") =>
        DomainDocument.Parse($"""
            <domain type='qemu'><name>vm1</name><memory unit='MiB'>{mib}</memory>{memory}{extra}
            <os><type arch='x86_64' machine='q35'>hvm</type></os>
            <devices>{filesystems}{devices}</devices></domain>
            """, "test");

    private string Fs(string tag = "data", string driver = "", string binary = "", string source = "", string tail = "", string access = "passthrough") =>
        $"<filesystem type='mount' accessmode='{access}'><driver type='virtiofs' {driver}/>{binary}<source {(source.Length > 0 ? source : $"dir='/srv/share'")}/><target dir='{tag}'/>{tail}</filesystem>";

    private DomainCheckInput Input(VirtioFsDaemonBinary? daemon = null, Version? libvirt = null, bool active = false, QemuAccount? qemu = null,
        Version? qemuVersion = null, bool? runsAsRoot = null) => new()
    {
        Host = _fake.Host,
        LibvirtVersion = libvirt ?? new Version(9, 0, 0),
        QemuVersion = qemuVersion ?? new Version(7, 2, 22),
        DaemonRunsAsRoot = runsAsRoot,
        Uri = "qemu:///system",
        DefaultDaemon = daemon ?? C,
        IsActive = active,
        ProbeBinary = p => p switch
        {
            "/usr/libexec/virtiofsd" => Rust,
            // What probing /bin/true gives: no version, no capabilities, no help.
            "/bin/true" => DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/bin/true", "Explicit", null), "", "", ""),
            _ => null,
        },
        Qemu = qemu,
    };

    private static VirtioFsCheckResult[] Run(DomainDocument d, DomainCheckInput i)
    {
        var results = DomainChecks.Run(d, i).ToArray();
        Assert.All(results.Where(r => r.Status is VirtioFsCheckStatus.Warn or VirtioFsCheckStatus.Fail), r => Assert.False(string.IsNullOrWhiteSpace(r.Fix), r.Name));
        return results;
    }

    private static VirtioFsCheckStatus Status(VirtioFsCheckResult[] r, string name) => r.Single(x => x.Name == name).Status;

    [Fact]
    public void AGoodMemfdDomainHasNoFail()
    {
        var r = Run(Dom(Memfd, Fs(driver: "queue='1024'")), Input());
        Assert.DoesNotContain(r, x => x.Status == VirtioFsCheckStatus.Fail);
        Assert.Equal(VirtioFsCheckStatus.Warn, Status(r, "Migration"));
    }

    [Fact]
    public void NoSharedMemoryFailsAndSaysTheGuestHangs()
    {
        var r = Run(Dom("", Fs()), Input()).Single(x => x.Name == "SharedMemory");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("hangs", r.Message);
        Assert.Contains("Enable-VirtioFsSharedMemory -Domain vm1", r.Fix);
    }

    [Theory]
    [InlineData("private", VirtioFsCheckStatus.Fail)]
    [InlineData("bogus", VirtioFsCheckStatus.Fail)]
    [InlineData("shared", VirtioFsCheckStatus.Pass)]
    public void NumaCellMemAccess(string access, VirtioFsCheckStatus expected)
    {
        var d = Dom("", Fs(), $"<cpu><numa><cell id='0' cpus='0' memory='512' unit='MiB' memAccess='{access}'/></numa></cpu>");
        Assert.Equal(expected, Status(Run(d, Input()), "NumaMemAccess"));
    }

    [Fact]
    public void TagsOver36BytesOrUsedTwiceFail()
    {
        var r = Run(Dom(Memfd, Fs(new string('x', 37)) + Fs("a") + Fs("a")), Input());
        var len = r.Where(x => x.Name == "TagLength").ToList();
        Assert.Equal(VirtioFsCheckStatus.Fail, len[0].Status);
        Assert.Contains("tag property must be 36 bytes or less", len[0].Message);
        Assert.Equal(2, r.Count(x => x.Name == "TagUnique" && x.Status == VirtioFsCheckStatus.Fail));
        // 36 bytes of UTF-8 (12 three-byte characters) is fine; 13 are not
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(Memfd, Fs(new string('€', 12))), Input()), "TagLength"));
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(Run(Dom(Memfd, Fs(new string('€', 13))), Input()), "TagLength"));
    }

    [Theory]
    [InlineData("100", "power of 2")]
    [InlineData("2048", "1024 or smaller")]
    public void BadQueueSizesFailWithQemusWords(string queue, string words)
    {
        var r = Run(Dom(Memfd, Fs(driver: $"queue='{queue}'")), Input()).Single(x => x.Name == "QueueSize");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains(words, r.Message);
    }

    [Fact]
    public void MissingSourceAndBinaryFailButNotForAnotherHost()
    {
        var d = Dom(Memfd, Fs(source: "dir='/srv/missing'", binary: "<binary path='/nope/virtiofsd'/>"));
        var r = Run(d, Input());
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(r, "Source"));
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(r, "Daemon"));
        var other = Run(d, new DomainCheckInput { Host = _fake.Host, CheckHostPaths = false, LibvirtVersion = new Version(9, 0, 0) });
        Assert.Equal(VirtioFsCheckStatus.Skip, Status(other, "Source"));
        Assert.DoesNotContain(other, x => x.Status == VirtioFsCheckStatus.Fail);
    }

    [Fact]
    public void NoDaemonMeansUnableToFindASatisfyingVirtiofsd()
    {
        var r = Run(Dom(Memfd, Fs()), new DomainCheckInput { Host = _fake.Host, LibvirtVersion = new Version(9, 0, 0) }).Single(x => x.Name == "Daemon");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("Unable to find a satisfying virtiofsd", r.Message);
    }

    [Fact]
    public void HugePagePoolTooSmallFailsUnlessTheDomainRuns()
    {
        // FakeSysfs: 2 MiB pool with 250 free and 10 reserved = 240 available pages (480 MiB).
        var huge = "<memoryBacking><hugepages><page size='2' unit='M'/></hugepages><access mode='shared'/></memoryBacking>";
        var big = Run(Dom(huge, Fs(), mib: 1024), Input()).Single(x => x.Name == "HugePagePool");
        Assert.Equal(VirtioFsCheckStatus.Fail, big.Status);
        Assert.Contains("unable to map backing store", big.Message);
        Assert.Contains("Set-VirtioFsHugePage -PageSize 2MiB -Add 272", big.Fix);
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(huge, Fs(), mib: 256), Input()), "HugePagePool"));
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(huge, Fs(), mib: 1024), Input(active: true)), "HugePagePool"));
        var odd = "<memoryBacking><hugepages><page size='16' unit='M'/></hugepages><access mode='shared'/></memoryBacking>";
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(Run(Dom(odd, Fs()), Input()), "HugePagePool"));
    }

    [Fact]
    public void HugePagePoolCountsEachGuestCellInItsOwnPageSize()
    {
        // Cell 0 (1 GiB) in 1 GiB pages, cell 1 (256 MiB) in 2 MiB pages: 1 of 2 free 1 GiB pages and
        // 128 of 240 available 2 MiB pages. Counting all 1.25 GiB in each size would ask 640 x 2 MiB.
        var huge = "<memoryBacking><hugepages><page size='1' unit='G' nodeset='0'/><page size='2' unit='M' nodeset='1'/></hugepages><access mode='shared'/></memoryBacking>";
        var numa = "<cpu><numa><cell id='0' cpus='0' memory='1024' unit='MiB'/><cell id='1' cpus='1' memory='256' unit='MiB'/></numa></cpu>";
        var results = Run(Dom(huge, Fs(), numa, mib: 1280), Input()).Where(x => x.Name == "HugePagePool").ToList();
        Assert.Equal(2, results.Count);
        Assert.All(results, r => Assert.Equal(VirtioFsCheckStatus.Pass, r.Status));
        Assert.Contains(results, r => r.Message.Contains("1GiB pool has 2 pages available; guest cell(s) 0 needs 1", StringComparison.Ordinal));
        Assert.Contains(results, r => r.Message.Contains("2MiB pool has 240 pages available; guest cell(s) 1 needs 128", StringComparison.Ordinal));
    }

    [Fact]
    public void HugePagePoolChecksTheHostNodeACellIsBoundTo()
    {
        // 300 MiB = 150 x 2 MiB pages: enough host-wide (240 available) but not on node 1 (125 free).
        var huge = "<memoryBacking><hugepages><page size='2' unit='M'/></hugepages><access mode='shared'/></memoryBacking>";
        var extra = "<cpu><numa><cell id='0' cpus='0' memory='300' unit='MiB'/></numa></cpu>" +
                    "<numatune><memory mode='strict' nodeset='0-1'/><memnode cellid='0' mode='strict' nodeset='1'/></numatune>";
        var r = Run(Dom(huge, Fs(), extra, mib: 300), Input()).Single(x => x.Name == "HugePagePool");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("on host node 1 has 125 pages available", r.Message, StringComparison.Ordinal);
        Assert.Contains("Set-VirtioFsHugePage -PageSize 2MiB -NumaNode 1 -Add 25", r.Fix, StringComparison.Ordinal);
        var preferred = extra.Replace("<memnode cellid='0' mode='strict'", "<memnode cellid='0' mode='preferred'", StringComparison.Ordinal)
                             .Replace("<memory mode='strict' nodeset='0-1'/>", string.Empty, StringComparison.Ordinal);
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(huge, Fs(), preferred, mib: 300), Input()), "HugePagePool"));
    }

    [Fact]
    public void HugePagePoolFailsForAHostNodeThatDoesNotExist()
    {
        var huge = "<memoryBacking><hugepages><page size='2' unit='M'/></hugepages><access mode='shared'/></memoryBacking>";
        var r = Run(Dom(huge, Fs(), "<numatune><memory mode='strict' nodeset='3'/></numatune>", mib: 64), Input())
            .Where(x => x.Name == "HugePagePool").ToList();
        Assert.Contains(r, x => x.Status == VirtioFsCheckStatus.Fail && x.Message.Contains("host NUMA node 3", StringComparison.Ordinal));
    }

    [Fact]
    public void BootOrderNextToOsBootOrUsedTwiceFails()
    {
        var withOsBoot = DomainDocument.Parse($"""
            <domain type='qemu'><name>vm1</name><memory unit='MiB'>512</memory>{Memfd}
            <os><type arch='x86_64' machine='q35'>hvm</type><boot dev='hd'/></os>
            <devices>{Fs(tail: "<boot order='1'/>")}</devices></domain>
            """, "test");
        var r = Run(withOsBoot, Input()).Single(x => x.Name == "BootOrder");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("per-device boot elements cannot be used together with os/boot elements", r.Message, StringComparison.Ordinal);
        var twice = Dom(Memfd, Fs(tail: "<boot order='2'/>"), devices: "<disk type='file' device='disk'><source file='/x.img'/><target dev='vda' bus='virtio'/><boot order='2'/></disk>");
        Assert.Contains("used for more than one device", Run(twice, Input()).Single(x => x.Name == "BootOrder").Message, StringComparison.Ordinal);
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(Memfd, Fs(tail: "<boot order='3'/>")), Input()), "BootOrder"));
        Assert.DoesNotContain(Run(Dom(Memfd, Fs()), Input()), x => x.Name == "BootOrder");
    }

    [Fact]
    public void AliasUsedTwiceFailsAndOneWithoutUaPrefixWarns()
    {
        var twice = Dom(Memfd, Fs(tail: "<alias name='ua-x'/>") + Fs(tag: "other", tail: "<alias name='ua-x'/>"));
        Assert.All(Run(twice, Input()).Where(x => x.Name == "Alias"), r => Assert.Equal(VirtioFsCheckStatus.Fail, r.Status));
        var plain = Run(Dom(Memfd, Fs(tail: "<alias name='myfs'/>")), Input()).Single(x => x.Name == "Alias");
        Assert.Equal(VirtioFsCheckStatus.Warn, plain.Status);
        Assert.Contains("-Alias ua-myfs", plain.Fix, StringComparison.Ordinal);
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(Memfd, Fs(tail: "<alias name='ua-fs'/>")), Input()), "Alias"));
    }

    [Theory]
    [InlineData("none", VirtioFsCheckStatus.Fail)]
    [InlineData("weird", VirtioFsCheckStatus.Fail)]
    [InlineData("chroot", null)]
    [InlineData("namespace", null)]
    public void SandboxModesLibvirtLacksFail(string mode, VirtioFsCheckStatus? expected)
    {
        var results = Run(Dom(Memfd, Fs(binary: $"<binary><sandbox mode='{mode}'/></binary>")), Input());
        if (expected is null)
        {
            Assert.DoesNotContain(results, x => x.Name == "SandboxMode");
        }
        else
        {
            Assert.Equal(expected, results.Single(x => x.Name == "SandboxMode").Status);
        }
    }

    [Fact]
    public void QueueZeroIsLibvirtsDefaultNotAnError()
    {
        var r = Run(Dom(Memfd, Fs(driver: "queue='0'")), Input()).Single(x => x.Name == "QueueSize");
        Assert.Equal(VirtioFsCheckStatus.Pass, r.Status);
        Assert.Contains("libvirt drops it", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABinaryThatIsNotAVirtiofsdFails()
    {
        var r = Run(Dom(Memfd, Fs(binary: "<binary path='/bin/true'/>")), Input()).Single(x => x.Name == "Daemon");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("does not answer like a virtiofsd", r.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadOnlyAndNewOptionsFailOnOldLibvirt()
    {
        var d = Dom(Memfd, Fs(binary: "<binary><thread_pool size='4'/></binary>", tail: "<readonly/>"));
        var r = Run(d, Input(libvirt: new Version(8, 0, 0))).Single(x => x.Name == "LibvirtVersion");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("virtiofs does not yet support read-only mode", r.Message);
        Assert.Contains("<thread_pool>", r.Message);
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(d, Input(libvirt: new Version(11, 0, 0))), "LibvirtVersion"));
        var sandbox = Dom(Memfd, Fs(binary: "<binary><sandbox mode='chroot'/></binary>"));
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(Run(sandbox, Input(libvirt: new Version(7, 0, 0))), "LibvirtVersion"));
    }

    [Fact]
    public void LockWithTheRustDaemonAndCacheNeverFail()
    {
        var d = Dom(Memfd, Fs(binary: "<binary path='/usr/libexec/virtiofsd'><cache mode='never'/><lock posix='on' flock='on'/></binary>"));
        var r = Run(d, Input());
        var lockResult = r.Single(x => x.Name == "Locking");
        Assert.Equal(VirtioFsCheckStatus.Fail, lockResult.Status);
        Assert.Contains("locking options are not supported by this virtiofsd", lockResult.Message);
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(r, "CacheMode"));
        var c = Run(Dom(Memfd, Fs(binary: "<binary><cache mode='none'/><lock posix='on'/></binary>")), Input());
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(c, "Locking"));
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(c, "CacheMode"));
        var idmap = Dom(Memfd, Fs(binary: "", tail: "").Replace("<source", "<idmap><uid start='0' target='100000' count='65535'/></idmap><source"));
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(Run(idmap, Input(libvirt: new Version(10, 0, 0))), "IdMap"));
    }

    [Fact]
    public void AccessModeHotplugVfioAndWindows()
    {
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(Run(Dom(Memfd, Fs(access: "mapped")), Input()), "AccessMode"));
        Assert.Equal(VirtioFsCheckStatus.Warn, Status(Run(Dom(Memfd, Fs(), "<maxMemory slots='4' unit='GiB'>8</maxMemory>"), Input()), "MemoryHotplug"));
        Assert.Equal(VirtioFsCheckStatus.Warn, Status(Run(Dom(Memfd, Fs(), devices: "<hostdev mode='subsystem' type='pci'/>"), Input()), "Vfio"));
        var win = "<metadata><libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'><libosinfo:os id='http://microsoft.com/win/11'/></libosinfo:libosinfo></metadata>";
        var w = Run(Dom(Memfd, Fs(), win), Input()).Single(x => x.Name == "WindowsGuest");
        Assert.Equal(VirtioFsCheckStatus.Warn, w.Status);
        Assert.Contains("-QueueSize 1024", w.Fix);
        Assert.Contains("WinFsp", w.Fix);
        Assert.Equal(VirtioFsCheckStatus.Pass, Status(Run(Dom(Memfd, Fs(driver: "queue='1024'"), win), Input()), "WindowsGuest"));
        Assert.Equal(VirtioFsCheckStatus.Skip, Status(Run(Dom(Memfd, Fs()), Input()), "WindowsGuest"));
    }

    [Fact]
    public void MigrationIsPredictedAsTheRealStacksAnswered()
    {
        VirtioFsCheckResult Migration(VirtioFsDaemonBinary daemon, Version libvirt, Version qemu, string fs = "") =>
            Run(Dom(Memfd, fs.Length > 0 ? fs : Fs()), Input(daemon, libvirt, qemuVersion: qemu)).Single(x => x.Name == "Migration");

        // Debian 12 (libvirt 9.0, QEMU 7.2): QEMU's blocker, asked by libvirt 8.5+ before its own check.
        var deb12 = Migration(C, new Version(9, 0, 0), new Version(7, 2, 22));
        Assert.Equal(VirtioFsCheckStatus.Warn, deb12.Status);
        Assert.Contains("non-migratable device", deb12.Message);
        // Debian 13 (libvirt 11.3, QEMU 10.0, virtiofsd 1.13.2 with migrate-precopy): allowed.
        Assert.Equal(VirtioFsCheckStatus.Pass, Migration(Rust, new Version(11, 3, 0), new Version(10, 0, 13)).Status);
        // The same libvirt with a daemon that lacks migrate-precopy (measured with a wrapper that hides it).
        var noPrecopy = Migration(C, new Version(11, 3, 0), new Version(10, 0, 13));
        Assert.Equal(VirtioFsCheckStatus.Warn, noPrecopy.Status);
        Assert.Contains("migration with this virtiofs device is not supported", noPrecopy.Message);
        // A QEMU that can, with a libvirt from before virtio-fs migration: libvirt's own refusal.
        Assert.Contains("migration with virtiofs device is not supported", Migration(Rust, new Version(10, 0, 0), new Version(8, 2, 0)).Message);
        // A socket: libvirt does not check the daemon behind it.
        var socket = Migration(Rust, new Version(11, 3, 0), new Version(10, 0, 13), Fs(source: "socket='/run/vfs.sock'"));
        Assert.Equal(VirtioFsCheckStatus.Warn, socket.Status);
        Assert.Contains("behind the socket", socket.Message);
    }

    [Fact]
    public void IdMapFailsWhereLibvirtRunsVirtiofsdAsRootAndPassesInASession()
    {
        string fs = Fs(tail: "<idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>");
        VirtioFsCheckResult IdMap(bool? root) => Run(Dom(Memfd, fs), Input(Rust, new Version(11, 3, 0), runsAsRoot: root)).Single(x => x.Name == "IdMap");

        var system = IdMap(true);
        Assert.Equal(VirtioFsCheckStatus.Fail, system.Status);
        Assert.Contains("virtiofsd died unexpectedly", system.Message);
        Assert.Contains("Start-VirtioFsDaemon -SharedDirectory '/srv/share' -TranslateUid map:0:100000:65536 -TranslateGid map:0:100000:65536 | New-VirtioFsShare -Domain vm1 -Tag 'data'", system.Fix);
        Assert.Equal(VirtioFsCheckStatus.Pass, IdMap(false).Status);
        Assert.Equal(VirtioFsCheckStatus.Skip, IdMap(null).Status);
        // The C daemon has no ID mapping at all, whoever runs it.
        Assert.Contains("C daemon", Run(Dom(Memfd, fs), Input(C, new Version(11, 3, 0), runsAsRoot: false)).Single(x => x.Name == "IdMap").Message);
    }

    [Fact]
    public void SocketsTooLongOrUnreachableForTheQemuUserFail()
    {
        var longPath = "/run/" + new string('s', 110) + ".sock";
        Assert.Equal(VirtioFsCheckStatus.Fail, Status(Run(Dom(Memfd, Fs(source: $"socket='{longPath}'")), Input()), "Socket"));

        // A root-only directory: libvirt-qemu (uid 64055, group kvm 107) cannot enter it.
        var dir = _fake.Dir("run/vfs");
        File.WriteAllText(Path.Combine(dir, "d.sock"), "");
        var qemu = new QemuAccount("libvirt-qemu", 64055, "kvm", 107, [107u]);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var blocked = Run(Dom(Memfd, Fs(source: "socket='/run/vfs/d.sock'")), Input(qemu: qemu)).Single(x => x.Name == "Socket");
        Assert.Equal(VirtioFsCheckStatus.Fail, blocked.Status);
        Assert.Contains("Permission denied", blocked.Message);
        Assert.Contains("cannot enter /run/vfs", blocked.Message);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(Path.Combine(dir, "d.sock"), (UnixFileMode)0b111_000_000);
        }
        var notWritable = Run(Dom(Memfd, Fs(source: "socket='/run/vfs/d.sock'")), Input(qemu: qemu)).Single(x => x.Name == "Socket");
        Assert.Contains("cannot write the socket", notWritable.Message);
        // Not a socket (nobody listens): a warning to start the daemon first.
        File.SetUnixFileMode(Path.Combine(dir, "d.sock"), (UnixFileMode)0b111_111_111);
        Assert.Equal(VirtioFsCheckStatus.Warn, Status(Run(Dom(Memfd, Fs(source: "socket='/run/vfs/d.sock'")), Input(qemu: qemu)), "Socket"));
    }

    [Fact]
    public void QemuAccountComesFromQemuConfOrTheDebianDefault()
    {
        File.WriteAllText(Path.Combine(_fake.Dir("etc"), "passwd"), "root:x:0:0::/root:/bin/sh\nlibvirt-qemu:x:64055:107::/var/lib/libvirt:/usr/sbin/nologin\nqemu2:x:500:500::/:/bin/false\n");
        File.WriteAllText(Path.Combine(_fake.Dir("etc"), "group"), "root:x:0:\nkvm:x:107:\nlibvirt-qemu:x:64055:libvirt-qemu\nq2:x:500:\n");
        File.WriteAllText(Path.Combine(_fake.Dir("etc/libvirt"), "qemu.conf"), "#user = \"root\"\n");
        var a = QemuAccount.Resolve(_fake.Host)!;
        Assert.Equal("libvirt-qemu:kvm", a.ToString());
        Assert.Contains(64055u, a.Groups);
        File.WriteAllText(Path.Combine(_fake.Root, "etc/libvirt/qemu.conf"), "user = \"qemu2\"\ngroup = \"q2\"\n");
        Assert.Equal("qemu2:q2", QemuAccount.Resolve(_fake.Host)!.ToString());
    }

    [Fact]
    public void ADomainWithoutSharesIsSkipped()
    {
        var r = Assert.Single(DomainChecks.Run(Dom("", ""), Input()));
        Assert.Equal(VirtioFsCheckStatus.Skip, r.Status);
    }

    [Fact]
    public void ASystemDirectoryShareFailsAndSaysHowToNarrowIt()
    {
        var r = Run(Dom(Memfd, Fs(source: "dir='/etc'")), Input()).Single(x => x.Name == "SharedDirectory");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("/etc", r.Message);
        Assert.Contains("about_VirtioFs_Security", r.Fix);
    }

    [Fact]
    public void HostExposureWarnsUnlessNosuidNodevReadOnlyOrRootMapped()
    {
        File.WriteAllText(Path.Combine(_fake.Dir("proc"), "mounts"), "/dev/vda / ext4 rw,relatime 0 0\n");
        var open = Run(Dom(Memfd, Fs()), Input()).Single(x => x.Name == "HostExposure");
        Assert.Equal(VirtioFsCheckStatus.Warn, open.Status);
        Assert.Contains("nosuid,nodev", open.Fix);
        Assert.Contains("-ReadOnly", open.Fix);
        Assert.Contains("xattr", open.Fix, StringComparison.OrdinalIgnoreCase);

        Assert.Equal(VirtioFsCheckStatus.Pass, Run(Dom(Memfd, Fs(tail: "<readonly/>")), Input(libvirt: new Version(11, 0, 0))).Single(x => x.Name == "HostExposure").Status);
        var mapped = Fs(binary: "").Replace("<source", "<idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap><source");
        Assert.Equal(VirtioFsCheckStatus.Pass, Run(Dom(Memfd, mapped), Input(daemon: Rust, libvirt: new Version(11, 0, 0))).Single(x => x.Name == "HostExposure").Status);

        File.WriteAllText(Path.Combine(_fake.Root, "proc", "mounts"), "/dev/vda / ext4 rw,relatime 0 0\ntmpfs /srv tmpfs rw,nosuid,nodev,relatime 0 0\n");
        var closed = Run(Dom(Memfd, Fs()), Input()).Single(x => x.Name == "HostExposure");
        Assert.Equal(VirtioFsCheckStatus.Pass, closed.Status);
        Assert.Contains("/srv", closed.Message);
    }

    [Fact]
    public void ATagTheGuestCannotMountFails()
    {
        var r = Run(Dom(Memfd, Fs(tag: "my share")), Input()).Single(x => x.Name == "TagLength");
        Assert.Equal(VirtioFsCheckStatus.Fail, r.Status);
        Assert.Contains("white space", r.Message);
    }

    public void Dispose() => _fake.Dispose();
}
