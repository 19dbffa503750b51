// SPDX-License-Identifier: MIT
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public class SharedMemoryTests
{
    private static DomainDocument Enable(string file, VirtioFsSharedMemoryChoice choice, ulong? pageKiB = null) =>
        ShareEditor.EnableSharedMemory(Fixtures.Load(file), choice, pageKiB).After;

    [Fact]
    public void Memfd_is_the_default_for_a_domain_without_memory_backing()
    {
        var state = SharedMemoryInspector.Inspect(Fixtures.Load("pc-minimal.xml"));
        Assert.False(state.VirtioFsReady);
        Assert.Contains("requires shared memory", state.Reason);
        var after = SharedMemoryInspector.Inspect(Enable("pc-minimal.xml", VirtioFsSharedMemoryChoice.Auto));
        Assert.True(after.VirtioFsReady);
        Assert.Equal(VirtioFsSharedMemoryBacking.Memfd, after.Backing);
        Assert.Equal("shared", after.AccessMode);
    }

    [Fact]
    public void Numa_cells_all_become_shared_including_a_private_one()
    {
        var before = SharedMemoryInspector.Inspect(Fixtures.Load("numa-cells.xml"));
        Assert.Equal(2, before.NumaCells.Count);
        Assert.False(before.VirtioFsReady);
        var doc = Enable("numa-cells.xml", VirtioFsSharedMemoryChoice.Auto);
        var after = SharedMemoryInspector.Inspect(doc);
        Assert.True(after.VirtioFsReady);
        Assert.All(after.NumaCells, c => Assert.Equal("shared", c.MemAccess));
        Assert.Equal(new ulong?[] { 4194304, 4194304 }, after.NumaCells.Select(c => c.MemoryKiB));
        Fixtures.AssertValidDomain(doc.ToXml());
    }

    [Fact]
    public void A_private_cell_alone_makes_the_domain_not_ready_even_with_global_shared_access()
    {
        string xml = "<domain type='kvm'><name>n</name><memory>1048576</memory><memoryBacking><access mode='shared'/></memoryBacking>"
            + "<cpu><numa><cell id='0' cpus='0' memory='524288' memAccess='shared'/><cell id='1' cpus='1' memory='524288' memAccess='private'/></numa></cpu></domain>";
        var state = SharedMemoryInspector.Inspect(DomainDocument.Parse(xml, "n"));
        Assert.False(state.VirtioFsReady);
        Assert.Contains("1", state.Reason);
    }

    [Fact]
    public void Hugepages_are_kept_and_made_shared()
    {
        var doc = Enable("hugepages.xml", VirtioFsSharedMemoryChoice.Auto);
        var state = SharedMemoryInspector.Inspect(doc);
        Assert.True(state.VirtioFsReady);
        Assert.Equal(VirtioFsSharedMemoryBacking.HugePages, state.Backing);
        var page = Assert.Single(state.HugePageSizes);
        Assert.Equal(2048UL, page.SizeKiB);
        Assert.Equal("0", page.Nodeset);
        Assert.Null(doc.Root.Element("memoryBacking")!.Element("source"));
        Fixtures.AssertValidDomain(doc.ToXml());
    }

    [Fact]
    public void Switching_hugepages_to_memfd_is_refused()
    {
        var e = Assert.Throws<VirtioFsException>(() => Enable("hugepages.xml", VirtioFsSharedMemoryChoice.Memfd));
        Assert.Equal("HugePagesInUse", e.ErrorId);
    }

    [Fact]
    public void Other_memory_backing_settings_are_kept_in_libvirt_order()
    {
        var doc = Enable("membacking-other.xml", VirtioFsSharedMemoryChoice.Auto);
        var mb = doc.Root.Element("memoryBacking")!;
        Assert.Equal(new[] { "nosharepages", "locked", "source", "access", "allocation" }, mb.Elements().Select(e => e.Name.LocalName));
        var state = SharedMemoryInspector.Inspect(doc);
        Assert.Equal(new[] { "nosharepages", "locked", "allocation" }, state.OtherSettings);
        Fixtures.AssertValidDomain(doc.ToXml());
    }

    [Fact]
    public void File_backing_on_request()
    {
        var doc = Enable("pc-minimal.xml", VirtioFsSharedMemoryChoice.File);
        var state = SharedMemoryInspector.Inspect(doc);
        Assert.Equal(VirtioFsSharedMemoryBacking.File, state.Backing);
        Assert.True(state.VirtioFsReady);
    }

    [Fact]
    public void Hugepages_on_request_with_a_page_size()
    {
        var doc = Enable("pc-minimal.xml", VirtioFsSharedMemoryChoice.HugePages, 2048);
        var state = SharedMemoryInspector.Inspect(doc);
        Assert.Equal(VirtioFsSharedMemoryBacking.HugePages, state.Backing);
        Assert.Equal(2048UL, Assert.Single(state.HugePageSizes).SizeKiB);
        Fixtures.AssertValidDomain(doc.ToXml());
    }

    [Fact]
    public void Anonymous_memory_is_not_ready_and_auto_replaces_it_with_memfd()
    {
        string xml = "<domain type='kvm'><name>a</name><memory>1048576</memory><memoryBacking><source type='anonymous'/><access mode='shared'/></memoryBacking></domain>";
        var doc = DomainDocument.Parse(xml, "a");
        Assert.False(SharedMemoryInspector.Inspect(doc).VirtioFsReady);
        var after = ShareEditor.EnableSharedMemory(doc, VirtioFsSharedMemoryChoice.Auto, null).After;
        Assert.Equal(VirtioFsSharedMemoryBacking.Memfd, SharedMemoryInspector.Inspect(after).Backing);
    }

    [Fact]
    public void Keep_refuses_a_domain_without_shared_memory()
    {
        var e = Assert.Throws<VirtioFsException>(() => ShareEditor.Add(Fixtures.Load("pc-minimal.xml"), Fixtures.Share(),
            "passthrough", VirtioFsSharedMemoryChoice.Keep, null, Fixtures.NoHostChecks));
        Assert.Equal("SharedMemoryMissing", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidOperation, e.Kind);
    }

    [Fact]
    public void Already_shared_memory_is_left_alone()
    {
        var edit = ShareEditor.EnableSharedMemory(Fixtures.Load("several-filesystems.xml"), VirtioFsSharedMemoryChoice.Auto, null);
        Assert.False(edit.HasChanges);
        Assert.Empty(edit.Changes);
    }

    [Fact]
    public void Private_access_becomes_shared()
    {
        string xml = "<domain type='kvm'><name>p</name><memory>1048576</memory><memoryBacking><source type='memfd'/><access mode='private'/></memoryBacking></domain>";
        var after = ShareEditor.EnableSharedMemory(DomainDocument.Parse(xml, "p"), VirtioFsSharedMemoryChoice.Auto, null).After;
        Assert.Equal("shared", (string?)after.Root.Element("memoryBacking")!.Element("access")!.Attribute("mode"));
    }

    [Fact]
    public void Memory_sizes_are_read_in_every_libvirt_unit()
    {
        Assert.Equal(524288UL, Fixtures.Load("pc-minimal.xml").MemoryKiB);
        Assert.Equal(2097152UL, Fixtures.Load("aarch64-virt.xml").MemoryKiB);
        Assert.Equal(1048576UL, MemoryUnits.ToKiB(XElement.Parse("<memory unit='bytes'>1073741824</memory>")));
        Assert.Equal(976562UL, MemoryUnits.ToKiB(XElement.Parse("<memory unit='GB'>1</memory>")));
    }
}
