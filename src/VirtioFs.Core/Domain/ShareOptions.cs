// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>
/// The table of virtio-fs options (one <see cref="ShareOption"/> each). The order is the order of
/// attributes within one element as libvirt writes them (driver: queue, iommu, ats, packed,
/// page_per_vq; binary: path, xattr; lock: posix, flock). Versions are the libvirt releases whose
/// NEWS and schema brought each option; openfiles is dated from the Go XML binding (2024-08, 10.7).
/// </summary>
internal static class ShareOptions
{
    public const int MaxQueueSize = 1024;

    public static readonly ShareOption QueueSize = new("QueueSize", XmlSlot.At("driver", "queue"),
        s => s.QueueSize, (s, v) => s.QueueSize = (int?)v, x => x.QueueSize, (x, v) => x.QueueSize = (int?)v)
    {
        Parse = s => MemoryUnits.ParseInt(s),
        Check = v => (int)v is var q && (q < 1 || q > MaxQueueSize || !MemoryUnits.IsPowerOfTwo(q))
            ? new OptionProblem(ErrorIds.InvalidQueueSize, $"Queue size {q} is invalid: QEMU needs a power of two from 1 to {MaxQueueSize}.",
                "Use 128 (QEMU's default), 256, 512 or 1024 (recommended for Windows guests).")
            : null,
    };

    public static readonly ShareOption Iommu = OnOff("Iommu", "driver", "iommu", s => s.Iommu, (s, v) => s.Iommu = v, x => x.Iommu, (x, v) => x.Iommu = v);

    public static readonly ShareOption Ats = OnOff("Ats", "driver", "ats", s => s.Ats, (s, v) => s.Ats = v, x => x.Ats, (x, v) => x.Ats = v);

    public static readonly ShareOption Packed = OnOff("Packed", "driver", "packed", s => s.Packed, (s, v) => s.Packed = v, x => x.Packed, (x, v) => x.Packed = v);

    public static readonly ShareOption PagePerVq = OnOff("PagePerVq", "driver", "page_per_vq", s => s.PagePerVq, (s, v) => s.PagePerVq = v, x => x.PagePerVq, (x, v) => x.PagePerVq = v);

    public static readonly ShareOption BinaryPath = new("BinaryPath", XmlSlot.At("binary", "path"),
        s => s.BinaryPath, (s, v) => s.BinaryPath = (string?)v, x => x.BinaryPath, (x, v) => x.BinaryPath = (string?)v)
    {
        DaemonOnly = true,
        Check = v => Path.IsPathRooted((string)v) ? null
            : new OptionProblem(ErrorIds.BinaryPathNotAbsolute, $"The virtiofsd path '{v}' is not absolute; libvirt needs an absolute path.",
                "Give the full path, e.g. /usr/lib/qemu/virtiofsd or /usr/libexec/virtiofsd."),
    };

    public static readonly ShareOption Xattr = OnOff("Xattr", "binary", "xattr", s => s.Xattr, (s, v) => s.Xattr = v, x => x.Xattr, (x, v) => x.Xattr = v, daemonOnly: true);

    public static readonly ShareOption Cache = new("Cache", XmlSlot.At("binary/cache", "mode"),
        s => s.Cache, (s, v) => s.Cache = (VirtioFsCacheMode?)v, x => x.Cache, (x, v) => x.Cache = (VirtioFsCacheMode?)v)
    {
        DaemonOnly = true,
        Format = v => v.ToString()!.ToLowerInvariant(),
        Parse = s => Enum.TryParse<VirtioFsCacheMode>(s, ignoreCase: true, out var m) ? m : null,
    };

    public static readonly ShareOption Sandbox = new("Sandbox", XmlSlot.At("binary/sandbox", "mode"),
        s => s.Sandbox, (s, v) => s.Sandbox = (VirtioFsSandboxMode?)v, x => x.Sandbox, (x, v) => x.Sandbox = (VirtioFsSandboxMode?)v)
    {
        Xml = "<sandbox>",
        DaemonOnly = true,
        LibvirtSince = new Version(7, 2, 0),
        Format = v => v.ToString()!.ToLowerInvariant(),
        Parse = s => Enum.TryParse<VirtioFsSandboxMode>(s, ignoreCase: true, out var m) ? m : null,
    };

