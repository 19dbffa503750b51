// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Errors;
using VirtioFs.Libvirt;

namespace VirtioFs.HugePages;

/// <summary>
/// A host's hugepage pools through libvirt, for hosts we cannot read sysfs on (-ConnectionUri).
/// Sizes, cells and pool sizes come from the capabilities XML (<c>&lt;topology&gt;&lt;cells&gt;&lt;cell&gt;&lt;pages
/// unit size&gt;N</c>, N = nr_hugepages of that cell, re-read by libvirt on every call), free pages
/// from virNodeGetFreePages, changes go through virNodeAllocPages. What libvirt does not report is
/// null (Reserved, Surplus, Overcommit) or empty (MountPoint) rather than guessed. There is no
/// remote memory compaction, so <see cref="Compact"/> says no and a short allocation is rolled back
/// at once.
/// </summary>
internal sealed class LibvirtHugePageHost : IHugePageHost
{
    private readonly LibvirtConnection _connection;
    private Topology? _topology;

    public LibvirtHugePageHost(LibvirtConnection connection)
    {
        _connection = connection;
    }

    public string? ConnectionUri => _connection.Uri;

    internal sealed record Topology(long BasePageKiB, IReadOnlyList<long> HugeSizes, IReadOnlyList<int> Cells,
        IReadOnlyDictionary<(long Kib, int Cell), long> Totals);

    /// <summary>Reads the capabilities; <paramref name="fresh"/> re-reads them (pool sizes change, the topology does not).</summary>
    private Topology Read(bool fresh)
    {
        if (_topology is not null && !fresh)
        {
            return _topology;
        }
        _topology = Parse(_connection.GetCapabilities(), _connection.Uri);
        return _topology;
    }

    /// <summary>Parses the host's &lt;topology&gt;; the smallest &lt;pages&gt; size is the base page (libvirt lists it too).</summary>
    internal static Topology Parse(string capabilitiesXml, string uri)
    {
        var cells = XDocument.Parse(capabilitiesXml).Root?.Element("host")?.Element("topology")?.Element("cells")?.Elements("cell").ToList();
        if (cells is null || cells.Count == 0)
        {
            throw new VirtioFsException(ErrorIds.HugePageTopologyUnknown, VirtioFsErrorKind.NotEnabled,
                $"libvirt at {uri} reports no NUMA topology, so its hugepage pools cannot be read.", uri,
                "Read the pools on that host itself (Get-VirtioFsHugePage without -ConnectionUri).");
        }
        var totals = new Dictionary<(long, int), long>();
        var ids = new List<int>();
        foreach (var cell in cells)
        {
            int id = int.Parse((string?)cell.Attribute("id") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
            ids.Add(id);
            foreach (var pages in cell.Elements("pages"))
            {
                var kib = (long)(Domain.MemoryUnits.ToKiB(pages, "size") ?? 0);
                if (kib > 0 && long.TryParse(pages.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    totals[(kib, id)] = n;
                }
            }
        }
        var sizes = totals.Keys.Select(k => k.Item1).Distinct().Order().ToList();
        long basePage = sizes.Count > 0 ? sizes[0] : 4;
        return new Topology(basePage, sizes.Where(s => s != basePage).ToList(), ids.Order().ToList(), totals);
    }

    public IReadOnlyList<long> OfferedPageSizesKiB() => Read(fresh: false).HugeSizes;

    public bool IsOffered(long kib) => Read(fresh: false).HugeSizes.Contains(kib);

    public IReadOnlyList<int> NumaNodes() => Read(fresh: false).Cells;

    /// <summary>
    /// libvirt does not say which size is the remote kernel's default (Hugepagesize), so this is the
    /// smallest hugepage size, the kernel's default unless default_hugepagesz= is on its command line.
    /// </summary>
    public long DefaultPageSizeKiB()
    {
        var sizes = Read(fresh: false).HugeSizes;
        return sizes.Count > 0 ? sizes[0] : 2048;
    }

    public IReadOnlyList<VirtioFsHugePagePool> ReadPools()
    {
        var topo = Read(fresh: true);
        var result = new List<VirtioFsHugePagePool>();
        if (topo.HugeSizes.Count == 0)
        {
            return result;
        }
        var sizes = topo.HugeSizes.Select(k => (uint)k).ToArray();
        var free = topo.Cells.ToDictionary(c => c, c => _connection.GetFreePages(sizes, c));
        for (int i = 0; i < sizes.Length; i++)
        {
            long kib = sizes[i];
            result.Add(Pool(kib, -1, topo.Cells.Sum(c => Total(topo, kib, c)), topo.Cells.Sum(c => (long)free[c][i])));
            foreach (var c in topo.Cells)
            {
                result.Add(Pool(kib, c, Total(topo, kib, c), (long)free[c][i]));
            }
        }
        return result;
    }

    public VirtioFsHugePagePool ReadPool(long kib, int node, string[]? mountPoints = null)
    {
        var topo = Read(fresh: true);
        RequirePool(topo, kib, node);
        var cells = node < 0 ? topo.Cells : [node];
        long total = cells.Sum(c => Total(topo, kib, c));
        long free = cells.Sum(c => (long)_connection.GetFreePages([(uint)kib], c)[0]);
        return Pool(kib, node, total, free);
    }

    public long ReadCount(long pageSizeKiB, int numaNode)
    {
        var topo = Read(fresh: true);
        RequirePool(topo, pageSizeKiB, numaNode);
        return numaNode < 0 ? topo.Cells.Sum(c => Total(topo, pageSizeKiB, c)) : Total(topo, pageSizeKiB, numaNode);
    }

    /// <summary>Absolute count through virNodeAllocPages; a short allocation is not an error here: the allocator reads back.</summary>
    public void WriteCount(long pageSizeKiB, int numaNode, long count)
    {
        _connection.AllocPages((uint)pageSizeKiB, (ulong)count, numaNode);
    }

    /// <summary>libvirt has no call to compact a remote host's memory.</summary>
    public bool Compact() => false;

    public string PoolLocation(long kib, int node) =>
        $"virNodeAllocPages on {_connection.Uri} ({(node < 0 ? "host-wide" : $"NUMA cell {node}")}, {kib} KiB pages)";

    private VirtioFsHugePagePool Pool(long kib, int node, long total, long free) =>
        new(kib, node, total, free, reserved: null, surplus: null, overcommit: null, mountPoint: [], _connection.Uri);

    private static long Total(Topology topo, long kib, int cell) => topo.Totals.TryGetValue((kib, cell), out var n) ? n : 0;

    private void RequirePool(Topology topo, long kib, int node)
    {
        if (!topo.HugeSizes.Contains(kib))
        {
            var list = topo.HugeSizes.Count == 0 ? "none" : string.Join(", ", topo.HugeSizes.Select(PageSize.Format));
            throw new VirtioFsException(ErrorIds.PageSizeNotOffered, VirtioFsErrorKind.InvalidArgument,
                $"The host at {_connection.Uri} does not offer {PageSize.Format(kib)} hugepages. Offered page sizes: {list}.",
                kib, $"Use one of: {list}.");
        }
        if (node >= 0 && !topo.Cells.Contains(node))
        {
            throw new VirtioFsException(ErrorIds.NumaNodeNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The host at {_connection.Uri} has no NUMA node {node}; nodes: {string.Join(", ", topo.Cells)}.", node,
                "See the nodes with Get-VirtioFsHugePage -ConnectionUri.");
        }
    }
}
