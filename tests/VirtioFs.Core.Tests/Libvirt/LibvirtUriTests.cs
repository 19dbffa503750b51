// SPDX-License-Identifier: MIT
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using Xunit;

namespace VirtioFs.Tests.Core.Libvirt;

public sealed class LibvirtUriTests
{
    [Theory]
    [InlineData("qemu:///system", true)]
    [InlineData("qemu:///session", true)]
    [InlineData("qemu+unix:///system?socket=/x/run/libvirt/libvirt-sock", true)]
    [InlineData("qemu+tcp://localhost/system", true)]
    [InlineData("qemu+ssh://LOCALHOST/system", true)]
    [InlineData("qemu+ssh://[::1]/system", true)]
    [InlineData("qemu+ssh://root@127.0.0.1/system", true)]
    [InlineData("qemu+ssh://root@127.0.0.1:2222/system", false)]   // a tunnel to another machine
    [InlineData("qemu+ssh://[::1]:2222/system", false)]
    [InlineData("qemu+ssh://root@127.0.0.2:4022/system?keyfile=/k", false)]
    [InlineData("qemu+ssh://kvm01.example.net/system", false)]
    public void ThisHostIsDecidedFromTheHostPart(string uri, bool local) => Assert.Equal(local, LibvirtUri.Parse(uri).IsThisHost);

    [Fact]
    public void PartsAreReadIncludingIpv6AndParameters()
    {
        var u = LibvirtUri.Parse("qemu+ssh://admin@[fe80::1]:2222/system?keyfile=/home/a/.ssh/id&no_verify=1");
        Assert.Equal("ssh", u.Transport);
        Assert.Equal("admin", u.User);
        Assert.Equal("fe80::1", u.Host);
        Assert.Equal(2222, u.Port);
        Assert.Equal("/system", u.Path);
        Assert.Equal("/home/a/.ssh/id", u.Parameter("keyfile"));
        Assert.True(u.IsSsh);
        Assert.False(u.IsSession);
        Assert.True(LibvirtUri.Parse("qemu:///session").IsSession);
    }

    [Theory]
    [InlineData("qemu+ssh://h/system", "qemu+ssh://h/system?no_tty=1")]
    [InlineData("qemu+ssh://h/system?keyfile=/k", "qemu+ssh://h/system?keyfile=/k&no_tty=1")]
    [InlineData("qemu+ssh://h/system?no_tty=0", "qemu+ssh://h/system?no_tty=0")]
    [InlineData("qemu+libssh://h/system", "qemu+libssh://h/system")]
    [InlineData("qemu:///system", "qemu:///system")]
    public void SshNeverWaitsOnATerminal(string given, string passed) => Assert.Equal(passed, LibvirtUri.Parse(given).ForLibvirt());

    // The messages libvirt 9.0 gave through virConnectOpenAuth for each transport failure (issue 10 probe).
    [Theory]
    [InlineData(38, "Cannot recv data: ssh: connect to host 127.0.0.2 port 1: Connection refused: Connection reset by peer", "HostUnreachable")]
    [InlineData(38, "Cannot recv data: ssh: Could not resolve hostname no-such-host.invalid: Name or service not known: Connection reset by peer", "HostUnreachable")]
    [InlineData(38, "Cannot recv data: Connection timed out during banner exchange\nConnection to 127.0.0.6 port 9 timed out: Connection reset by peer", "HostUnreachable")]
    [InlineData(5, "no connection driver available for SSH session handshake failed: Timeout connecting to 127.0.0.6", "HostUnreachable")]
    [InlineData(38, "Cannot recv data: root@127.0.0.2: Permission denied (publickey).: Connection reset by peer", "SshAuthFailed")]
    [InlineData(98, "libssh transport error: failed to authenticate: Access denied for 'publickey'. Authentication that can continue: publickey", "SshAuthFailed")]
    [InlineData(45, "authentication failed: All provided authentication methods with credentials were rejected by the server", "SshAuthFailed")]
    [InlineData(38, "Cannot recv data: No ED25519 host key is known for [127.0.0.2]:4022 and you have requested strict checking.\nHost key verification failed.: Connection reset by peer", "SshHostKeyUnknown")]
    [InlineData(98, "libssh transport error: No user interaction callback provided: Can't verify the session host key", "SshHostKeyUnknown")]
    [InlineData(38, "End of file while reading data: virt-ssh-helper: cannot connect to '/var/run/libvirt/libvirt-sock': Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory: Input/output error", "LibvirtNotRunning")]
    [InlineData(38, "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory", "LibvirtNotRunning")]
    [InlineData(1, "something else entirely", "LibvirtConnectFailed")]
    public void TransportFailuresGetTheirOwnIds(int code, string message, string id)
    {
        var e = ConnectFailure.Classify(LibvirtUri.Parse("qemu+ssh://root@127.0.0.2:4022/system"), code, message);
        Assert.Equal(id, e.ErrorId);
        Assert.Equal("qemu+ssh://root@127.0.0.2:4022/system", e.Target);
        Assert.False(string.IsNullOrWhiteSpace(e.RecommendedAction));
        Assert.Contains(message.Split('\n')[0], e.Message);
    }
}