    public static readonly ShareOption PosixLock = Lock("PosixLock", "posix", s => s.PosixLock, (s, v) => s.PosixLock = v, x => x.PosixLock, (x, v) => x.PosixLock = v);

    public static readonly ShareOption Flock = Lock("Flock", "flock", s => s.Flock, (s, v) => s.Flock = v, x => x.Flock, (x, v) => x.Flock = v);

    public static readonly ShareOption ThreadPoolSize = new("ThreadPoolSize", XmlSlot.At("binary/thread_pool", "size"),
        s => s.ThreadPoolSize, (s, v) => s.ThreadPoolSize = (int?)v, x => x.ThreadPoolSize, (x, v) => x.ThreadPoolSize = (int?)v)
    {
        Xml = "<thread_pool>",
        DaemonOnly = true,
        LibvirtSince = new Version(8, 5, 0),
        Parse = s => MemoryUnits.ParseInt(s),
        Check = v => (int)v < 0 ? new OptionProblem(ErrorIds.InvalidThreadPoolSize, $"Thread pool size {v} is invalid: use 0 (no pool) or more.") : null,
    };

    public static readonly ShareOption OpenFilesMax = new("OpenFilesMax", XmlSlot.At("binary/openfiles", "max"),
        s => s.OpenFilesMax, (s, v) => s.OpenFilesMax = (long?)v, x => x.OpenFilesMax, (x, v) => x.OpenFilesMax = (long?)v)
    {
        Xml = "<openfiles>",
        DaemonOnly = true,
        LibvirtSince = new Version(10, 7, 0),
        Parse = s => MemoryUnits.ParseLong(s),
        Check = v => (long)v <= 0 ? new OptionProblem(ErrorIds.InvalidOpenFilesMax, $"Open files limit {v} is invalid: it must be positive.") : null,
    };

    public static readonly ShareOption UidMap = new IdMapOption("UidMap", "uid",
        s => s.UidMap, (s, v) => s.UidMap = v, x => x.UidMap, (x, v) => x.UidMap = v);

    public static readonly ShareOption GidMap = new IdMapOption("GidMap", "gid",
        s => s.GidMap, (s, v) => s.GidMap = v, x => x.GidMap, (x, v) => x.GidMap = v);

    public static readonly ShareOption ReadOnly = new("ReadOnly", XmlSlot.At("readonly"),
        s => s.ReadOnly, (s, v) => s.ReadOnly = (bool?)v, x => x.ReadOnly, (x, v) => x.ReadOnly = (bool)v!)
    {
        LibvirtSince = new Version(11, 0, 0),
        Xml = "<readonly/>",
        // A share that is not read-only has no <readonly/> at all.
        Present = v => v is true,
    };

    public static readonly ShareOption BootOrder = new("BootOrder", XmlSlot.At("boot", "order"),
        s => s.BootOrder, (s, v) => s.BootOrder = (int?)v, x => x.BootOrder, (x, v) => x.BootOrder = (int?)v)
    {
        Xml = "<boot order>",
        LibvirtSince = new Version(7, 1, 0),
        Parse = s => MemoryUnits.ParseInt(s),
        Check = v => (int)v < 1 ? new OptionProblem(ErrorIds.InvalidBootOrder, $"Boot order {v} is invalid: it starts at 1.") : null,
    };

    public static readonly ShareOption Alias = new("Alias", XmlSlot.At("alias", "name"),
        s => s.Alias, (s, v) => s.Alias = (string?)v, x => x.Alias, (x, v) => x.Alias = (string?)v)
    {
        // An alias names a device in one domain; a copy gets its own from libvirt.
        Copied = false,
    };

    /// <summary>&lt;source socket&gt;: where the share's daemon is, not an option; listed for its libvirt version only.</summary>
    public static readonly ShareOption SocketPath = new LocationOption("SocketPath", XmlSlot.At("source", "socket"),
        s => s.SocketPath, (s, v) => s.SocketPath = (string?)v, x => x.SocketPath, (x, v) => x.SocketPath = (string?)v)
    {
        LibvirtSince = new Version(7, 3, 0),
        Resettable = false,
        Xml = "<source socket>",
    };

