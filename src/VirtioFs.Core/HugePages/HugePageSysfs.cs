// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.HugePages;

/// <summary>
/// Reads and writes the kernel's hugepage files under a root directory (default "/") so tests can
/// point it at a fake tree with several NUMA nodes and 1 GiB pages, which this host cannot show.
/// </summary>
internal sealed partial class HugePageSysfs : IHugePageHost
{
    /// <summary>Null: this is the local host.</summary>
    public string? ConnectionUri => null;

    public string PoolLocation(long kib, int node) => CountFile(kib, node);

    public HugePageSysfs(HostRoot? host = null)
    {
        Host = host ?? HostRoot.Real;
    }

    public HostRoot Host { get; }

    private string P(string absolute) => Host.Path(absolute);

    private string HostDir(long kib) => P($"/sys/kernel/mm/hugepages/hugepages-{kib}kB");

    private string NodeDir(int node, long kib) => P($"/sys/devices/system/node/node{node}/hugepages/hugepages-{kib}kB");

    [GeneratedRegex(@"^hugepages-(\d+)kB$")]
    private static partial Regex SizeDirName();

    [GeneratedRegex(@"^node(\d+)$")]
    private static partial Regex NodeDirName();

    /// <summary>Page sizes the kernel offers, ascending.</summary>
    public IReadOnlyList<long> OfferedPageSizesKiB()
    {
        var dir = P("/sys/kernel/mm/hugepages");
        if (!Directory.Exists(dir))
        {
            return [];
        }
        return Directory.EnumerateDirectories(dir)
            .Select(d => SizeDirName().Match(Path.GetFileName(d)))
            .Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .OrderBy(x => x)
            .ToList();
    }

    /// <summary>True when the kernel offers this page size (cheaper than listing them all).</summary>
    public bool IsOffered(long kib) => Directory.Exists(HostDir(kib));

    /// <summary>NUMA nodes that have hugepage pools, ascending.</summary>
    public IReadOnlyList<int> NumaNodes()
    {
        var dir = P("/sys/devices/system/node");
        if (!Directory.Exists(dir))
        {
            return [];
        }
        return Directory.EnumerateDirectories(dir)
            .Select(d => (d, m: NodeDirName().Match(Path.GetFileName(d))))
            .Where(x => x.m.Success && Directory.Exists(Path.Combine(x.d, "hugepages")))
            .Select(x => int.Parse(x.m.Groups[1].Value, CultureInfo.InvariantCulture))
            .OrderBy(x => x)
            .ToList();
    }

    /// <summary>The default hugepage size (Hugepagesize in /proc/meminfo), the one vm.nr_hugepages and a hugetlbfs mount without pagesize= use.</summary>
    public long DefaultPageSizeKiB()
    {
        var kib = MemInfo.KiB(Host, "/proc/meminfo", "Hugepagesize");
        if (kib is long k)
        {
            return k;
        }
        var offered = OfferedPageSizesKiB();
        return offered.Count > 0 ? offered[0] : 2048;
    }

    /// <summary>Memory of the host (node &lt; 0) or of one node, in KiB; null when unknown.</summary>
    public long? MemTotalKiB(int numaNode)
    {
        return numaNode < 0
            ? MemInfo.KiB(Host, "/proc/meminfo", "MemTotal")
            : MemInfo.KiB(Host, $"/sys/devices/system/node/node{numaNode}/meminfo", "MemTotal");
    }

    /// <summary>hugetlbfs mounts from /proc/mounts with their page size (pagesize= option, else the default size).</summary>
    public IReadOnlyList<HugeTlbFsMountInfo> Mounts()
    {
        var result = new List<HugeTlbFsMountInfo>();
        long? defaultSize = null;
        foreach (var m in MountTable.Read(Host).Where(m => m.FileSystemType == "hugetlbfs"))
        {
            long size = 0;
            if (m.OptionValue("pagesize") is { } text)
            {
                try
                {
                    size = PageSize.ParseKiB(text);
                }
                catch (VirtioFsException)
                {
                    size = 0;
                }
            }
            if (size == 0)
            {
                defaultSize ??= DefaultPageSizeKiB();
                size = defaultSize.Value;
            }
            result.Add(new HugeTlbFsMountInfo(m.MountPoint, size, m.Options));
        }
        return result;
    }

    /// <summary>Every pool: for each page size the host-wide pool, then one per NUMA node.</summary>
    public IReadOnlyList<VirtioFsHugePagePool> ReadPools()
    {
        var mounts = Mounts();
        var nodes = NumaNodes();
        var pools = new List<VirtioFsHugePagePool>();
        foreach (var kib in OfferedPageSizesKiB())
        {
            var mp = mounts.Where(m => m.PageSizeKiB == kib).Select(m => m.MountPoint).ToArray();
            pools.Add(ReadPool(kib, -1, mp));
            foreach (var node in nodes)
            {
                if (Directory.Exists(NodeDir(node, kib)))
                {
                    pools.Add(ReadPool(kib, node, mp));
                }
            }
        }
        return pools;
    }

