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
    public VirtioFsSharedMemoryChoice SharedMemory { get; set; } = VirtioFsSharedMemoryChoice.Auto;

    /// <summary>Shares a system directory (/, /etc, /var/lib/libvirt ...) that is otherwise refused.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Skips the host checks (source directory exists) for XML meant for another host.</summary>
    [Parameter]
    public SwitchParameter SkipSourceCheck { get; set; }

    /// <summary>
    /// The options the user gave on the command line (or by property name), and nothing else: each option of
    /// the table (ShareOptions) whose parameter was bound, a switch as true or false.
    /// </summary>
    internal ShareSettings GivenSettings()
    {
        var settings = new ShareSettings
        {
            Source = string.IsNullOrEmpty(Source) ? null : Source,
            SocketPath = string.IsNullOrEmpty(SocketPath) ? null : SocketPath,
            AllowUnsafeSource = Force.IsPresent,
        };
        foreach (var option in ShareOptions.Settable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(option.Name, out var value))
            {
                option.SetAsked(settings, value switch
                {
                    SwitchParameter s => s.IsPresent,
                    VirtioFsIdMapEntry[] map => map,
                    _ => value,
                });
            }
        }
        return settings;
    }

    /// <summary>Settings copied from an existing share, overridden by what was given explicitly.</summary>
    internal ShareSettings MergeOver(VirtioFsShare template)
    {
        var settings = GivenSettings();
        if (settings.Source is null && settings.SocketPath is null)
        {
            settings.Source = template.Source;
            settings.SocketPath = template.SocketPath;
        }
        foreach (var option in ShareOptions.Settable)
        {
            option.Inherit(template, settings);
        }
        return settings;
    }

}
