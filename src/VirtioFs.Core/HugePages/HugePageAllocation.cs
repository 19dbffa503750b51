// SPDX-License-Identifier: MIT
namespace VirtioFs.HugePages;

/// <summary>What to allocate: a pool (page size, node or -1) and the absolute count wanted.</summary>
internal sealed record HugePageRequest(long PageSizeKiB, int NumaNode, long Count)
{
    /// <summary>Keep a short pool instead of rolling back.</summary>
    public bool AllowPartial { get; init; }

    /// <summary>Compaction rounds after a short read-back before giving up.</summary>
    public int CompactionRetries { get; init; } = 2;

    /// <summary>Requests growing the pool by at least this many pages are done in steps so progress can be shown.</summary>
    public long StepThreshold { get; init; } = 2048;

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
