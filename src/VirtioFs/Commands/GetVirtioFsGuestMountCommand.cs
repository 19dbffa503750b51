// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>
/// How a guest mounts a share (mount command, fstab line, systemd unit and Windows steps); with -Live, what a
/// running guest has mounted now, read through its QEMU guest agent.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsGuestMount", DefaultParameterSetName = RecipeSet)]
[OutputType(typeof(VirtioFsGuestMount), ParameterSetName = [RecipeSet])]
[OutputType(typeof(VirtioFsGuestMountState), ParameterSetName = [LiveSet])]
public sealed class GetVirtioFsGuestMountCommand : LibvirtCmdlet
{
    private const string RecipeSet = "Recipe";
    private const string LiveSet = "Live";

    /// <summary>The share's mount tag; binds from Get-VirtioFsShare / New-VirtioFsShare output. With -Live, only this share (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RecipeSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiveSet)]
    [AllowEmptyString]
    public string Tag { get; set; } = string.Empty;

    /// <summary>Where the guest mounts it; /mnt/&lt;tag&gt; when omitted.</summary>
    [Parameter(Position = 1, ParameterSetName = RecipeSet)]
    [ValidateNotNullOrEmpty]
    public string? MountPoint { get; set; }

    /// <summary>Mount read-only; a read-only share (ReadOnly property) turns it on by itself.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = RecipeSet)]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary>More mount options, e.g. noatime, dax.</summary>
    [Parameter(ParameterSetName = RecipeSet)]
    [ValidateNotNull]
    public string[] Options { get; set; } = [];

    /// <summary>Drive letter for the Windows steps.</summary>
    [Parameter(ParameterSetName = RecipeSet)]
    public char DriveLetter { get; set; } = 'Z';

    /// <summary>Read what the running guest has mounted now, through its QEMU guest agent.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiveSet)]
    public SwitchParameter Live { get; set; }

    /// <summary>With -Live: the running domain's name or UUID; binds from share objects.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiveSet)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = string.Empty;

    /// <summary>With -Live: libvirt URIs, local or remote, one per host, read at once; default $env:LIBVIRT_DEFAULT_URI, else qemu:///system.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiveSet)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? ConnectionUri { get; set; }

    /// <summary>With -Live: seconds to wait for the guest agent.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    protected override void ProcessRecord()
    {
        if (ParameterSetName == LiveSet)
        {
            string domain = Domain;
            string? tag = Tag; // this record's values: the hosts may still run when the next record binds
            ForEachHost(ConnectionUri, uri => ReadLive(domain, uri, tag));
            return;
        }
        try
        {
            WriteObject(GuestMountBuilder.Build(Tag, MountPoint, ReadOnly.IsPresent, Options, DriveLetter));
        }
        catch (VirtioFsException e)
        {
            WriteCoreError(e);
        }
    }

    private void ReadLive(string domainName, string? uri, string? tag)
    {
        var session = OpenSession(domainName, uri, TimeoutSec);
        ConnectAgent(session, TimeoutSec);
        if (session.Os.IsWindows)
        {
            throw new VirtioFsException(ErrorIds.GuestOsUnsupported, VirtioFsErrorKind.InvalidOperation,
                $"The guest of {session.Agent.Label} runs {session.Os.Display}: -Live reads Linux guests (their /proc/self/mounts).", session.Domain.Name,
                "In a Windows guest, sc.exe query VirtioFsSvc or launchctl-x64.exe list (WinFsp) shows the mounted shares.");
        }
        var pattern = string.IsNullOrEmpty(tag) ? null : new WildcardPattern(tag, WildcardOptions.None);
        foreach (var state in LinuxShareMounter.Live(new LinuxGuest(session)))
        {
            if (pattern is null || pattern.IsMatch(state.Tag))
            {
                WriteObject(state);
            }
        }
    }
}
