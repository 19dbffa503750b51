// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

/// <summary>
/// The option table drives the XML reader and writer, -Reset, the version gates, the dialect rule and
/// the value rules. Each option needs a sample here: a new entry without one fails the first test,
/// which is the "plus its test" of adding an option.
/// </summary>
public sealed class ShareOptionTableTests
{
    /// <summary>A value per option and the XML it must produce inside &lt;filesystem&gt;.</summary>
    private static readonly Dictionary<string, (object Value, string Xml)> Samples = new()
    {
        ["QueueSize"] = (512, "<driver type='virtiofs' queue='512'/>"),
        ["Iommu"] = (true, "<driver type='virtiofs' iommu='on'/>"),
        ["Ats"] = (false, "<driver type='virtiofs' ats='off'/>"),
        ["Packed"] = (true, "<driver type='virtiofs' packed='on'/>"),
        ["PagePerVq"] = (true, "<driver type='virtiofs' page_per_vq='on'/>"),
        ["BinaryPath"] = ("/usr/libexec/virtiofsd", "<binary path='/usr/libexec/virtiofsd'/>"),
        ["Xattr"] = (false, "<binary xattr='off'/>"),
        ["Cache"] = (VirtioFsCacheMode.Always, "<binary><cache mode='always'/></binary>"),
        ["Sandbox"] = (VirtioFsSandboxMode.Chroot, "<binary><sandbox mode='chroot'/></binary>"),
        ["PosixLock"] = (true, "<binary><lock posix='on'/></binary>"),
        ["Flock"] = (false, "<binary><lock flock='off'/></binary>"),
        ["ThreadPoolSize"] = (4, "<binary><thread_pool size='4'/></binary>"),
        ["OpenFilesMax"] = (5000L, "<binary><openfiles max='5000'/></binary>"),
        ["UidMap"] = (new[] { new VirtioFsIdMapEntry(0, 100000, 65536) }, "<idmap><uid start='0' target='100000' count='65536'/></idmap>"),
        ["GidMap"] = (new[] { new VirtioFsIdMapEntry(0, 200000, 1000) }, "<idmap><gid start='0' target='200000' count='1000'/></idmap>"),
        ["ReadOnly"] = (true, "<readonly/>"),
        ["BootOrder"] = (2, "<boot order='2'/>"),
        ["Alias"] = ("ua-share0", "<alias name='ua-share0'/>"),
    };

    private static XElement Fresh() => FilesystemElement.Create(new ShareSettings { Tag = "t", Source = "/srv/t" });

    public static IEnumerable<object[]> SettableNames => ShareOptions.Settable.Select(o => new object[] { o.Name });

    [Fact]
    public void EveryOptionHasASampleAndOnlyTheLocationIsNotSettable()
    {
        Assert.Equal(Samples.Keys.Order(), ShareOptions.Settable.Select(o => o.Name).Order());
        Assert.Equal(["SocketPath"], ShareOptions.All.Except(ShareOptions.Settable).Select(o => o.Name));
    }

    [Theory]
    [MemberData(nameof(SettableNames))]
    public void AnOptionIsWrittenWhereLibvirtPutsItReadBackAndReset(string name)
    {
        var option = ShareOptions.Find(name)!;
        var (value, xml) = Samples[name];
        var settings = new ShareSettings { Tag = "t", Source = "/srv/t" };
        option.SetAsked(settings, value);
        var fs = FilesystemElement.Create(settings);

        var expected = XElement.Parse(xml);
        var written = fs.Element(expected.Name)!;
        Assert.True(XNode.DeepEquals(expected, Strip(written)), $"{name}: wrote {written}, want {expected}");
        var read = FilesystemElement.Read(fs);
        Assert.True(option.IsUsed(read), $"{name} reads back as not set");
        Assert.Equal(Show(value), Show(option.ValueOf(read)));

        var reset = new ShareSettings();
        reset.Reset.Add(name);
        FilesystemElement.Apply(fs, reset);
        Assert.False(option.IsUsed(FilesystemElement.Read(fs)), $"{name} survives -Reset");
        Assert.True(XNode.DeepEquals(Strip(Fresh()), Strip(fs)), $"{name}: -Reset left {fs}");
    }

