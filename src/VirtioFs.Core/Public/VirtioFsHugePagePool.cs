// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs;

/// <summary>
/// One hugepage pool: one page size, either host-wide (<see cref="NumaNode"/> = -1) or on one NUMA
/// node. -1 rather than null so the object pipes into <c>Set-VirtioFsHugePage</c> by property name.
/// </summary>
public sealed class VirtioFsHugePagePool
{
    internal VirtioFsHugePagePool(long pageSizeKiB, int numaNode, long total, long free, long? reserved,
        long? surplus, long? overcommit, string[] mountPoint, string? connectionUri = null)
    {
        ConnectionUri = connectionUri;
        PageSizeKiB = pageSizeKiB;
        NumaNode = numaNode;
        Total = total;
        Free = free;
        Reserved = reserved;
        Surplus = surplus;
        Overcommit = overcommit;
        MountPoint = mountPoint;
    }

    /// <summary>Page size in KiB (2048 for 2 MiB, 1048576 for 1 GiB).</summary>
    public long PageSizeKiB { get; }

    /// <summary>Page size for people: 2MiB, 1GiB.</summary>
    public string PageSize => HugePages.PageSize.Format(PageSizeKiB);

    /// <summary>NUMA node of this pool, or -1 for the host-wide pool.</summary>
    public int NumaNode { get; }

    /// <summary>True for the host-wide pool (the sum over the nodes).</summary>
    public bool IsHostWide => NumaNode < 0;

    /// <summary>Pages in the pool (nr_hugepages).</summary>
    public long Total { get; }

    /// <summary>Pages not in use (free_hugepages); reserved pages are counted as free by the kernel.</summary>
    public long Free { get; }

    /// <summary>Pages promised to mappings but not yet faulted in (resv_hugepages); the kernel keeps this host-wide only, so it is null per node.</summary>
    public long? Reserved { get; }

    /// <summary>Pages above nr_hugepages allocated through overcommit (surplus_hugepages); null when read through libvirt, which does not report it.</summary>
    public long? Surplus { get; }

    /// <summary>Limit for surplus pages (nr_overcommit_hugepages); host-wide only, null per node.</summary>
    public long? Overcommit { get; }

    /// <summary>Pages a new guest can still map: free minus reserved.</summary>
    public long Available => Math.Max(0, Free - (Reserved ?? 0));

    /// <summary>Size of the pool in bytes.</summary>
    public long TotalBytes => Total * PageSizeKiB * 1024;

    /// <summary>Where hugetlbfs is mounted for this page size (empty when nowhere: libvirt cannot use the size then). Always empty when read through libvirt (-ConnectionUri), which does not report mounts.</summary>
    public string[] MountPoint { get; }

    /// <summary>The libvirt connection the pool was read through (-ConnectionUri), or null for this host's sysfs; pipes into Set-VirtioFsHugePage by property name.</summary>
    public string? ConnectionUri { get; }
}
