// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Adds the QEMU guest agent's channel (org.qemu.guest_agent.0) to a domain, so Mount-VirtioFsShare can reach its guest.</summary>
[Cmdlet(VerbsCommon.Add, "VirtioFsGuestAgentChannel", SupportsShouldProcess = true, DefaultParameterSetName = DomainSet)]
public sealed class AddVirtioFsGuestAgentChannelCommand : DomainEditCmdlet
{
    protected override void ProcessRecord() => ForEachTarget(uri =>
    {
        var target = OpenTarget(uri, skipSourceCheck: true);
        var result = Apply(target, AgentChannelEditor.Add, "Add the QEMU guest agent channel", LiveAction.AttachDevice);
        if (result is { Edit.HasChanges: false })
        {
            WriteVerbose($"{target.Label} already has the guest agent channel.");
        }
    });
}
