// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Unmounts a virtio-fs share in a running guest through its QEMU guest agent; with -Persist also removes its fstab line or unit.</summary>
[Cmdlet(VerbsData.Dismount, "VirtioFsShare", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VirtioFsGuestMountState))]
public sealed class DismountVirtioFsShareCommand : GuestCmdlet
{
    /// <summary>The share's mount tag: every mount of it is unmounted (only the one on -MountPoint when that is given too).</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ShareTagCompleter))]
    [AllowNull]
    [AllowEmptyString]
    public string? Tag { get; set; }

    /// <summary>The mount point to unmount; it must be a virtio-fs mount. A piped share that is not mounted has none.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GuestMountPointCompleter))]
    [AllowNull]
    [AllowEmptyString]
    public string? MountPoint { get; set; }

    /// <summary>Also remove the share's /etc/fstab line or systemd unit, so it is not mounted at the next boot.</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    /// <summary>Writes the share's state afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord() => ForInput(() =>
    {
        // This record's values, before the hosts run: piped shares rebind them.
        string? tag = string.IsNullOrEmpty(Tag) ? null : Tag;
        string? mountPoint = string.IsNullOrEmpty(MountPoint) ? null : MountPoint;
        if (tag is null && mountPoint is null)
        {
            throw new VirtioFsException(ErrorIds.NoShareGiven, VirtioFsErrorKind.InvalidArgument,
                "Say which share to dismount: -Tag, -MountPoint or both.", Domain, $"Get-VirtioFsGuestMount -Domain {Domain} -Live lists what the guest has mounted.");
        }
        var request = new GuestDismountRequest(tag, mountPoint, Persist.IsPresent);
        bool passThru = PassThru.IsPresent;
        ForEachGuest((domain, uri) => DismountOne(domain, uri, request, passThru));
    });

    private void DismountOne(string domain, string? uri, GuestDismountRequest request, bool passThru)
    {
        string? tag = request.Tag;
        string? mountPoint = request.MountPoint;
        var session = OpenSession(domain, uri);
        ConnectAgent(session);
        var states = session.Os.IsWindows
            ? WindowsShareMounter.Dismount(session, request, Approve)
            : LinuxShareMounter.Dismount(new LinuxGuest(session), request, Approve);
        if (states is null)
        {
            return;
        }
        if (states.Count == 0)
        {
            WriteWarning($"The guest of {session.Domain.Name} has {(tag is null ? string.Empty : $"'{tag}' ")}nothing mounted{(mountPoint is null ? string.Empty : $" on {mountPoint}")}{(request.Persist ? " or set to mount at boot" : string.Empty)}: nothing changed.");
            return;
        }
        // One plan for the whole request: every state carries the same list of changes.
        foreach (string change in states[0].Changes)
        {
            WriteVerbose($"{session.Domain.Name}: {change}");
        }
        if (passThru)
        {
            WriteObject(states, enumerateCollection: true);
        }
    }
}
