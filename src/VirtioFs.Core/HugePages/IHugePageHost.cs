// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.HugePages;

/// <summary>
/// A host's hugepage pools as the cmdlets see them: this host through sysfs (<see cref="HugePageSysfs"/>)
/// or any host through libvirt (<see cref="LibvirtHugePageHost"/>). Same pools, same objects.
/// </summary>
internal interface IHugePageHost : IHugePageKernel
{
    /// <summary>The libvirt URI, or null for the local sysfs.</summary>
    string? ConnectionUri { get; }

    /// <summary>Page sizes the host offers, ascending.</summary>
    IReadOnlyList<long> OfferedPageSizesKiB();

    bool IsOffered(long kib);

    /// <summary>NUMA nodes with hugepage pools, ascending.</summary>
    IReadOnlyList<int> NumaNodes();

    /// <summary>The size a domain's &lt;hugepages/&gt; without a size gets.</summary>
    long DefaultPageSizeKiB();

    /// <summary>For each page size the host-wide pool, then one per NUMA node.</summary>
    IReadOnlyList<VirtioFsHugePagePool> ReadPools();

    VirtioFsHugePagePool ReadPool(long kib, int node, string[]? mountPoints = null);

    /// <summary>What a change writes, for -WhatIf: the sysfs file or the libvirt call.</summary>
    string PoolLocation(long kib, int node);
}
