// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Threading;
using VirtioFs.Errors;

namespace VirtioFs.HugePages;

/// <summary>
/// Resizes a hugepage pool and tells the truth about it. A write to nr_hugepages "succeeds" even
/// when the kernel found fewer free contiguous pages than asked, so every write is read back. When
/// short, memory is compacted (fragmentation is the usual cause) and the write repeated while that
/// still gains pages; then the pool is put back as it was and the caller gets a LimitsExceeded error,
/// unless it allowed a partial pool.
/// </summary>
/// <remarks>
/// The allocator deliberately does not write /proc/sys/vm/drop_caches: the kernel's hugepage
/// allocation already reclaims clean page cache by itself (__GFP_RETRY_MAYFAIL does direct reclaim),
/// so dropping caches rarely adds pages, while it throws away the cache of every other workload on
/// the host and causes an I/O storm afterwards. That is the admin's call, and the error says so.
/// </remarks>
internal sealed class HugePageAllocator
{
    private readonly IHugePageKernel _kernel;

    public HugePageAllocator(IHugePageKernel kernel)
    {
        _kernel = kernel;
    }

    /// <param name="request">Pool and count.</param>
    /// <param name="progress">Where to report steps.</param>
    /// <param name="cancel">Ctrl+C: roll back and stop.</param>
    /// <param name="knownPrevious">The count the caller has just read (saves a read); null reads it here.</param>
    public HugePageAllocationResult Allocate(HugePageRequest request, IProgress<HugePageProgress>? progress = null,
        CancellationToken cancel = default, long? knownPrevious = null)
    {
        if (request.Count < 0)
        {
            throw new VirtioFsException(ErrorIds.NegativePageCount, VirtioFsErrorKind.InvalidArgument,
                $"A pool cannot hold {request.Count} pages.", request.Count, "Give a count of 0 or more.");
        }
        var previous = knownPrevious ?? _kernel.ReadCount(request.PageSizeKiB, request.NumaNode);
        var target = request.Count;
        if (target == previous)
        {
            return new HugePageAllocationResult(previous, target, previous, 0);
        }
        long actual;
        int rounds = 0;
        try
        {
            actual = Grow(request, previous, target, progress, cancel);
            long best = actual;
            while (actual < target && rounds < request.CompactionRetries)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(new HugePageProgress($"Compacting memory (round {rounds + 1})", actual, target, previous));
                if (!_kernel.Compact())
                {
                    break; // no compaction here (or through libvirt): count only rounds that ran
                }
                rounds++;
                progress?.Report(new HugePageProgress($"Retrying after compaction (round {rounds})", actual, target, previous));
                _kernel.WriteCount(request.PageSizeKiB, request.NumaNode, target);
                actual = _kernel.ReadCount(request.PageSizeKiB, request.NumaNode);
                if (actual <= best)
                {
                    break; // compaction did not help: more rounds will not either
                }
                best = actual;
            }
        }
        catch (OperationCanceledException)
        {
            RollBack(request, previous, progress);
            throw new VirtioFsException(ErrorIds.HugePageAllocationStopped, VirtioFsErrorKind.OperationStopped,
                $"Allocation of {request.PoolName} was stopped; the pool was put back to {previous} pages.",
                request.Count);
        }

        var result = new HugePageAllocationResult(previous, target, actual, rounds);
        if (actual >= target || request.AllowPartial)
        {
            progress?.Report(new HugePageProgress("Done", actual, target, previous));
            return result;
        }

