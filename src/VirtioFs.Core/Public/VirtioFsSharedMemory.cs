// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>The memory-backing state of a domain, and whether virtio-fs can work with it.</summary>
public sealed class VirtioFsSharedMemory
{
    internal VirtioFsSharedMemory()
    {
    }

    public string Domain { get; internal set; } = string.Empty;

    public string? Path { get; internal set; }

    public string? ConnectionUri { get; internal set; }

    public VirtioFsSharedMemoryBacking Backing { get; internal set; }

    /// <summary>&lt;memoryBacking&gt;&lt;access mode&gt;: "shared", "private" or null.</summary>
    public string? AccessMode { get; internal set; }

    public IReadOnlyList<VirtioFsHugePageRequest> HugePageSizes { get; internal set; } = Array.Empty<VirtioFsHugePageRequest>();

    public IReadOnlyList<VirtioFsNumaCell> NumaCells { get; internal set; } = Array.Empty<VirtioFsNumaCell>();

    /// <summary>Other &lt;memoryBacking&gt; children kept as they are (nosharepages, locked, allocation, discard).</summary>
    public IReadOnlyList<string> OtherSettings { get; internal set; } = Array.Empty<string>();

    public ulong? MemoryKiB { get; internal set; }

    /// <summary>True when every byte of guest RAM is shared and fd-backed, as vhost-user needs.</summary>
    public bool VirtioFsReady { get; internal set; }

    /// <summary>Why the memory is or is not ready, in one sentence.</summary>
    public string Reason { get; internal set; } = string.Empty;

    public override string ToString() => $"{Domain}: {Backing}/{AccessMode ?? "default"} ready={VirtioFsReady}";
}
