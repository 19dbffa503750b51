// SPDX-License-Identifier: MIT
namespace VirtioFs.HugePages;

/// <summary>What the allocator needs from the kernel; a seam so tests can play a kernel that gives fewer pages.</summary>
internal interface IHugePageKernel
{
    long ReadCount(long pageSizeKiB, int numaNode);

    void WriteCount(long pageSizeKiB, int numaNode, long count);

    /// <summary>Asks the kernel to defragment memory; false when the kernel has no compaction.</summary>
    bool Compact();
}
