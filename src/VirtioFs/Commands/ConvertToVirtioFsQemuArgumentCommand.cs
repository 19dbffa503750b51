// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Qemu;

namespace VirtioFs.Commands;

/// <summary>
/// The QEMU arguments for virtio-fs on a QEMU run without libvirt: shared guest RAM once, then the
/// vhost-user chardev and vhost-user-fs-pci device of every share given (parameters or pipeline),
/// as one string array to splat.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "VirtioFsQemuArgument")]
[OutputType(typeof(string[]))]
public sealed class ConvertToVirtioFsQemuArgumentCommand : VirtioFsCmdlet
{
    /// <summary>virtiofsd's socket; binds from Start-VirtioFsDaemon / Get-VirtioFsDaemon output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SocketPath { get; set; } = string.Empty;

    /// <summary>
    /// The mount tag; binds by property name, so CSV rows or share objects each bring their own, and
    /// a daemon piped in without -Tag lends its Name.
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [AllowEmptyString]
    public string Tag { get; set; } = string.Empty;

    /// <summary>The guest RAM, the same as QEMU's -m: bytes or 512M, 2G, 1GiB.</summary>
    [Parameter(Mandatory = true)]
    [SizeTransformation(BareSizeUnit.Bytes)]
    [ValidateNotNullOrEmpty]
    public string MemorySize { get; set; } = string.Empty;

    [Parameter]
    public VirtioFsQemuBacking Backing { get; set; } = VirtioFsQemuBacking.Memfd;

    /// <summary>hugetlbfs mount (HugePages, default /dev/hugepages) or directory (File, default /dev/shm).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MemPath { get; set; }

    [Parameter]
    public int QueueSize { get; set; }

    /// <summary>Split the RAM into this many NUMA nodes with -numa node,memdev= (0: -machine memory-backend=).</summary>
    [Parameter]
    public int NumaNode { get; set; }

    /// <summary>Prefix for the QEMU ids, to avoid clashes with the user's own ids.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    private readonly List<QemuFsDevice> _devices = new();
    private int _refused;

    // Each input is checked as it comes, so its error names it; the arguments are written once at
    // the end because one guest has one RAM backend for all its shares.
    protected override void ProcessRecord()
    {
        var device = new QemuFsDevice
        {
            SocketPath = SocketPath,
            Tag = Tag,
            QueueSize = IsBound(nameof(QueueSize)) ? QueueSize : null,
        };
        try
        {
            QemuArgumentBuilder.ValidateDevice(device);
            QemuArgumentBuilder.ValidateAgainst(device, _devices);
            _devices.Add(device);
        }
        catch (VirtioFsException e)
        {
            _refused++;
            WriteCoreError(e);
        }
    }

    protected override void EndProcessing()
    {
        if (_refused > 0)
        {
            // Arguments without the refused share would boot a guest that silently lacks it.
            WriteVerbose($"No arguments written: {_refused} of {_refused + _devices.Count} share(s) were refused.");
            return;
        }
        if (_devices.Count == 0)
        {
            return;
        }
        try
        {
            var request = new QemuArgumentRequest
            {
                Devices = _devices,
                MemoryBytes = Qemu.MemorySize.ParseBytes(MemorySize),
                Backing = Backing,
                MemPath = MemPath,
                NumaNodes = NumaNode,
                IdPrefix = Id ?? string.Empty,
            };
            // One array, not enumerated, so $args = ... | ConvertTo-VirtioFsQemuArgument splats as is.
            WriteObject(QemuArgumentBuilder.Build(request), enumerateCollection: false);
        }
        catch (VirtioFsException e)
        {
            WriteCoreError(e);
        }
    }
}
