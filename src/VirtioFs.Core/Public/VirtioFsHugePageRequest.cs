// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs;

/// <summary>A hugepage size a domain asks for (&lt;hugepages&gt;&lt;page size unit nodeset&gt;).</summary>
public sealed class VirtioFsHugePageRequest
{
    internal VirtioFsHugePageRequest(ulong? sizeKiB, string? nodeset)
    {
        SizeKiB = sizeKiB;
        Nodeset = nodeset;
    }

    /// <summary>Page size in KiB; null means the host's default hugepage size.</summary>
    public ulong? SizeKiB { get; }

    /// <summary>Guest NUMA nodes this size applies to; null means all.</summary>
    public string? Nodeset { get; }

    public override string ToString() =>
        (SizeKiB is null ? "default" : $"{SizeKiB}KiB") + (Nodeset is null ? string.Empty : $"@{Nodeset}");
}
