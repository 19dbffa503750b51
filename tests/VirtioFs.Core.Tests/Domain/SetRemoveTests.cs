// SPDX-License-Identifier: MIT
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public class SetRemoveTests
{
    private static DomainEdit Update(string tag, ShareSettings s) =>
        ShareEditor.Update(Fixtures.Load("several-filesystems.xml"), tag, s, VirtioFsSharedMemoryChoice.Auto, Fixtures.NoHostChecks);

    [Fact]
    public void Set_changes_only_what_was_asked_and_keeps_the_address()
    {
        var edit = Update("data", new ShareSettings { QueueSize = 256, Cache = VirtioFsCacheMode.None });
        var share = ShareEditor.List(edit.After).Single(s => s.Tag == "data");
        Assert.Equal(256, share.QueueSize);
        Assert.Equal(VirtioFsCacheMode.None, share.Cache);
        Assert.Equal(VirtioFsSandboxMode.Chroot, share.Sandbox);
        Assert.Equal(16, share.ThreadPoolSize);
        Assert.Equal("pci 0000:07:00.0", share.Address);
        Assert.Contains("QueueSize: 1024 -> 256", edit.Changes);
        var diff = edit.Diff("f");
        Assert.Equal(2, diff.Split('\n').Count(l => l.StartsWith('-') && !l.StartsWith("---")));
        Fixtures.AssertValidDomain(edit.NewXml);
    }

    [Fact]
    public void Reset_removes_options_and_empty_elements()
    {
        var s = new ShareSettings();
        foreach (var o in new[] { "Cache", "Sandbox", "PosixLock", "Flock", "ThreadPoolSize", "Xattr", "BinaryPath", "QueueSize", "Alias" })
        {
            s.Reset.Add(o);
        }
        var edit = Update("data", s);
        var fs = XElement.Parse(edit.DeviceXml);
        Assert.Null(fs.Element("binary"));
        Assert.Null(fs.Element("alias"));
        Assert.Null(fs.Element("driver")!.Attribute("queue"));
        Assert.Equal("virtiofs", (string?)fs.Element("driver")!.Attribute("type"));
        Fixtures.AssertValidDomain(edit.NewXml);
    }

    [Fact]
    public void Rename_checks_the_new_tag()
    {
        var renamed = Update("data", new ShareSettings { Tag = "data2" });
        Assert.Contains(ShareEditor.List(renamed.After), s => s.Tag == "data2");
        Assert.Equal("TagExists", Assert.Throws<VirtioFsException>(() => Update("data", new ShareSettings { Tag = "media" })).ErrorId);
        Assert.Equal("TagTooLong", Assert.Throws<VirtioFsException>(() => Update("data", new ShareSettings { Tag = new string('x', 40) })).ErrorId);
    }

    [Fact]
    public void Switching_to_an_external_socket_drops_the_daemon_options()
    {
        var edit = Update("data", new ShareSettings { SocketPath = "/run/virtiofs/data.sock" });
        var share = ShareEditor.List(edit.After).Single(s => s.Tag == "data");
        Assert.Equal("/run/virtiofs/data.sock", share.SocketPath);
        Assert.Null(share.Source);
        Assert.Null(share.BinaryPath);
        Assert.Equal("external", share.DaemonMode);
        Fixtures.AssertValidDomain(edit.NewXml);
    }

    [Fact]
    public void Set_refuses_a_9p_filesystem_and_unknown_tags()
    {
        Assert.Equal("NotVirtioFs", Assert.Throws<VirtioFsException>(() => Update("ninep", new ShareSettings { QueueSize = 64 })).ErrorId);
        var e = Assert.Throws<VirtioFsException>(() => Update("nope", new ShareSettings { QueueSize = 64 }));
        Assert.Equal("ShareNotFound", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.ObjectNotFound, e.Kind);
    }

    [Fact]
    public void Remove_takes_out_one_share_and_its_line_only()
    {
        var doc = Fixtures.Load("several-filesystems.xml");
        var edit = ShareEditor.Remove(doc, "media");
        Assert.DoesNotContain(ShareEditor.List(edit.After), s => s.Tag == "media");
        Assert.Contains(ShareEditor.List(edit.After), s => s.Tag == "data");
        Assert.Contains("<target dir='ninep'/>", edit.NewXml);
        string[] removed = edit.Diff("f").Split('\n').Where(l => l.StartsWith('-') && !l.StartsWith("---")).ToArray();
        Assert.Equal(5, removed.Length);
        Assert.Equal("media", (string?)XElement.Parse(edit.DeviceXml).Element("target")!.Attribute("dir"));
        Fixtures.AssertValidDomain(edit.NewXml);
    }

    [Fact]
    public void List_reads_only_virtiofs_shares_with_their_options()
    {
        var shares = ShareEditor.List(Fixtures.Load("several-filesystems.xml"));
        Assert.Equal(new[] { "data", "media" }, shares.Select(s => s.Tag));
        var data = shares[0];
        Assert.Equal("multi01", data.Domain);
        Assert.Equal(1024, data.QueueSize);
        Assert.True(data.Xattr);
        Assert.True(data.PosixLock);
        Assert.True(data.Flock);
        Assert.Equal("ua-data", data.Alias);
        Assert.Equal("libvirt", data.DaemonMode);
        Assert.True(data.SharedMemoryReady);
    }
}
