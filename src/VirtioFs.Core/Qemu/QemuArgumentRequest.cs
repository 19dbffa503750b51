// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Qemu;

/// <summary>
/// Everything <see cref="QemuArgumentBuilder"/> needs for one guest: its shared RAM once, and one
/// vhost-user-fs device per share.
/// </summary>
internal sealed class QemuArgumentRequest
{
    public IReadOnlyList<QemuFsDevice> Devices { get; init; } = [];

    public ulong MemoryBytes { get; init; }

    public VirtioFsQemuBacking Backing { get; init; } = VirtioFsQemuBacking.Memfd;

    /// <summary>Directory (or file) for File/HugePages; null picks the default for the backing.</summary>
    public string? MemPath { get; init; }

    /// <summary>0: -machine memory-backend=; N: N NUMA nodes of equal size with -numa node,memdev=.</summary>
    public int NumaNodes { get; init; }

    /// <summary>Prefix for every QEMU id; empty gives libvirt's own ids (pc.ram, ram-node0, chr-vu-fs0, fs0).</summary>
    public string IdPrefix { get; init; } = string.Empty;
}

/// <summary>One vhost-user-fs device: the virtiofsd socket QEMU connects to and the tag the guest mounts.</summary>
internal sealed class QemuFsDevice
{
    public string SocketPath { get; init; } = string.Empty;

    public string Tag { get; init; } = string.Empty;

    /// <summary>null leaves QEMU's default (128), as libvirt does without &lt;driver queue&gt;.</summary>
    public int? QueueSize { get; init; }
}