    /// <summary>Every option, in XML attribute order.</summary>
    public static readonly IReadOnlyList<ShareOption> All =
    [
        QueueSize, Iommu, Ats, Packed, PagePerVq, BinaryPath, Xattr, Cache, Sandbox, PosixLock, Flock,
        ThreadPoolSize, OpenFilesMax, UidMap, GidMap, ReadOnly, BootOrder, Alias, SocketPath,
    ];

    /// <summary>The options a caller sets (everything but the share's location).</summary>
    public static IEnumerable<ShareOption> Settable => All.Where(o => o is not LocationOption);

    /// <summary>What Set-VirtioFsShare -Reset accepts.</summary>
    public static IReadOnlyList<string> ResettableNames { get; } = All.Where(o => o.Resettable).Select(o => o.Name).ToList();

    public static ShareOption? Find(string name) => All.FirstOrDefault(o => string.Equals(o.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The options a share sets that the given libvirt does not know yet.</summary>
    public static IReadOnlyList<ShareOption> TooNewFor(VirtioFsShare share, Version libvirt) =>
        All.Where(o => o.IsUsed(share) && libvirt < o.LibvirtSince).ToList();

    /// <summary>The options a share sets that the given daemon dialect does not honour.</summary>
    public static IReadOnlyList<ShareOption> UnsupportedBy(VirtioFsShare share, DaemonDialects dialect) =>
        All.Where(o => o.IsUsed(share) && (o.Dialects & dialect) == 0).ToList();

    /// <summary>
    /// The dialect of the options libvirt passes to a virtiofsd: Rust when it reports separate-options (what
    /// newer libvirt reads) or answers like the Rust daemon, C when it answers like the C one.
    /// </summary>
    public static DaemonDialects DialectOf(VirtioFsDaemonBinary daemon) =>
        daemon.Dialect == VirtioFsDaemonDialect.Rust || daemon.Features.Contains("separate-options") ? DaemonDialects.Rust
        : daemon.Dialect == VirtioFsDaemonDialect.C ? DaemonDialects.C
        : DaemonDialects.Both;

    private static ShareOption OnOff(string name, string element, string attribute,
        Func<ShareSettings, bool?> asked, Action<ShareSettings, bool?> setAsked,
        Func<VirtioFsShare, bool?> value, Action<VirtioFsShare, bool?> setValue, bool daemonOnly = false) =>
        new(name, XmlSlot.At(element, attribute), s => asked(s), (s, v) => setAsked(s, (bool?)v), x => value(x), (x, v) => setValue(x, (bool?)v))
        {
            DaemonOnly = daemonOnly,
            Format = v => MemoryUnits.OnOff((bool)v),
            Parse = s => MemoryUnits.ParseOnOff(s),
        };

    private static ShareOption Lock(string name, string attribute,
        Func<ShareSettings, bool?> asked, Action<ShareSettings, bool?> setAsked,
        Func<VirtioFsShare, bool?> value, Action<VirtioFsShare, bool?> setValue) =>
        new(name, XmlSlot.At("binary/lock", attribute), s => asked(s), (s, v) => setAsked(s, (bool?)v), x => value(x), (x, v) => setValue(x, (bool?)v))
        {
            DaemonOnly = true,
            // The Rust virtiofsd has no lock options: newer libvirt refuses them for it, libvirt 9.0 passes
            // '-o flock' and the daemon exits ("Invalid compat argument").
            Dialects = DaemonDialects.C,
            DialectErrorId = ErrorIds.LockNeedsCVirtiofsd,
            Format = v => MemoryUnits.OnOff((bool)v),
            Parse = s => MemoryUnits.ParseOnOff(s),
        };

    /// <summary>The share's location (&lt;source socket&gt;): FilesystemElement writes &lt;source&gt; as a whole.</summary>
    private sealed class LocationOption : ShareOption
    {
        public LocationOption(string name, XmlSlot slot, Func<ShareSettings, object?> asked, Action<ShareSettings, object?> setAsked,
            Func<VirtioFsShare, object?> value, Action<VirtioFsShare, object?> setValue)
            : base(name, slot, asked, setAsked, value, setValue)
        {
        }

        public override void Write(System.Xml.Linq.XElement fs, ShareSettings s)
        {
        }

        public override void Inherit(VirtioFsShare template, ShareSettings given)
        {
        }
    }
}

