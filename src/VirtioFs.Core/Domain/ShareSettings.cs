// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;

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

    /// <summary>-Force: share a system directory anyway (SharedDirectoryGuard).</summary>
    public bool AllowUnsafeSource { get; set; }

    /// <summary>Option names (parameter names) to remove on Set.</summary>
    public ISet<string> Reset { get; private set; } = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);

    /// <summary>A copy to fill for one host (a mapping's directory differs per host); the lists are immutable, Reset is copied.</summary>
    public ShareSettings Copy()
    {
        var copy = (ShareSettings)MemberwiseClone();
        copy.Reset = new HashSet<string>(Reset, System.StringComparer.OrdinalIgnoreCase);
        return copy;
    }

    /// <summary>Options that configure libvirt's own virtiofsd; they mean nothing with &lt;source socket&gt;.</summary>
    public IEnumerable<string> DaemonOptionsGiven() =>
        ShareOptions.All.Where(o => o.DaemonOnly && o.IsAsked(this)
            && !(o.Asked(this) is IReadOnlyList<VirtioFsIdMapEntry> { Count: 0 })).Select(o => o.Name);
}
