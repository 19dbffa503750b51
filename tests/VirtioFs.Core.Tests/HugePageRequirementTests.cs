// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using Xunit;

namespace VirtioFs.Tests.Core;

/// <summary>What a domain needs, per page size and host node, against the fake two-node host (2 MiB and 1 GiB pages).</summary>
public sealed class HugePageRequirementTests : IDisposable
{
    private readonly FakeSysfs _fake = new();

    public void Dispose() => _fake.Dispose();

    private HugePageNeeds Needs(string fixture) => HugePageRequirements.Compute(Fixtures.Load(fixture), _fake.Sysfs);

    private HugePageNeeds NeedsOf(string xml) => HugePageRequirements.Compute(DomainDocument.Parse(xml, "inline"), _fake.Sysfs);

    private static string Domain(string memoryBacking, string numatune = "", string cells = "") => $"""
        <domain type='kvm'>
          <name>inline</name>
          <memory unit='GiB'>4</memory>
          <memoryBacking>{memoryBacking}</memoryBacking>
          {numatune}
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          {(cells.Length == 0 ? string.Empty : $"<cpu><numa>{cells}</numa></cpu>")}
        </domain>
        """;

    [Fact]
    public void EachGuestCellDrawsFromItsPageSizeOnItsHostNode()
    {
        var needs = Needs("hugepages-numa-two-sizes.xml");
        Assert.True(needs.UsesHugePages);
        Assert.Empty(needs.Blockers);
        Assert.Collection(needs.Requirements,
            r =>
            {
                // cell 0: 2 GiB of 2 MiB pages, bound to host node 0 (125 free there)
                Assert.Equal((2048L, 0, 1024L, 125L, 899L, false), (r.PageSizeKiB, r.NumaNode, r.PagesNeeded, r.PagesFree, r.ShortBy, r.Ready));
                Assert.Equal(new[] { 0 }, r.GuestCells);
                Assert.Equal(2L * 1024 * 1024, r.MemoryKiB);
                Assert.Null(r.HostNodeset);
            },
            r =>
            {
                // cell 1: 4 GiB of 1 GiB pages on host node 1 (1 free)
                Assert.Equal((1048576L, 1, 4L, 1L, 3L), (r.PageSizeKiB, r.NumaNode, r.PagesNeeded, r.PagesFree, r.ShortBy));
                Assert.Equal(new[] { 1 }, r.GuestCells);
                Assert.Equal("1GiB", r.PageSize);
            });
        Assert.All(needs.Requirements, r => Assert.Equal("hugenuma01", r.Domain));
    }

    private static string WithDimms(string memoryBacking, string cells, string dimms, string numatune = "") => $"""
        <domain type='kvm'>
          <name>inline</name>
          <maxMemory slots='4' unit='GiB'>16</maxMemory>
          <memory unit='MiB'>1536</memory>
          <memoryBacking>{memoryBacking}</memoryBacking>
          {numatune}
          <os><type arch='x86_64' machine='q35'>hvm</type></os>
          {(cells.Length == 0 ? string.Empty : $"<cpu><numa>{cells}</numa></cpu>")}
          <devices>{dimms}</devices>
        </domain>
        """;

    private const string TwoCells = "<cell id='0' cpus='0' memory='512' unit='MiB'/><cell id='1' cpus='1' memory='512' unit='MiB'/>";

    [Fact]
    public void MemoryDimmsPresentAtStartNeedPagesToo()
    {
        // 2 x 512 MiB cells + a 512 MiB DIMM on cell 1: 768 pages of 2 MiB, not the cells' 512.
        var dimm = "<memory model='dimm' access='shared'><target><size unit='MiB'>512</size><node>1</node></target></memory>";
        var r = Assert.Single(NeedsOf(WithDimms("<hugepages/><access mode='shared'/>", TwoCells, dimm)).Requirements);
        Assert.Equal((2048L, 768L, 1536L * 1024), (r.PageSizeKiB, r.PagesNeeded, r.MemoryKiB));
        Assert.Equal(new[] { 0, 1 }, r.GuestCells);
    }