    /// <summary>One pool, read fresh.</summary>
    public VirtioFsHugePagePool ReadPool(long kib, int node, string[]? mountPoints = null)
    {
        mountPoints ??= Mounts().Where(m => m.PageSizeKiB == kib).Select(m => m.MountPoint).ToArray();
        var dir = node < 0 ? HostDir(kib) : NodeDir(node, kib);
        return new VirtioFsHugePagePool(kib, node,
            ReadLong(Path.Combine(dir, "nr_hugepages")) ?? 0,
            ReadLong(Path.Combine(dir, "free_hugepages")) ?? 0,
            node < 0 ? ReadLong(Path.Combine(dir, "resv_hugepages")) : null,
            ReadLong(Path.Combine(dir, "surplus_hugepages")) ?? 0,
            node < 0 ? ReadLong(Path.Combine(dir, "nr_overcommit_hugepages")) : null,
            mountPoints);
    }

    /// <summary>The nr_hugepages file for a pool; the one the allocator writes and reads back.</summary>
    public string CountFile(long kib, int node) =>
        Path.Combine(node < 0 ? HostDir(kib) : NodeDir(node, kib), "nr_hugepages");

    /// <summary>Path of a pool's nr_hugepages as seen from "/", for the boot-time unit.</summary>
    public static string CountFileOnHost(long kib, int node) => node < 0
        ? $"/sys/kernel/mm/hugepages/hugepages-{kib}kB/nr_hugepages"
        : $"/sys/devices/system/node/node{node}/hugepages/hugepages-{kib}kB/nr_hugepages";

    /// <summary>
    /// Reads a one-number kernel file. One open, one read into a stack buffer, close: no FileStream,
    /// no existence check (a missing file is the exception path), since the allocator's read-back and
    /// the pool it outputs are most of the cmdlet's own time next to the kernel's.
    /// </summary>
    private static long? ReadLong(string file)
    {
        Span<byte> buf = stackalloc byte[32];
        int n;
        try
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            n = RandomAccess.Read(handle, buf, 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        var text = buf[..n].Trim((byte)'\n').Trim((byte)' ');
        return System.Buffers.Text.Utf8Parser.TryParse(text, out long v, out int used) && used == text.Length && v >= 0 ? v : null;
    }

    public long ReadCount(long pageSizeKiB, int numaNode)
    {
        var file = CountFile(pageSizeKiB, numaNode);
        return ReadLong(file) ?? throw new VirtioFsException(ErrorIds.HugePagePoolNotFound, VirtioFsErrorKind.ObjectNotFound,
            $"There is no hugepage pool file '{file}'.", file,
            "Check the page size and NUMA node with Get-VirtioFsHugePage.");
    }

    public void WriteCount(long pageSizeKiB, int numaNode, long count)
    {
        WriteKernelFile(CountFile(pageSizeKiB, numaNode), count.ToString(CultureInfo.InvariantCulture));
    }

    public bool Compact()
    {
        var file = P("/proc/sys/vm/compact_memory");
        if (!File.Exists(file))
        {
            return false;
        }
        WriteKernelFile(file, "1");
        return true;
    }

    /// <summary>
    /// Writes a kernel file in place: open without truncating or creating (sysfs files cannot be
    /// replaced), one write, so the kernel sees the whole number at once.
    /// </summary>
    private static void WriteKernelFile(string file, string value)
    {
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            var bytes = Encoding.ASCII.GetBytes(value + "\n");
            fs.Write(bytes, 0, bytes.Length);
            fs.Flush();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VirtioFsException(ErrorIds.HugePagePermissionDenied, VirtioFsErrorKind.PermissionDenied,
                $"Cannot write '{file}': permission denied.", file,
                "Run as root (or with CAP_SYS_ADMIN) to change hugepage pools.", e);
        }
        catch (FileNotFoundException e)
        {
            throw new VirtioFsException(ErrorIds.HugePagePoolNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"There is no kernel file '{file}'.", file,
                "Check the page size and NUMA node with Get-VirtioFsHugePage.", e);
        }
        catch (IOException e)
        {
            throw new VirtioFsException(ErrorIds.HugePageWriteFailed, VirtioFsErrorKind.WriteError,
                $"The kernel refused '{value}' for '{file}': {e.Message}", file, null, e);
        }
    }
}
