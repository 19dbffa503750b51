// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Guest;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Mounts a virtio-fs share in a running guest through its QEMU guest agent, and with -Persist at every boot.</summary>
[Cmdlet(VerbsData.Mount, "VirtioFsShare", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VirtioFsGuestMountState))]
public sealed class MountVirtioFsShareCommand : GuestCmdlet
{
    /// <summary>The share's mount tag; binds from Get-VirtioFsShare / New-VirtioFsShare output.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ShareTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string Tag { get; set; } = string.Empty;

    /// <summary>Where the guest mounts it (created when missing); /mnt/&lt;tag&gt; when omitted. A drive such as Z: in a Windows guest.</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? MountPoint { get; set; }

    /// <summary>Mount read-only; a read-only share (ReadOnly property) turns it on by itself.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary>More mount options, e.g. noatime, dax.</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] Options { get; set; } = [];

    /// <summary>Also mount it at every boot: the fstab line of Get-VirtioFsGuestMount, or its .mount unit when the guest runs systemd.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>With -Persist: replace another fstab entry (or unit) for the same mount point instead of refusing.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        // This record's values, before the hosts run: piped shares rebind them.
        string tag = Tag;
        bool persist = Persist.IsPresent;
        var request = new GuestMountRequest(tag, string.IsNullOrEmpty(MountPoint) ? null : MountPoint, ReadOnly.IsPresent, Options, persist, Force.IsPresent);
        ForEachGuest((domain, uri) => MountOne(domain, uri, request));
    }

    private void MountOne(string domain, string? uri, GuestMountRequest request)
    {
        string tag = request.Tag;
        bool persist = request.Persist;
        var session = OpenSession(domain, uri);
        session.RequireTag(tag);
        ConnectAgent(session);
        var state = session.Os.IsWindows
            ? WindowsShareMounter.Mount(session, request, Approve)
            : LinuxShareMounter.Mount(new LinuxGuest(session), request, Approve, CancelToken);
        if (state is null)
        {
            return;
        }
        if (state.Changes.Count == 0)
        {
            WriteVerbose($"'{tag}' is already mounted on {state.MountPoint}{(persist ? " and persistent" : string.Empty)} in {session.Domain.Name}: nothing changed.");
        }
        foreach (string change in state.Changes)
        {
            WriteVerbose($"{session.Domain.Name}: {change}");
        }
        WriteObject(state);
    }
}
