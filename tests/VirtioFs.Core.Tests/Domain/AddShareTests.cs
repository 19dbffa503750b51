// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Domain;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public class AddShareTests
{
    private static DomainEdit Add(string file, ShareSettings? s = null, VirtioFsSharedMemoryChoice mem = VirtioFsSharedMemoryChoice.Auto) =>
        ShareEditor.Add(Fixtures.Load(file), s ?? Fixtures.Share(), "passthrough", mem, null, Fixtures.NoHostChecks);

    public static IEnumerable<object[]> DomainFiles() =>
        Fixtures.AllDomainFiles.Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(DomainFiles))]
    public void Adding_a_share_gives_xml_libvirt_accepts_and_shared_memory(string file)
    {
        var edit = Add(file, Fixtures.Share("newshare"));
        Fixtures.AssertValidDomain(edit.NewXml);
        var after = DomainDocument.Parse(edit.NewXml, file);
        Assert.True(SharedMemoryInspector.Inspect(after).VirtioFsReady);
        var share = ShareEditor.List(after).Single(s => s.Tag == "newshare");
        Assert.Equal("/srv/data", share.Source);
        Assert.True(share.SharedMemoryReady);
    }

    [Theory]
    [MemberData(nameof(DomainFiles))]
    public void Adding_a_share_only_adds_or_changes_the_lines_it_must(string file)
    {
        string before = Fixtures.Text(file);
        var edit = Add(file, Fixtures.Share("newshare"));
        var kept = before.Split('\n');
        var now = edit.NewXml.Split('\n').ToList();
        // Every original line is still there in order, except NUMA cells that had to become shared.
        int at = 0;
        foreach (string line in kept)
        {
            if (line.Contains("<cell ", System.StringComparison.Ordinal) && !line.Contains("memAccess='shared'", System.StringComparison.Ordinal))
            {
                continue;
            }
            int found = now.IndexOf(line, at);
            Assert.True(found >= 0, $"line lost or reordered: {line}");
            at = found + 1;
        }
    }

    [Fact]
    public void The_new_filesystem_goes_after_existing_filesystems_with_libvirt_indentation()
    {
        var edit = Add("q35-full.xml");
        string xml = edit.NewXml;
        int legacy = xml.IndexOf("<target dir='legacy'/>", System.StringComparison.Ordinal);
        int added = xml.IndexOf("<target dir='data'/>", System.StringComparison.Ordinal);
        int iface = xml.IndexOf("<interface type='network'>", System.StringComparison.Ordinal);
        Assert.True(legacy < added && added < iface);
        Assert.Contains("\n    <filesystem type='mount' accessmode='passthrough'>\n      <driver type='virtiofs'/>\n      <source dir='/srv/data'/>\n      <target dir='data'/>\n    </filesystem>\n", xml);
        Assert.Contains("\n  <memoryBacking>\n    <source type='memfd'/>\n    <access mode='shared'/>\n  </memoryBacking>\n  <vcpu", xml);
        Assert.Contains("<qemu:commandline>", xml);
        Assert.Contains("passwd='s3cret'", xml);
        Assert.Contains("<libosinfo:os id=\"http://debian.org/debian/12\"/>", xml);
    }

    [Fact]
    public void Every_libvirt_option_is_written_in_libvirt_order()
    {
        var s = new ShareSettings
        {
            Tag = "all", Source = "/srv/all", QueueSize = 512, Cache = VirtioFsCacheMode.Always, Xattr = true,
            PosixLock = true, Flock = false, Sandbox = VirtioFsSandboxMode.Chroot, ThreadPoolSize = 8, OpenFilesMax = 100000,
            BinaryPath = "/usr/lib/qemu/virtiofsd", ReadOnly = true, Alias = "ua-all",
            UidMap = new[] { new VirtioFsIdMapEntry(0, 100000, 65536) }, GidMap = new[] { new VirtioFsIdMapEntry(0, 200000, 1000) },
            Iommu = true, Ats = false, Packed = true, PagePerVq = true,
        };
        var edit = Add("aarch64-virt.xml", s);
        var fs = XElement.Parse(edit.DeviceXml);
        Assert.Equal(new[] { "driver", "binary", "idmap", "source", "target", "readonly", "alias" }, fs.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(new[] { "cache", "sandbox", "lock", "thread_pool", "openfiles" }, fs.Element("binary")!.Elements().Select(e => e.Name.LocalName));
        var share = FilesystemElement.Read(fs);
        Assert.Equal(512, share.QueueSize);
        Assert.Equal(VirtioFsCacheMode.Always, share.Cache);
        Assert.True(share.Xattr);
        Assert.True(share.PosixLock);
        Assert.False(share.Flock);
        Assert.Equal(VirtioFsSandboxMode.Chroot, share.Sandbox);
        Assert.Equal(8, share.ThreadPoolSize);
        Assert.Equal(100000, share.OpenFilesMax);
        Assert.Equal("/usr/lib/qemu/virtiofsd", share.BinaryPath);
        Assert.True(share.ReadOnly);
        Assert.Equal("ua-all", share.Alias);
        Assert.Equal("0:100000:65536", Assert.Single(share.UidMap).ToString());
        Assert.Equal("0:200000:1000", Assert.Single(share.GidMap).ToString());
        Assert.True(share.Iommu);
        Assert.False(share.Ats);
        Assert.True(share.Packed);
        Assert.True(share.PagePerVq);
        Assert.Equal("on", (string?)fs.Element("driver")!.Attribute("iommu"));
    }

    [Fact]
    public void Options_libvirt_9_knows_validate_against_its_schema()
    {
        var s = new ShareSettings
        {
            Tag = "opts", Source = "/srv/opts", QueueSize = 1024, Cache = VirtioFsCacheMode.None, Xattr = false,
            PosixLock = true, Flock = true, Sandbox = VirtioFsSandboxMode.Namespace, ThreadPoolSize = 0,
            BinaryPath = "/usr/lib/qemu/virtiofsd", Alias = "ua-opts", BootOrder = 3,
        };
        Fixtures.AssertValidDomain(Add("q35-full.xml", s).NewXml);
    }

    [Fact]
    public void A_socket_share_has_no_binary_element()
    {
        var edit = Add("pc-minimal.xml", new ShareSettings { Tag = "ext", SocketPath = "/run/virtiofs/ext.sock" });
        var fs = XElement.Parse(edit.DeviceXml);
        Assert.Null(fs.Element("binary"));
        Assert.Equal("/run/virtiofs/ext.sock", (string?)fs.Element("source")!.Attribute("socket"));
        Fixtures.AssertValidDomain(edit.NewXml);
    }

    [Fact]
    public void A_domain_without_devices_gets_them()
    {
        string xml = "<domain type='qemu'>\n  <name>nodev</name>\n  <memory>65536</memory>\n  <os>\n    <type>hvm</type>\n  </os>\n</domain>\n";
        var edit = ShareEditor.Add(DomainDocument.Parse(xml, "nodev"), Fixtures.Share(), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks);
        Assert.Contains("  <devices>\n    <filesystem", edit.NewXml);
        Fixtures.AssertValidDomain(edit.NewXml);
    }

    [Fact]
    public void Device_xml_for_hot_plug_is_compact()
    {
        var edit = Add("pc-minimal.xml");
        Assert.Equal("<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/srv/data'/><target dir='data'/></filesystem>", edit.DeviceXml);
    }

    [Fact]
    public void The_original_document_is_not_touched()
    {
        var doc = Fixtures.Load("q35-full.xml");
        string before = doc.ToXml();
        var edit = ShareEditor.Add(doc, Fixtures.Share(), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks);
        Assert.Equal(before, doc.ToXml());
        Assert.Contains("<target dir='data'/>", edit.NewXml);   // the change went into the copy
    }
}
