// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs;

/// <summary>A guest NUMA cell and its memory access mode.</summary>
public sealed class VirtioFsNumaCell
{
    internal VirtioFsNumaCell(int id, ulong? memoryKiB, string? memAccess, string? cpus)
    {
        Id = id;
        MemoryKiB = memoryKiB;
        MemAccess = memAccess;
        Cpus = cpus;
    }

    public int Id { get; }

    public ulong? MemoryKiB { get; }

    /// <summary>"shared", "private" or null (inherits &lt;memoryBacking&gt;&lt;access&gt;).</summary>
    public string? MemAccess { get; }

    public string? Cpus { get; }

    public override string ToString() => $"cell{Id}:{MemAccess ?? "default"}";
}
