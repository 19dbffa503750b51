// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.HugePages;

/// <summary>What to allocate: a pool (page size, node or -1) and the absolute count wanted.</summary>
internal sealed record HugePageRequest(long PageSizeKiB, int NumaNode, long Count)
{
    /// <summary>Keep a short pool instead of rolling back.</summary>
    public bool AllowPartial { get; init; }

    /// <summary>Compaction rounds after a short read-back before giving up.</summary>
    public int CompactionRetries { get; init; } = 2;

    /// <summary>
    /// Requests growing the pool by at least this many pages are done in ten steps so progress can be
    /// shown; null: 16 GiB worth of pages (8192 x 2 MiB, 16 x 1 GiB). Each step is a write and a
    /// read-back the kernel has to serialise; below that size the whole growth takes tens of
    /// milliseconds for 2 MiB pages, too short for a progress bar, and the steps alone cost ~40%
    /// (measured at 2048 pages, bench/README.md).
    /// </summary>
    public long? StepThreshold { get; init; }

    /// <summary>The step threshold in pages for this page size.</summary>
    public long EffectiveStepThreshold => StepThreshold ?? Math.Max(1, 16L * 1024 * 1024 / PageSizeKiB);

    /// <summary>Human name of the pool for messages: "2MiB pages (host)" / "1GiB pages on node 1".</summary>
    public string PoolName => NumaNode < 0
        ? $"{PageSize.Format(PageSizeKiB)} pages (host-wide)"
        : $"{PageSize.Format(PageSizeKiB)} pages on NUMA node {NumaNode}";
}

/// <summary>Where an allocation is; sent through IProgress so the cmdlet can draw Write-Progress.</summary>
internal sealed record HugePageProgress(string Phase, long Current, long Target, long Previous);

/// <summary>What the kernel gave.</summary>
internal sealed record HugePageAllocationResult(long Previous, long Requested, long Actual, int CompactionRounds)
{
    public bool IsShort => Actual < Requested;
}
