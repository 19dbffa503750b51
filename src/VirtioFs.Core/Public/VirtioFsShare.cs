// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>
/// A virtio-fs &lt;filesystem&gt; of a libvirt domain, as read back from the domain XML. Property
/// names match the parameters of New-/Set-/Remove-VirtioFsShare so objects bind by property name.
/// A null property means the XML does not set it and libvirt/virtiofsd use their default.
/// </summary>
public sealed class VirtioFsShare
{
    internal VirtioFsShare()
    {
    }

    /// <summary>The domain's name.</summary>
    public string Domain { get; internal set; } = string.Empty;

    public string? DomainUuid { get; internal set; }

    /// <summary>The domain XML file, when the share was read from a file (-Path).</summary>
    public string? Path { get; internal set; }

    /// <summary>The libvirt connection, when the share was read from libvirt (-Domain).</summary>
    public string? ConnectionUri { get; internal set; }

    /// <summary>The mount tag (&lt;target dir&gt;), what the guest passes to mount -t virtiofs.</summary>
    public string Tag { get; internal set; } = string.Empty;

    /// <summary>Host directory (&lt;source dir&gt;), when libvirt runs virtiofsd.</summary>
    public string? Source { get; internal set; }

    /// <summary>vhost-user socket of a virtiofsd run outside libvirt (&lt;source socket&gt;).</summary>
    public string? SocketPath { get; internal set; }

    public int? QueueSize { get; internal set; }

    public VirtioFsCacheMode? Cache { get; internal set; }

    public bool? Xattr { get; internal set; }

    public VirtioFsSandboxMode? Sandbox { get; internal set; }

    public int? ThreadPoolSize { get; internal set; }

    public long? OpenFilesMax { get; internal set; }

    public bool? PosixLock { get; internal set; }

    public bool? Flock { get; internal set; }

    public string? BinaryPath { get; internal set; }

    public bool ReadOnly { get; internal set; }

    public int? BootOrder { get; internal set; }

    /// <summary>Device alias (&lt;alias name&gt;); libvirt assigns fsN on start, user aliases start with "ua-".</summary>
    public string? Alias { get; internal set; }

    /// <summary>The device address libvirt assigned, e.g. "pci 0000:01:00.0"; kept on every edit.</summary>
    public string? Address { get; internal set; }

    public IReadOnlyList<VirtioFsIdMapEntry> UidMap { get; internal set; } = Array.Empty<VirtioFsIdMapEntry>();

    public IReadOnlyList<VirtioFsIdMapEntry> GidMap { get; internal set; } = Array.Empty<VirtioFsIdMapEntry>();

    public bool? Iommu { get; internal set; }

    public bool? Ats { get; internal set; }

    public bool? Packed { get; internal set; }

    public bool? PagePerVq { get; internal set; }

    /// <summary>"passthrough" for virtio-fs (the only mode it supports).</summary>
    public string AccessMode { get; internal set; } = "passthrough";

    /// <summary>Does the domain's memory let virtiofsd map guest RAM (shared memfd/file/hugepages)?</summary>
    public bool SharedMemoryReady { get; internal set; }

    /// <summary>Whether the share is daemon-managed by libvirt or attached to our own socket.</summary>
    public string DaemonMode => SocketPath is null ? "libvirt" : "external";

    public override string ToString() => $"{Domain}:{Tag}";
}
