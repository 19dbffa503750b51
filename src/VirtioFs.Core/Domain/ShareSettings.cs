// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Domain;

/// <summary>
/// The options a New/Set request asks for. A null field means "not asked": New leaves it out of the
/// XML (libvirt's default applies), Set leaves the existing value alone. <see cref="Reset"/> names
/// options Set must remove.
/// </summary>
internal sealed class ShareSettings
{
    public string? Tag { get; set; }
    public string? Source { get; set; }
    public string? SocketPath { get; set; }
    public int? QueueSize { get; set; }
    public VirtioFsCacheMode? Cache { get; set; }
    public bool? Xattr { get; set; }
    public bool? PosixLock { get; set; }
    public bool? Flock { get; set; }
    public VirtioFsSandboxMode? Sandbox { get; set; }
    public int? ThreadPoolSize { get; set; }
    public long? OpenFilesMax { get; set; }
    public string? BinaryPath { get; set; }
    public bool? ReadOnly { get; set; }
    public int? BootOrder { get; set; }
    public string? Alias { get; set; }
    public IReadOnlyList<VirtioFsIdMapEntry>? UidMap { get; set; }
    public IReadOnlyList<VirtioFsIdMapEntry>? GidMap { get; set; }
    public bool? Iommu { get; set; }
    public bool? Ats { get; set; }
    public bool? Packed { get; set; }
    public bool? PagePerVq { get; set; }

    /// <summary>Option names (parameter names) to remove on Set.</summary>
    public ISet<string> Reset { get; } = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);

    /// <summary>Options that configure libvirt's own virtiofsd; they mean nothing with &lt;source socket&gt;.</summary>
    public IEnumerable<string> DaemonOptionsGiven()
    {
        if (Cache is not null) yield return "Cache";
        if (Xattr is not null) yield return "Xattr";
        if (PosixLock is not null) yield return "PosixLock";
        if (Flock is not null) yield return "Flock";
        if (Sandbox is not null) yield return "Sandbox";
        if (ThreadPoolSize is not null) yield return "ThreadPoolSize";
        if (OpenFilesMax is not null) yield return "OpenFilesMax";
        if (BinaryPath is not null) yield return "BinaryPath";
        if (UidMap is { Count: > 0 }) yield return "UidMap";
        if (GidMap is { Count: > 0 }) yield return "GidMap";
    }

    /// <summary>Names every option Reset may name.</summary>
    public static readonly string[] ResettableOptions =
    {
        "QueueSize", "Cache", "Xattr", "PosixLock", "Flock", "Sandbox", "ThreadPoolSize", "OpenFilesMax",
        "BinaryPath", "ReadOnly", "BootOrder", "Alias", "UidMap", "GidMap", "Iommu", "Ats", "Packed", "PagePerVq",
    };
}
