// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;

namespace VirtioFs.Internal;

/// <summary>
/// The virtio-fs options New- and Set-VirtioFsShare share. Switches distinguish "not given"
/// (leave libvirt's default or the current value) from -Xattr:$false (write xattr='off').
/// </summary>
public abstract class ShareOptionsCmdlet : DomainEditCmdlet
{
    /// <summary>Host directory to share (libvirt starts virtiofsd for it).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? Source { get; set; }

    /// <summary>Socket of a virtiofsd you run yourself (&lt;source socket&gt;).</summary>
    /// <remarks>Null is allowed: piped objects (a share with a source dir) carry a null SocketPath.</remarks>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? SocketPath { get; set; }

    [Parameter]
    public int? QueueSize { get; set; }

    [Parameter]
    public VirtioFsCacheMode? Cache { get; set; }

    [Parameter]
    public SwitchParameter Xattr { get; set; }

    [Parameter]
    public SwitchParameter PosixLock { get; set; }

    [Parameter]
    public SwitchParameter Flock { get; set; }

    [Parameter]
    public VirtioFsSandboxMode? Sandbox { get; set; }

    [Parameter]
    public int? ThreadPoolSize { get; set; }

    [Parameter]
    public long? OpenFilesMax { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BinaryPath { get; set; }

    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    [Parameter]
    public int? BootOrder { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Alias { get; set; }

    [Parameter]
    public VirtioFsIdMapEntry[]? UidMap { get; set; }

    [Parameter]
    public VirtioFsIdMapEntry[]? GidMap { get; set; }

    [Parameter]
    public SwitchParameter Iommu { get; set; }

    [Parameter]
    public SwitchParameter Ats { get; set; }

    [Parameter]
    public SwitchParameter Packed { get; set; }

    [Parameter]
    public SwitchParameter PagePerVq { get; set; }

    /// <summary>Auto keeps shared memory or enables it; Memfd/File/HugePages choose; Keep never touches memory.</summary>
    [Parameter]
    public SharedMemoryChoice SharedMemory { get; set; } = SharedMemoryChoice.Auto;

    /// <summary>Skips the host checks (source directory exists) for XML meant for another host.</summary>
    [Parameter]
    public SwitchParameter SkipSourceCheck { get; set; }

    private bool Given(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    private bool? Switch(string name, SwitchParameter value) => Given(name) ? value.IsPresent : null;

    /// <summary>The options the user gave on the command line (or by property name), and nothing else.</summary>
    internal ShareSettings GivenSettings() => new()
    {
        Source = string.IsNullOrEmpty(Source) ? null : Source,
        SocketPath = string.IsNullOrEmpty(SocketPath) ? null : SocketPath,
        QueueSize = QueueSize,
        Cache = Cache,
        Xattr = Switch(nameof(Xattr), Xattr),
        PosixLock = Switch(nameof(PosixLock), PosixLock),
        Flock = Switch(nameof(Flock), Flock),
        Sandbox = Sandbox,
        ThreadPoolSize = ThreadPoolSize,
        OpenFilesMax = OpenFilesMax,
        BinaryPath = BinaryPath,
        ReadOnly = Switch(nameof(ReadOnly), ReadOnly),
        BootOrder = BootOrder,
        Alias = Alias,
        UidMap = UidMap,
        GidMap = GidMap,
        Iommu = Switch(nameof(Iommu), Iommu),
        Ats = Switch(nameof(Ats), Ats),
        Packed = Switch(nameof(Packed), Packed),
        PagePerVq = Switch(nameof(PagePerVq), PagePerVq),
    };

    /// <summary>Settings copied from an existing share, overridden by what was given explicitly.</summary>
    internal ShareSettings MergeOver(VirtioFsShare template)
    {
        var given = GivenSettings();
        bool explicitLocation = given.Source is not null || given.SocketPath is not null;
        return new ShareSettings
        {
            Source = explicitLocation ? given.Source : template.Source,
            SocketPath = explicitLocation ? given.SocketPath : template.SocketPath,
            QueueSize = given.QueueSize ?? template.QueueSize,
            Cache = given.Cache ?? template.Cache,
            Xattr = given.Xattr ?? template.Xattr,
            PosixLock = given.PosixLock ?? template.PosixLock,
            Flock = given.Flock ?? template.Flock,
            Sandbox = given.Sandbox ?? template.Sandbox,
            ThreadPoolSize = given.ThreadPoolSize ?? template.ThreadPoolSize,
            OpenFilesMax = given.OpenFilesMax ?? template.OpenFilesMax,
            BinaryPath = given.BinaryPath ?? template.BinaryPath,
            ReadOnly = given.ReadOnly ?? (template.ReadOnly ? true : null),
            BootOrder = given.BootOrder ?? template.BootOrder,
            // An alias names a device in one domain; a copy gets its own from libvirt.
            Alias = given.Alias,
            UidMap = given.UidMap ?? (template.UidMap.Count > 0 ? template.UidMap.ToArray() : null),
            GidMap = given.GidMap ?? (template.GidMap.Count > 0 ? template.GidMap.ToArray() : null),
            Iommu = given.Iommu ?? template.Iommu,
            Ats = given.Ats ?? template.Ats,
            Packed = given.Packed ?? template.Packed,
            PagePerVq = given.PagePerVq ?? template.PagePerVq,
        };
    }

    /// <summary>Opens the domain given by -Path or -Domain.</summary>
    internal IDomainTarget OpenTarget(string? path, string? domain, string? uri) =>
        path is not null ? FileTarget(path, SkipSourceCheck) : LibvirtTarget(domain ?? throw new ArgumentNullException(nameof(domain)), uri, SkipSourceCheck);
}
