// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs;

/// <summary>
/// What one domain needs from one hugepage pool (one page size, on one host NUMA node or host-wide)
/// against what that pool has free. One object per page size and host node the domain's guest NUMA
/// cells map to.
/// </summary>
public sealed class VirtioFsHugePageRequirement
{
    internal VirtioFsHugePageRequirement(string domain, long pageSizeKiB, int numaNode, string? hostNodeset,
        int[] guestCells, long memoryKiB, long pagesNeeded, long pagesFree)
    {
        Domain = domain;
        PageSizeKiB = pageSizeKiB;
        NumaNode = numaNode;
        HostNodeset = hostNodeset;
        GuestCells = guestCells;
        MemoryKiB = memoryKiB;
        PagesNeeded = pagesNeeded;
        PagesFree = pagesFree;
    }

    /// <summary>The domain's name.</summary>
    public string Domain { get; }

    /// <summary>The domain XML file, when read with -Path.</summary>
    public string? Path { get; internal set; }

    /// <summary>The libvirt connection of the domain (-Domain) or of the host read through libvirt.</summary>
    public string? ConnectionUri { get; internal set; }

    /// <summary>Page size in KiB.</summary>
    public long PageSizeKiB { get; }

    /// <summary>Page size for people: 2MiB, 1GiB.</summary>
    public string PageSize => HugePages.PageSize.Format(PageSizeKiB);

    /// <summary>
    /// The host NUMA node the pages must come from (&lt;numatune&gt;&lt;memnode&gt;/&lt;memory&gt; binding to one
    /// node), or -1: host-wide, or several nodes (then <see cref="HostNodeset"/> names them).
    /// </summary>
    public int NumaNode { get; }

    /// <summary>The host nodes the pages may come from when the binding names several (e.g. "0-1"); null otherwise.</summary>
    public string? HostNodeset { get; }

    /// <summary>Guest NUMA cells backed by this pool; empty for a guest without NUMA cells.</summary>
    public int[] GuestCells { get; }

    /// <summary>Guest memory backed by this pool, in KiB.</summary>
    public long MemoryKiB { get; }

    /// <summary>Pages the domain needs (its memory rounded up to whole pages, per guest cell).</summary>
    public long PagesNeeded { get; }

    /// <summary>Pages free in the pool now (host-wide: free minus reserved; per node: free; several nodes: their sum).</summary>
    public long PagesFree { get; }

    /// <summary>True when the free pages cover the need.</summary>
    public bool Ready => PagesFree >= PagesNeeded;

    /// <summary>
    /// The pool to grow when short: the bound node, else the first of several bound nodes (a host-wide
    /// request would spread over every node and may miss the binding), else -1 for host-wide.
    /// </summary>
    internal int AllocationNode => NumaNode >= 0 ? NumaNode : HostNodeset is not null ? HugePages.Nodeset.Parse(HostNodeset, "nodeset").Min : -1;

    /// <summary>Pages missing (0 when ready): what Set-VirtioFsHugePage -Add or Enable-VirtioFsSharedMemory -AllocateHugePages adds.</summary>
    public long ShortBy => Math.Max(0, PagesNeeded - PagesFree);

    public override string ToString() =>
        $"{Domain}: {PagesNeeded} x {PageSize} on {(NumaNode >= 0 ? $"node {NumaNode}" : HostNodeset ?? "host")}, {PagesFree} free";
}
