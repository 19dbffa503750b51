// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using Xunit;

namespace VirtioFs.Tests.Core;

public sealed class PageSizeTests
{
    [Theory]
    [InlineData("2M", 2048)]
    [InlineData("2MB", 2048)]
    [InlineData("2MiB", 2048)]
    [InlineData("2mib", 2048)]
    [InlineData("2048K", 2048)]
    [InlineData("2048KB", 2048)]
    [InlineData("2048kB", 2048)]
    [InlineData("2048", 2048)]
    [InlineData("1G", 1048576)]
    [InlineData("1GiB", 1048576)]
    [InlineData("1024M", 1048576)]
    [InlineData(" 64K ", 64)]
    public void ParsesWhatAdminsType(string text, long kib) => Assert.Equal(kib, PageSize.ParseKiB(text));

    [Theory]
    [InlineData("")]
    [InlineData("2X")]
    [InlineData("-2M")]
    [InlineData("0")]
    [InlineData("2.5M")]
    [InlineData("M")]
    public void RejectsNonsense(string text)
    {
        var e = Assert.Throws<VirtioFsException>(() => PageSize.ParseKiB(text));
        Assert.Equal("InvalidPageSize", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void RejectsSizeTheKernelDoesNotOfferAndListsTheOfferedOnes()
    {
        var e = Assert.Throws<VirtioFsException>(() => PageSize.ParseOffered("4M", new long[] { 2048, 1048576 }));
        Assert.Equal("PageSizeNotOffered", e.ErrorId);
        Assert.Contains("2MiB, 1GiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(1048576, PageSize.ParseOffered("1GiB", new long[] { 2048, 1048576 }));
    }

    [Fact]
    public void FormatsBothWays()
    {
        Assert.Equal("2MiB", PageSize.Format(2048));
        Assert.Equal("1GiB", PageSize.Format(1048576));
        Assert.Equal("64KiB", PageSize.Format(64));
        Assert.Equal("1G", PageSize.FormatKernel(1048576));
        Assert.Equal("2M", PageSize.FormatKernel(2048));
    }
}

public sealed class HugePageSysfsTests : IDisposable
{
    private readonly FakeSysfs _fake = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public void ReadsEverySizeHostWideAndPerNode()
    {
        var s = _fake.Sysfs;
        Assert.Equal(new long[] { 2048, 1048576 }, s.OfferedPageSizesKiB());
        Assert.Equal(new[] { 0, 1 }, s.NumaNodes());
        Assert.Equal(2048, s.DefaultPageSizeKiB());
        var pools = s.ReadPools();
        Assert.Equal(6, pools.Count);
        var host2m = pools.Single(p => p.PageSizeKiB == 2048 && p.NumaNode == -1);
        Assert.True(host2m.IsHostWide);
        Assert.Equal((300L, 250L, 10L, 0L), (host2m.Total, host2m.Free, host2m.Reserved!.Value, host2m.Surplus));
        Assert.Equal(240, host2m.Available);
        Assert.Equal(new[] { "/dev/hugepages", "/mnt/huge pages" }, host2m.MountPoint);
        var node1g = pools.Single(p => p.PageSizeKiB == 1048576 && p.NumaNode == 1);
        Assert.Equal(1, node1g.Total);
        Assert.Null(node1g.Reserved); // the kernel keeps resv_hugepages host-wide only
        Assert.Null(node1g.Overcommit);
        Assert.Equal(new[] { "/dev/hugepages1G" }, node1g.MountPoint);
        Assert.Equal("1GiB", node1g.PageSize);
        Assert.Equal(1L << 30, node1g.TotalBytes);
    }

    [Fact]
    public void MountWithoutPageSizeUsesTheDefaultSize()
    {
        var m = _fake.Sysfs.Mounts();
        Assert.Equal(3, m.Count);
        Assert.Equal(2048, m.Single(x => x.MountPoint == "/mnt/huge pages").PageSizeKiB);
        Assert.Equal(1048576, m.Single(x => x.MountPoint == "/dev/hugepages1G").PageSizeKiB);
    }

    [Fact]
    public void WritesThePerNodeFileForANodeAndTheHostFileOtherwise()
    {
        var s = _fake.Sysfs;
        var r = new HugePageAllocator(s).Allocate(new HugePageRequest(1048576, 1, 4));
        Assert.Equal(4, r.Actual);
        Assert.Equal("4", _fake.Read("sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages"));
        Assert.Equal("1", _fake.Read("sys/devices/system/node/node0/hugepages/hugepages-1048576kB/nr_hugepages"));
        Assert.Equal("2", _fake.Read("sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"));
        new HugePageAllocator(s).Allocate(new HugePageRequest(2048, -1, 64));
        Assert.Equal("64", _fake.Read("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"));
        Assert.Equal(16384000, s.MemTotalKiB(1));
        Assert.Equal(32768000, s.MemTotalKiB(-1));
    }

    [Fact]
    public void MissingPoolIsNotFound()
    {
        var e = Assert.Throws<VirtioFsException>(() => _fake.Sysfs.ReadCount(2048, 7));
        Assert.Equal(VirtioFsErrorKind.ObjectNotFound, e.Kind);
    }
}

public sealed class HugePageAllocatorTests
{
    [Fact]
    public void ShortPoolIsCompactedRetriedThenRolledBackWithTheCountInTheError()
    {
        var k = new StingyKernel(start: 100, cap: 700, gainPerCompaction: 50);
        var e = Assert.Throws<VirtioFsException>(() =>
            new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 1000)));
        Assert.Equal("HugePageAllocationShort", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.LimitsExceeded, e.Kind);
        Assert.Contains("only 800 of 1000", e.Message, StringComparison.Ordinal);
        Assert.Contains("rolled back to 100", e.Message, StringComparison.Ordinal);
        Assert.Contains("Free memory", e.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(2, k.Compactions);
        Assert.Equal(100, k.ReadCount(2048, -1));
        Assert.Equal(100, k.Writes[^1]);
    }

    [Fact]
    public void OneGigabytePagesAdviseBootTimeReservation()
    {
        var k = new StingyKernel(0, 1);
        var e = Assert.Throws<VirtioFsException>(() =>
            new HugePageAllocator(k).Allocate(new HugePageRequest(1048576, 1, 4)));
        Assert.Contains("hugepagesz=1G hugepages=4", e.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("NUMA node 1", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, k.Compactions); // compaction gained nothing: no second round
    }

    [Fact]
    public void AllowPartialKeepsWhatTheKernelGave()
    {
        var k = new StingyKernel(0, 300);
        var r = new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 500) { AllowPartial = true });
        Assert.True(r.IsShort);
        Assert.Equal((0L, 500L, 300L), (r.Previous, r.Requested, r.Actual));
        Assert.Equal(300, k.ReadCount(2048, -1));
    }

    [Fact]
    public void CompactionThatFreesEnoughSucceeds()
    {
        var k = new StingyKernel(0, 450, gainPerCompaction: 100);
        var r = new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 500));
        Assert.False(r.IsShort);
        Assert.Equal(1, r.CompactionRounds);
    }

    [Fact]
    public void LargeRequestsGoInStepsAndReportProgress()
    {
        var k = new StingyKernel(0, long.MaxValue);
        var reports = new List<HugePageProgress>();
        var r = new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 10000), new SyncProgress(reports));
        Assert.Equal(10000, r.Actual);
        Assert.Equal(10, k.Writes.Count);
        Assert.True(reports.Count >= 11);
        Assert.Equal("Done", reports[^1].Phase);
        Assert.Equal(10000, reports[^1].Current);
        // small requests are one write
        var k2 = new StingyKernel(0, long.MaxValue);
        new HugePageAllocator(k2).Allocate(new HugePageRequest(2048, -1, 100));
        Assert.Single(k2.Writes);
    }

    [Fact]
    public void ShrinkingAndNoChange()
    {
        var k = new StingyKernel(500, long.MaxValue);
        Assert.Equal(20, new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 20)).Actual);
        var w = k.Writes.Count;
        new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 20));
        Assert.Equal(w, k.Writes.Count); // already there: nothing written
    }

    [Fact]
    public void CancellationRollsBack()
    {
        var k = new StingyKernel(10, long.MaxValue);
        using var cts = new System.Threading.CancellationTokenSource();
        cts.Cancel();
        var e = Assert.Throws<VirtioFsException>(() =>
            new HugePageAllocator(k).Allocate(new HugePageRequest(2048, -1, 5000), null, cts.Token));
        Assert.Equal(VirtioFsErrorKind.OperationStopped, e.Kind);
        Assert.Equal(10, k.ReadCount(2048, -1));
    }

    private sealed class SyncProgress(List<HugePageProgress> sink) : IProgress<HugePageProgress>
    {
        public void Report(HugePageProgress value) => sink.Add(value);
    }
}