    [Fact]
    public void ADimmUsesItsOwnPageSizeAndNodemaskOrElseItsCells()
    {
        // Cell 1 is bound to host node 1 and gets 2 MiB pages; one DIMM takes its cell's rules, the
        // other asks for 1 GiB pages on host node 0 with <source>.
        var dimms = "<memory model='dimm'><target><size unit='MiB'>256</size><node>1</node></target></memory>" +
                    "<memory model='dimm'><source><pagesize unit='GiB'>1</pagesize><nodemask>0</nodemask></source><target><size unit='GiB'>1</size><node>1</node></target></memory>" +
                    "<memory model='nvdimm'><source><path>/tmp/nv</path></source><target><size unit='GiB'>4</size><node>0</node></target></memory>";
        var needs = NeedsOf(WithDimms("<hugepages><page size='2' unit='M'/></hugepages>", TwoCells, dimms,
            "<numatune><memnode cellid='1' mode='strict' nodeset='1'/></numatune>"));
        var byKey = needs.Requirements.ToDictionary(r => (r.PageSizeKiB, r.NumaNode));
        Assert.Equal(3, byKey.Count);
        Assert.Equal(256L, byKey[(2048, -1)].PagesNeeded);               // cell 0, unbound
        Assert.Equal(256L + 128, byKey[(2048, 1)].PagesNeeded);          // cell 1 + its plain DIMM, on node 1
        Assert.Equal(1L, byKey[(1048576, 0)].PagesNeeded);               // the DIMM with its own size and nodemask
        Assert.Contains(needs.Notes, n => n.StartsWith("Guest DIMM on cell 1: 1 GiB in 1GiB pages", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutCellsMemoryAlreadyCountsTheDimms()
    {
        // libvirt's <memory> includes DIMMs: 1536 MiB - 512 MiB DIMM = 1024 MiB base + the DIMM = 768 pages, not 1024.
        var dimm = "<memory model='dimm'><target><size unit='MiB'>512</size><node>0</node></target></memory>";
        var r = Assert.Single(NeedsOf(WithDimms("<hugepages/>", string.Empty, dimm)).Requirements);
        Assert.Equal(768L, r.PagesNeeded);
        Assert.Empty(r.GuestCells);
    }

    [Fact]
    public void BareHugepagesUseTheHostDefaultSizeAndRoundUpToWholePages()
    {
        var r = Assert.Single(Needs("hugepages-default-size.xml").Requirements);
        Assert.Equal(2048, r.PageSizeKiB);   // Hugepagesize in the fake /proc/meminfo
        Assert.Equal(513, r.PagesNeeded);    // 1025 MiB = 512.5 pages
        Assert.Equal(1, r.NumaNode);         // <numatune><memory nodeset='1'/>
        Assert.Empty(r.GuestCells);          // no guest NUMA
        Assert.Equal(125, r.PagesFree);
    }

    [Fact]
    public void WithoutNumatuneTheHostWidePoolCountsFreeMinusReserved()
    {
        var r = Assert.Single(Needs("hugepages.xml").Requirements);
        Assert.Equal((-1, 1024L, 240L, 784L), (r.NumaNode, r.PagesNeeded, r.PagesFree, r.ShortBy)); // 250 free - 10 reserved
    }

    [Fact]
    public void ADomainWithoutHugepagesNeedsNone()
    {
        var needs = Needs("pc-minimal.xml");
        Assert.False(needs.UsesHugePages);
        Assert.Empty(needs.Requirements);
    }

    [Fact]
    public void SeveralHostNodesAddTheirFreePagesAndNameTheSet()
    {
        var r = Assert.Single(NeedsOf(Domain("<hugepages/>", "<numatune><memory mode='strict' nodeset='0-1'/></numatune>")).Requirements);
        Assert.Equal((-1, "0-1", 250L, 2048L), (r.NumaNode, r.HostNodeset, r.PagesFree, r.PagesNeeded));
    }

    [Fact]
    public void PreferredModeAndAutoPlacementDoNotBind()
    {
        foreach (var tune in new[] { "<numatune><memory mode='preferred' nodeset='1'/></numatune>", "<numatune><memory mode='strict' placement='auto'/></numatune>" })
        {
            var r = Assert.Single(NeedsOf(Domain("<hugepages/>", tune)).Requirements);
            Assert.Equal(-1, r.NumaNode);
            Assert.Null(r.HostNodeset);
        }
    }

    [Fact]
    public void ACellMatchingNoPageAndNoDefaultPageUsesNormalMemory()
    {
        var needs = NeedsOf(Domain("<hugepages><page size='2048' unit='KiB' nodeset='0'/></hugepages>", "",
            "<cell id='0' cpus='0' memory='1' unit='GiB'/><cell id='1' cpus='1' memory='3' unit='GiB'/>"));
        var r = Assert.Single(needs.Requirements);
        Assert.Equal(new[] { 0 }, r.GuestCells);
        Assert.Equal(512, r.PagesNeeded);
        Assert.Contains(needs.Notes, n => n.Contains("cell 1", StringComparison.Ordinal) && n.Contains("normal memory", StringComparison.Ordinal));
    }

    [Fact]
    public void APageWithoutNodesetServesTheCellsNoOtherPageNames()
    {
        var needs = NeedsOf(Domain("<hugepages><page size='1' unit='GiB'/><page size='2' unit='MiB' nodeset='1'/></hugepages>", "",
            "<cell id='0' cpus='0' memory='1' unit='GiB'/><cell id='1' cpus='1' memory='3' unit='GiB'/>"));
        Assert.Equal(new[] { (2048L, 1536L), (1048576L, 1L) }, needs.Requirements.Select(r => (r.PageSizeKiB, r.PagesNeeded)));
    }

    [Fact]
    public void SizesTheHostDoesNotOfferAndMissingNodesAreBlockers()
    {
        var needs = NeedsOf(Domain("<hugepages><page size='16' unit='GiB'/></hugepages>"));
        Assert.Contains(needs.Blockers, b => b.Contains("16GiB", StringComparison.Ordinal) && b.Contains("2MiB, 1GiB", StringComparison.Ordinal));
        Assert.False(Assert.Single(needs.Requirements).Ready);

        needs = NeedsOf(Domain("<hugepages/>", "<numatune><memory mode='strict' nodeset='7'/></numatune>"));
        Assert.Contains(needs.Blockers, b => b.Contains("node 7", StringComparison.Ordinal));
    }

    [Fact]
    public void ThePlanGrowsEachShortPoolByWhatIsMissing()
    {
        var plan = HugePageRequirements.Plan(Needs("hugepages-numa-two-sizes.xml").Requirements, _fake.Sysfs);
        Assert.Equal(new[] { (2048L, 0, 150L + 899), (1048576L, 1, 1L + 3) }, plan.Select(p => (p.PageSizeKiB, p.NumaNode, p.Count)));
        // a ready domain plans nothing
        var ready = NeedsOf(Domain("<hugepages/>", string.Empty).Replace("'GiB'>4<", "'MiB'>200<", StringComparison.Ordinal));
        Assert.Empty(HugePageRequirements.Plan(ready.Requirements, _fake.Sysfs));
    }

    [Theory]
    [InlineData("0", new[] { 0 }, "0")]
    [InlineData("0-3,^2,5", new[] { 0, 1, 3, 5 }, "0-1,3,5")]
    [InlineData(" 1 , 2 ", new[] { 1, 2 }, "1-2")]
    public void NodesetsParseAndFormatLikeLibvirt(string text, int[] nodes, string formatted)
    {
        var set = Nodeset.Parse(text, "test");
        Assert.Equal(nodes, set);
        Assert.Equal(formatted, Nodeset.Format(set));
    }

    [Fact]
    public void ABrokenNodesetIsInvalidData()
    {
        var e = Assert.Throws<VirtioFsException>(() => Nodeset.Parse("3-1", "test"));
        Assert.Equal(("InvalidNodeset", VirtioFsErrorKind.InvalidData), (e.ErrorId, e.Kind));
    }
}

/// <summary>Several pools grown as one step, rolled back together.</summary>
public sealed class HugePageBatchTests
{
    /// <summary>A kernel with one count and one cap per pool.</summary>
    private sealed class PoolKernel : IHugePageKernel
    {
        public Dictionary<(long, int), long> Counts { get; } = [];

        public Dictionary<(long, int), long> Caps { get; } = [];

        public long ReadCount(long pageSizeKiB, int numaNode) => Counts[(pageSizeKiB, numaNode)];

        public void WriteCount(long pageSizeKiB, int numaNode, long count) =>
            Counts[(pageSizeKiB, numaNode)] = Math.Min(count, Caps[(pageSizeKiB, numaNode)]);

        public bool Compact() => false;
    }

    [Fact]
    public void AShortSecondPoolRollsBackTheFirst()
    {
        var k = new PoolKernel();
        k.Counts[(2048, 0)] = 10;
        k.Caps[(2048, 0)] = 10_000;
        k.Counts[(1048576, 1)] = 1;
        k.Caps[(1048576, 1)] = 2;
        var batch = new HugePageBatch(k);
        var e = Assert.Throws<VirtioFsException>(() =>
            batch.Allocate([new HugePageRequest(2048, 0, 500), new HugePageRequest(1048576, 1, 4)]));
        Assert.Equal("HugePageAllocationShort", e.ErrorId);
        Assert.Equal(10, k.Counts[(2048, 0)]);
        Assert.Equal(1, k.Counts[(1048576, 1)]);
    }

    [Fact]
    public void RollBackAfterSuccessPutsEveryPoolBack()
    {
        var k = new PoolKernel();
        k.Counts[(2048, -1)] = 3;
        k.Caps[(2048, -1)] = 10_000;
        var batch = new HugePageBatch(k);
        batch.Allocate([new HugePageRequest(2048, -1, 700)]);
        Assert.Equal(700, k.Counts[(2048, -1)]);
        var report = batch.RollBack();
        Assert.Equal(3, k.Counts[(2048, -1)]);
        Assert.Contains("3 pages (was 3)", Assert.Single(report), StringComparison.Ordinal);
        Assert.Empty(batch.Done);
    }
}

/// <summary>The libvirt view of a host's pools, from capabilities XML as libvirt 9 writes it.</summary>
public sealed class LibvirtHugePageHostTests
{
    private const string Caps = """
        <capabilities>
          <host>
            <topology>
              <cells num='2'>
                <cell id='0'>
                  <memory unit='KiB'>16384000</memory>
                  <pages unit='KiB' size='4'>4000000</pages>
                  <pages unit='KiB' size='2048'>150</pages>
                  <pages unit='KiB' size='1048576'>1</pages>
                </cell>
                <cell id='1'>
                  <memory unit='KiB'>16384000</memory>
                  <pages unit='KiB' size='4'>4000000</pages>
                  <pages unit='KiB' size='2048'>100</pages>
                  <pages unit='KiB' size='1048576'>0</pages>
                </cell>
              </cells>
            </topology>
          </host>
        </capabilities>
        """;

    [Fact]
    public void SizesCellsAndPoolSizesComeFromTheTopologyWithoutTheBasePage()
    {
        var t = LibvirtHugePageHost.Parse(Caps, "qemu+ssh://h/system");
        Assert.Equal(4, t.BasePageKiB);
        Assert.Equal(new long[] { 2048, 1048576 }, t.HugeSizes);
        Assert.Equal(new[] { 0, 1 }, t.Cells);
        Assert.Equal(100, t.Totals[(2048, 1)]);
        Assert.Equal(1, t.Totals[(1048576, 0)]);
    }

    [Fact]
    public void AHostWithoutTopologyIsAClearError()
    {
        var e = Assert.Throws<VirtioFsException>(() => LibvirtHugePageHost.Parse("<capabilities><host/></capabilities>", "test:///default"));
        Assert.Equal("HugePageTopologyUnknown", e.ErrorId);
    }
}

/// <summary>When the allocator steps (for progress) and when one write is enough.</summary>
public sealed class HugePageStepTests
{
    [Theory]
    [InlineData(2048, 2048, 1)]        // 4 GiB: one write (the benchmark's realistic size)
    [InlineData(2048, 8191, 1)]        // just under 16 GiB
    [InlineData(2048, 8192, 10)]       // 16 GiB: ten steps, progress moves
    [InlineData(1048576, 15, 1)]
    [InlineData(1048576, 16, 8)]       // 16 x 1 GiB pages take long enough to show progress (steps of 2)
    public void StepsOnlyFrom16GiB(long kib, long count, int writes)
    {
        var k = new StingyKernel(0, long.MaxValue);
        new HugePageAllocator(k).Allocate(new HugePageRequest(kib, -1, count));
        Assert.Equal(writes, k.Writes.Count);
        Assert.Equal(count, k.ReadCount(kib, -1));
    }

    [Fact]
    public void AKnownPreviousCountIsNotReadAgainButStillRestoredOnFailure()
    {
        var k = new StingyKernel(40, 100);
        var e = Assert.Throws<VirtioFsException>(() =>
            new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 500), null, default, knownPrevious: 40));
        Assert.Equal("HugePageAllocationShort", e.ErrorId);
        Assert.Equal(40, k.ReadCount(2048, -1));
        Assert.Contains("rolled back to 40", e.Message, StringComparison.Ordinal);
    }
}
