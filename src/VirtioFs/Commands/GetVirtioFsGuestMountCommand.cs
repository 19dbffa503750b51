// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>How a guest mounts a share: mount command, fstab line, systemd unit and Windows steps.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsGuestMount")]
[OutputType(typeof(VirtioFsGuestMount))]
public sealed class GetVirtioFsGuestMountCommand : VirtioFsCmdlet
{
    /// <summary>The share's mount tag; binds from Get-VirtioFsShare / New-VirtioFsShare output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string Tag { get; set; } = string.Empty;

    /// <summary>Where the guest mounts it; /mnt/&lt;tag&gt; when omitted.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? MountPoint { get; set; }

    /// <summary>Mount read-only; a read-only share (ReadOnly property) turns it on by itself.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary>More mount options, e.g. noatime, dax.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] Options { get; set; } = [];

    /// <summary>Drive letter for the Windows steps.</summary>
    [Parameter]
    public char DriveLetter { get; set; } = 'Z';

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(GuestMountBuilder.Build(Tag, MountPoint, ReadOnly.IsPresent, Options, DriveLetter));
        }
        catch (VirtioFsException e)
        {
            WriteCoreError(e);
        }
    }
}