public sealed class HugePagePersistenceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vfs-etc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, true);
        }
    }

    [Fact]
    public void DefaultSizeGoesToSysctlAndIsIdempotent()
    {
        var p = new HugePagePersistence(new VirtioFs.Platform.HostRoot(_root));
        var r1 = p.Persist(2048, -1, 512, 2048);
        Assert.Equal(new[] { HugePagePersistence.SysctlFile }, r1.Written);
        var text = File.ReadAllText(Path.Combine(_root, "etc/sysctl.d/80-virtiofs-hugepages.conf"));
        Assert.Contains("vm.nr_hugepages = 512\n", text, StringComparison.Ordinal);
        var r2 = p.Persist(2048, -1, 512, 2048);
        Assert.Empty(r2.Written);
        Assert.Equal(new[] { HugePagePersistence.SysctlFile }, r2.Unchanged);
        Assert.Null(r2.KernelCommandLine);
        var r3 = p.Persist(2048, -1, 0, 2048);
        Assert.Equal(new[] { HugePagePersistence.SysctlFile }, r3.Removed);
    }

    [Fact]
    public void PerNodeOneGigabytePagesGetABootUnitAndKernelAdvice()
    {
        var p = new HugePagePersistence(new VirtioFs.Platform.HostRoot(_root));
        var r = p.Persist(1048576, 1, 4, 2048);
        Assert.Equal("hugepagesz=1G hugepages=1:4", r.KernelCommandLine);
        Assert.Equal(2, r.Written.Count);
        var unit = File.ReadAllText(Path.Combine(_root, "etc/systemd/system/virtiofs-hugepages-1048576kB-node1.service"));
        Assert.Contains("Type=oneshot", unit, StringComparison.Ordinal);
        Assert.Contains("ExecStart=/bin/sh -c 'echo 4 > /sys/devices/system/node/node1/hugepages/hugepages-1048576kB/nr_hugepages'", unit, StringComparison.Ordinal);
        var link = new FileInfo(Path.Combine(_root, "etc/systemd/system/sysinit.target.wants/virtiofs-hugepages-1048576kB-node1.service"));
        Assert.Equal("/etc/systemd/system/virtiofs-hugepages-1048576kB-node1.service", link.LinkTarget);
        var again = p.Persist(1048576, 1, 4, 2048);
        Assert.Empty(again.Written);
        Assert.Equal(2, again.Unchanged.Count);
        Assert.Equal("hugepagesz=1G hugepages=4", p.Persist(1048576, -1, 4, 2048).KernelCommandLine);
    }
}
