// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Qemu;

namespace VirtioFs.Commands;

/// <summary>
/// The QEMU arguments for one virtio-fs device on a QEMU run without libvirt: shared guest RAM,
/// the vhost-user chardev and the vhost-user-fs-pci device, as one string array to splat.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "VirtioFsQemuArgument")]
[OutputType(typeof(string[]))]
public sealed class ConvertToVirtioFsQemuArgumentCommand : VirtioFsCmdlet
{
    /// <summary>virtiofsd's socket; binds from Start-VirtioFsDaemon / Get-VirtioFsDaemon output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string SocketPath { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [AllowEmptyString]
    public string Tag { get; set; } = string.Empty;

    /// <summary>The guest RAM, the same as QEMU's -m: bytes or 512M, 2G, 1GiB.</summary>
    [Parameter(Mandatory = true)]
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

    /// <summary>Prefix for the QEMU ids, to add several devices or avoid clashes with the user's own ids.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var request = new QemuArgumentRequest
            {
                SocketPath = SocketPath,
                Tag = Tag,
                MemoryBytes = Qemu.MemorySize.ParseBytes(MemorySize),
                Backing = Backing,
                MemPath = MemPath,
                QueueSize = MyInvocation.BoundParameters.ContainsKey(nameof(QueueSize)) ? QueueSize : null,
                NumaNodes = NumaNode,
                IdPrefix = Id ?? string.Empty,
            };
            // One array per input, not enumerated, so $args = ... | ConvertTo-VirtioFsQemuArgument splats as is.
            WriteObject(QemuArgumentBuilder.Build(request), enumerateCollection: false);
        }
        catch (VirtioFsException e)
        {
            WriteCoreError(e);
        }
    }
}