    [Fact]
    public void ResetCoversEverySettableOptionAndNothingElse()
    {
        Assert.Equal(ShareOptions.Settable.Select(o => o.Name).Order(), ShareOptions.ResettableNames.Order());
    }

    [Fact]
    public void DaemonOnlyOptionsAreThoseOfBinaryAndIdmap()
    {
        Assert.Equal(["binary", "idmap"], ShareOptions.All.Where(o => o.DaemonOnly).Select(o => o.Slot.Path[0]).Distinct().Order());
        var s = new ShareSettings { Tag = "t", SocketPath = "/run/x.sock" };
        ShareOptions.Cache.SetAsked(s, VirtioFsCacheMode.Always);
        ShareOptions.UidMap.SetAsked(s, new[] { new VirtioFsIdMapEntry(0, 1, 1) });
        Assert.Equal(["Cache", "UidMap"], s.DaemonOptionsGiven().Order());
    }

    [Fact]
    public void VersionGatesComeFromTheTable()
    {
        var share = FilesystemElement.Read(XElement.Parse(
            "<filesystem type='mount'><driver type='virtiofs'/><binary><thread_pool size='2'/><openfiles max='9'/></binary><source dir='/s'/><target dir='t'/><readonly/></filesystem>"));
        Assert.Equal(["OpenFilesMax", "ReadOnly", "ThreadPoolSize"], ShareOptions.TooNewFor(share, new Version(8, 0, 0)).Select(o => o.Name).Order());
        Assert.Equal(["OpenFilesMax", "ReadOnly"], ShareOptions.TooNewFor(share, new Version(9, 0, 0)).Select(o => o.Name).Order());
        Assert.Empty(ShareOptions.TooNewFor(share, new Version(11, 0, 0)));
    }

    [Fact]
    public void LocksNeedTheCDaemonAndIdMapsTheRustOne()
    {
        var share = FilesystemElement.Read(XElement.Parse(
            "<filesystem type='mount'><driver type='virtiofs'/><binary><lock posix='off'/></binary><idmap><uid start='0' target='1' count='1'/></idmap><source dir='/s'/><target dir='t'/></filesystem>"));
        Assert.Equal(["PosixLock"], ShareOptions.UnsupportedBy(share, DaemonDialects.Rust).Select(o => o.Name));
        Assert.Equal(["UidMap"], ShareOptions.UnsupportedBy(share, DaemonDialects.C).Select(o => o.Name));
        Assert.Empty(ShareOptions.UnsupportedBy(share, DaemonDialects.Both));
        Assert.Equal(ErrorIds.LockNeedsCVirtiofsd, ShareOptions.PosixLock.DialectErrorId);
        Assert.Equal(ErrorIds.IdMapNeedsRustVirtiofsd, ShareOptions.UidMap.DialectErrorId);
    }

    [Theory]
    [InlineData("QueueSize", 3, "InvalidQueueSize")]
    [InlineData("QueueSize", 2048, "InvalidQueueSize")]
    [InlineData("ThreadPoolSize", -1, "InvalidThreadPoolSize")]
    [InlineData("OpenFilesMax", 0L, "InvalidOpenFilesMax")]
    [InlineData("BinaryPath", "virtiofsd", "BinaryPathNotAbsolute")]
    [InlineData("BootOrder", 0, "InvalidBootOrder")]
    public void ValueRulesRefuseBadValues(string name, object value, string id)
    {
        Assert.Equal(id, ShareOptions.Find(name)!.Check(value)?.ErrorId);
        Assert.Null(ShareOptions.Find(name)!.Check(Samples[name].Value));
    }

    private static string Show(object? v) => v switch
    {
        IEnumerable<VirtioFsIdMapEntry> list => string.Join(",", list),
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "(null)",
    };

    private static XElement Strip(XElement e)
    {
        var copy = new XElement(e);
        foreach (var t in copy.DescendantNodes().OfType<XText>().Where(t => string.IsNullOrWhiteSpace(t.Value)).ToList())
        {
            t.Remove();
        }
        return copy;
    }
}