        var restored = RollBack(request, previous, progress);
        var sizeText = PageSize.Format(request.PageSizeKiB);
        var action = request.PageSizeKiB >= 1024 * 1024
            ? $"Free memory and try again, or reserve {sizeText} pages at boot with 'hugepagesz={PageSize.FormatKernel(request.PageSizeKiB)} hugepages={target}' on the kernel command line (Set-VirtioFsHugePage -Persist prints the line). Use -AllowPartial to keep the {actual} pages the kernel gave."
            : $"Free memory (stop guests or services, or drop the page cache with 'sync; echo 3 > /proc/sys/vm/drop_caches' if you accept the cost) and try again, ask for fewer pages, or reserve them at boot with 'hugepages={target}' on the kernel command line or vm.nr_hugepages (-Persist). Use -AllowPartial to keep the {actual} pages the kernel gave.";
        throw new VirtioFsException(ErrorIds.HugePageAllocationShort, VirtioFsErrorKind.LimitsExceeded,
            $"The kernel gave only {actual} of {target} {request.PoolName} (after {rounds} compaction round(s)); " +
            $"the pool was rolled back to {restored} pages.",
            request.Count, action);
    }

    /// <summary>Large growths go in steps so progress moves; each step is read back and a short step ends the climb.</summary>
    private long Grow(HugePageRequest request, long previous, long target, IProgress<HugePageProgress>? progress,
        CancellationToken cancel)
    {
        var delta = target - previous;
        long step = delta >= request.EffectiveStepThreshold ? Math.Max(1, (delta + 9) / 10) : Math.Abs(delta);
        long current = previous;
        long next = previous;
        progress?.Report(new HugePageProgress("Allocating", current, target, previous));
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            next = delta > 0 ? Math.Min(target, next + step) : target;
            _kernel.WriteCount(request.PageSizeKiB, request.NumaNode, next);
            current = _kernel.ReadCount(request.PageSizeKiB, request.NumaNode);
            progress?.Report(new HugePageProgress("Allocating", current, target, previous));
            if (next == target || current < next)
            {
                break;
            }
        }
        return current;
    }

    private long RollBack(HugePageRequest request, long previous, IProgress<HugePageProgress>? progress)
    {
        progress?.Report(new HugePageProgress("Rolling back", previous, previous, previous));
        _kernel.WriteCount(request.PageSizeKiB, request.NumaNode, previous);
        return _kernel.ReadCount(request.PageSizeKiB, request.NumaNode);
    }
}

/// <summary>
/// Several pools grown as one step: each is allocated (read back, compacted, rolled back when short)
/// by <see cref="HugePageAllocator"/>; when one fails, or the caller's next step fails, the pools
/// already grown are put back in reverse order, so the host ends as it was.
/// </summary>
internal sealed class HugePageBatch
{
    private readonly IHugePageKernel _kernel;
    private readonly List<HugePageAllocationResult> _done = [];
    private readonly List<HugePageRequest> _requests = [];

    public HugePageBatch(IHugePageKernel kernel)
    {
        _kernel = kernel;
    }

    public IReadOnlyList<HugePageAllocationResult> Done => _done;

    public void Allocate(IEnumerable<HugePageRequest> requests, Func<HugePageRequest, IProgress<HugePageProgress>?>? progress = null,
        CancellationToken cancel = default)
    {
        var allocator = new HugePageAllocator(_kernel);
        foreach (var request in requests)
        {
            try
            {
                var result = allocator.Allocate(request with { AllowPartial = false }, progress?.Invoke(request), cancel);
                _requests.Add(request);
                _done.Add(result);
            }
            catch
            {
                RollBack();
                throw;
            }
        }
    }

    /// <summary>Puts every pool this batch grew back to its size before; returns "pool: n" for each.</summary>
    public IReadOnlyList<string> RollBack()
    {
        var report = new List<string>();
        for (int i = _done.Count - 1; i >= 0; i--)
        {
            var r = _requests[i];
            _kernel.WriteCount(r.PageSizeKiB, r.NumaNode, _done[i].Previous);
            report.Add($"{r.PoolName}: {_kernel.ReadCount(r.PageSizeKiB, r.NumaNode)} pages (was {_done[i].Previous})");
        }
        _done.Clear();
        _requests.Clear();
        return report;
    }
}
