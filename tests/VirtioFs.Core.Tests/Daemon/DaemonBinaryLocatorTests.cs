// SPDX-License-Identifier: MIT
using System.IO;
using System.Linq;
using VirtioFs.Daemon;
using Xunit;

namespace VirtioFs.Tests.Core.Daemon;

public sealed class DaemonBinaryLocatorTests
{
    private static void Exe(FakeHostTree t, string absolute)
    {
        t.Write(absolute, "#!/bin/sh\n");
        VirtioFs.Platform.UnixFile.SetMode(t.P(absolute), (UnixFileMode)0b111_101_101);
    }

    private static string Descriptor(string type, string binary) =>
        $"{{\"description\": \"test\", \"type\": \"{type}\", \"binary\": \"{binary}\"}}";

    [Fact]
    public void EtcOverridesShareByFileNameAndXdgOverridesBoth()
    {
        using var t = new FakeHostTree();
        Exe(t, "/usr/lib/qemu/virtiofsd");
        Exe(t, "/opt/wrapped/virtiofsd");
        Exe(t, "/opt/user/virtiofsd");
        Exe(t, "/usr/lib/qemu/vhost-user-gpu");
        t.Write("/usr/share/qemu/vhost-user/50-qemu-virtiofsd.json", Descriptor("fs", "/usr/lib/qemu/virtiofsd"));
        t.Write("/usr/share/qemu/vhost-user/50-qemu-gpu.json", Descriptor("gpu", "/usr/lib/qemu/vhost-user-gpu"));
        var host = new DaemonHost { Root = t.Host, XdgConfigHome = t.P("/home/u/.config"), SearchPath = "" };

        var found = new DaemonBinaryLocator(host).Find();
        Assert.Equal("/usr/lib/qemu/virtiofsd", found[0].Path);
        Assert.Equal("Descriptor", found[0].Source);
        Assert.Single(found); // the gpu descriptor is not a filesystem daemon; the well-known path is the same file

        t.Write("/etc/qemu/vhost-user/50-qemu-virtiofsd.json", Descriptor("fs", "/opt/wrapped/virtiofsd"));
        found = new DaemonBinaryLocator(host).Find();
        Assert.Equal("/opt/wrapped/virtiofsd", found[0].Path);
        Assert.Equal(t.P("/etc/qemu/vhost-user/50-qemu-virtiofsd.json"), found[0].DescriptorPath);
        Assert.Equal("/usr/lib/qemu/virtiofsd", found[1].Path);
        Assert.Equal("WellKnownPath", found[1].Source);

        t.Write("/home/u/.config/qemu/vhost-user/50-qemu-virtiofsd.json", Descriptor("fs", "/opt/user/virtiofsd"));
        Assert.Equal("/opt/user/virtiofsd", new DaemonBinaryLocator(host).Find()[0].Path);
    }

    [Fact]
    public void DescriptorsAreTakenInFileNameOrderAndBrokenOnesSkipped()
    {
        using var t = new FakeHostTree();
        Exe(t, "/usr/libexec/virtiofsd");
        Exe(t, "/usr/lib/qemu/virtiofsd");
        t.Write("/usr/share/qemu/vhost-user/50-qemu-virtiofsd.json", Descriptor("fs", "/usr/lib/qemu/virtiofsd"));
        t.Write("/usr/share/qemu/vhost-user/40-virtiofsd.json", Descriptor("fs", "/usr/libexec/virtiofsd"));
        t.Write("/usr/share/qemu/vhost-user/10-broken.json", "{ not json");
        t.Write("/usr/share/qemu/vhost-user/20-missing.json", Descriptor("fs", "/nowhere/virtiofsd"));
        var found = new DaemonBinaryLocator(new DaemonHost { Root = t.Host, XdgConfigHome = null, SearchPath = "" }).Find();
        Assert.Equal(["/usr/libexec/virtiofsd", "/usr/lib/qemu/virtiofsd"], found.Select(c => c.Path));
        Assert.All(found, c => Assert.Equal("Descriptor", c.Source));
    }

    [Fact]
    public void WellKnownPathsThenPath()
    {
        using var t = new FakeHostTree();
        Exe(t, "/usr/lib/virtiofsd");
        Exe(t, "/bin2/virtiofsd");
        t.Write("/bin3/virtiofsd", "not executable");
        var host = new DaemonHost { Root = t.Host, XdgConfigHome = null, SearchPath = $"{t.P("/bin3")}:{t.P("/bin2")}" };
        var found = new DaemonBinaryLocator(host).Find();
        Assert.Equal(["/usr/lib/virtiofsd", t.P("/bin2/virtiofsd")], found.Select(c => c.Path));
        Assert.Equal(["WellKnownPath", "PATH"], found.Select(c => c.Source));
    }

    [Fact]
    public void NothingFoundIsEmpty()
    {
        using var t = new FakeHostTree();
        Assert.Empty(new DaemonBinaryLocator(new DaemonHost { Root = t.Host, XdgConfigHome = null, SearchPath = "" }).Find());
    }
}
