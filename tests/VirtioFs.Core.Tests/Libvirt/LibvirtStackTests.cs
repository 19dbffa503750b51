// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Net.Sockets;
using VirtioFs.Daemon;
using VirtioFs.Libvirt;
using VirtioFs.Platform;
using VirtioFs.Tests.Core.Daemon;
using Xunit;

namespace VirtioFs.Tests.Core.Libvirt;

/// <summary>
/// What the libvirt of a connection runs and sees, never this machine's facts for a libvirt elsewhere. The fake root is
/// laid out as Debian 13's is (descriptor, dpkg database); the real stack is driven in E2E.Stacks.Tests.ps1.
/// </summary>
public sealed class LibvirtStackTests : IDisposable
{
    private readonly FakeHostTree _root = new();

    public void Dispose() => _root.Dispose();

    /// <summary>Debian 13's virtiofsd as packaged: a descriptor with features, the binary, the dpkg records.</summary>
    private string Trixie(string features = "\"migrate-precopy\", \"separate-options\"")
    {
        _root.Write("/usr/share/qemu/vhost-user/50-virtiofsd.json",
            $"{{\"description\": \"virtiofsd vhost-user-fs\", \"type\": \"fs\", \"binary\": \"/usr/libexec/virtiofsd\", \"features\": [{features}]}}");
        // Running it would leave a mark: another system's binary must be described, never run.
        string mark = _root.P("/ran");
        _root.Write("/usr/libexec/virtiofsd", $"#!/bin/sh\ntouch '{mark}'\necho virtiofsd 9.9.9\n");
        File.SetUnixFileMode(_root.P("/usr/libexec/virtiofsd"), (UnixFileMode)0b111_101_101);
        _root.Write("/var/lib/dpkg/info/virtiofsd.list", "/.\n/usr\n/usr/libexec\n/usr/libexec/virtiofsd\n");
        _root.Write("/var/lib/dpkg/info/libc6:amd64.list", "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
        _root.Write("/var/lib/dpkg/status", "Package: libc6\nVersion: 2.41-12\n\nPackage: virtiofsd\nStatus: install ok installed\nVersion: 1.13.2-1+deb13u1\n\n");
        return mark;
    }

    private LibvirtStack Stack(bool session = false, uint? uid = 0, string? configHome = null) =>
        new("qemu+unix:///system?socket=/x/run/libvirt/libvirt-sock", new Version(11, 3, 0), new Version(10, 0, 13), session, uid,
            _root.Host, "the fake root", sessionConfigHome: configHome);

    [Fact]
    public void AnotherSystemsVirtiofsdIsDescribedFromItsDescriptorAndPackageWithoutRunningIt()
    {
        string mark = Trixie();
        var stack = Stack();
        var d = stack.DaemonFor(null)!;
        Assert.Equal("/usr/libexec/virtiofsd", d.Path);
        Assert.Equal(VirtioFsDaemonDialect.Rust, d.Dialect);
        Assert.Equal(new Version(1, 13, 2), d.Version);
        Assert.Equal(["migrate-precopy", "separate-options"], d.Features);
        Assert.Equal("/usr/share/qemu/vhost-user/50-virtiofsd.json", d.DescriptorPath);
        Assert.Contains("virtiofsd 1.13.2-1+deb13u1", d.VersionText, StringComparison.Ordinal);
        Assert.Contains("not run", d.VersionText, StringComparison.Ordinal);
        Assert.False(stack.CanRunBinaries);
        Assert.False(File.Exists(mark));
        Assert.Single(stack.AllDaemons(default, out var error));
        Assert.Null(error);
        Assert.False(File.Exists(mark));
        Assert.Equal("libvirt 11.3.0, QEMU 10.0.13, virtiofsd /usr/libexec/virtiofsd (Rust 1.13.2)", stack.Summary);
    }

    [Fact]
    public void ANamedBinaryTakesTheFeaturesOfTheDescriptorThatNamesIt()
    {
        Trixie("\"separate-options\"");
        var d = Stack().DaemonFor("/usr/libexec/virtiofsd")!;
        Assert.Equal("Explicit", d.Source);
        Assert.DoesNotContain("migrate-precopy", d.Features);
        Assert.Null(Stack().DaemonFor("/usr/bin/not-there"));
    }

    [Fact]
    public void ASessionReadsItsUsersDescriptorsAndSystemDoesNot()
    {
        _root.Write("/home/u/.config/qemu/vhost-user/60-mine.json", "{\"type\": \"fs\", \"binary\": \"/usr/libexec/virtiofsd\", \"features\": [\"migrate-precopy\"]}");
        _root.Write("/usr/libexec/virtiofsd", "#!/bin/sh\n");
        File.SetUnixFileMode(_root.P("/usr/libexec/virtiofsd"), (UnixFileMode)0b111_101_101);
        Assert.Equal("/home/u/.config/qemu/vhost-user/60-mine.json", Stack(session: true, uid: 2501, configHome: _root.P("/home/u/.config")).DaemonFor(null)!.DescriptorPath);
        var system = Stack(configHome: _root.P("/home/u/.config")).DaemonFor(null)!;
        Assert.Equal("WellKnownPath", system.Source);
        Assert.Equal("/home/u/.config/libvirt/qemu.conf", Stack(session: true, uid: 2501, configHome: _root.P("/home/u/.config")).QemuConfigPath);
        Assert.Equal("/etc/libvirt/qemu.conf", Stack().QemuConfigPath);
    }

    [Theory]
    [InlineData(false, 0u, true)]
    [InlineData(false, null, true)]
    [InlineData(true, 2501u, false)]
    [InlineData(true, null, false)]
    [InlineData(true, 0u, true)]      // a session libvirtd of root runs virtiofsd as root too
    public void WhomLibvirtRunsVirtiofsdAsComesFromTheDaemonsUid(bool session, uint? uid, bool root) =>
        Assert.Equal(root, Stack(session, uid).RunsDaemonAsRoot);

    [Fact]
    public void AnotherMachineHasNoFileViewAndNothingOfThisOneIsTakenForIt()
    {
        var view = LibvirtStack.Locate(LibvirtUri.Parse("qemu+ssh://root@kvm01.example.net/system"));
        Assert.Null(view.Files);
        var stack = new LibvirtStack("qemu+ssh://root@kvm01.example.net/system", new Version(10, 0, 0), null, false, null, null, view.Description);
        Assert.Null(stack.DaemonFor(null));
        Assert.Contains("another machine", stack.DaemonProblem, StringComparison.Ordinal);
        Assert.Empty(stack.AllDaemons(default, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void ASocketUnderAnotherRootNamesThatRoot()
    {
        Directory.CreateDirectory(_root.P("/usr"));
        Directory.CreateDirectory(_root.P("/etc"));
        Assert.Equal(_root.Root, LibvirtStack.RootOfSocket(_root.P("/run/libvirt/libvirt-sock")));
        Assert.Equal(_root.Root, LibvirtStack.RootOfSocket(_root.P("/run/user/2501/libvirt/virtqemud-sock")));
        Assert.Null(LibvirtStack.RootOfSocket("/run/libvirt/libvirt-sock"));
        Assert.Null(LibvirtStack.RootOfSocket(_root.P("/tmp/some.sock")));
    }

    [Fact]
    public void TheLibvirtdBehindASocketIsAskedWhoItIs()
    {
        // A listener of this process stands for libvirtd: same mount namespace, so this host's files, and our uid.
        string path = _root.P("/run/libvirt/libvirt-sock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var peer = UnixSocketPeer.Of(path)!;
        Assert.Equal(Environment.ProcessId, peer.ProcessId);
        Assert.Equal(LibC.GetUid(), peer.Uid);
        var view = LibvirtStack.Locate(LibvirtUri.Parse($"qemu+unix:///session?socket={path}"));
        Assert.True(view.Files!.IsReal);
        Assert.Equal(LibC.GetUid(), view.Uid);
        Assert.Null(UnixSocketPeer.Of(_root.P("/run/nothing")));
    }

    [Theory]
    [InlineData("1.13.2-1+deb13u1", "1.13.2")]
    [InlineData("1:7.2+dfsg-7+deb12u18+b3", "7.2.0")]
    [InlineData("1:10.0.13+ds-0+deb13u1", "10.0.13")]
    [InlineData("garbage", null)]
    public void DebianVersionsGiveTheUpstreamVersion(string debian, string? upstream) =>
        Assert.Equal(upstream is null ? null : Version.Parse(upstream), DaemonBinaryDescription.UpstreamVersion(debian));

    [Fact]
    public void AProcessRootReadsItsMountTableFromProc()
    {
        var r = HostRoot.OfProcess(4242);
        Assert.Equal("/proc/4242/mounts", r.Path("/proc/mounts"));
        Assert.Equal("/proc/4242/root/etc/libvirt/qemu.conf", r.Path("/etc/libvirt/qemu.conf"));
        Assert.Equal("/etc/x", r.HostPathOf("/proc/4242/root/etc/x"));
    }

    [Fact]
    public void ALoaderErrorIsNoVersion()
    {
        var b = DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/x/usr/libexec/virtiofsd", "Explicit", null),
            "/x/usr/libexec/virtiofsd: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.39' not found (required by /x/usr/libexec/virtiofsd)", "", "");
        Assert.Null(b.Version);
        Assert.Contains("GLIBC_2.39", b.VersionText, StringComparison.Ordinal);
    }
}
