// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Guest;

namespace VirtioFs.Doctor;

/// <summary>What a running domain's guest agent said, gathered by <see cref="GuestAgentCheck.Inspect"/>.</summary>
internal sealed class GuestAgentFacts
{
    public bool ChannelDefined { get; init; }

    /// <summary>The channel's state in the live XML (connected / disconnected).</summary>
    public string? ChannelState { get; init; }

    /// <summary>Why the agent could not be used; null when it answered.</summary>
    public VirtioFsException? Error { get; init; }

    public TimeSpan? Answered { get; init; }

    public GuestOsInfo? Os { get; init; }

    public VirtioFsSupport? Support { get; init; }

    /// <summary>Get-VirtioFsGuestMount -Live's view of the guest (Linux only).</summary>
    public IReadOnlyList<VirtioFsGuestMountState> Mounts { get; init; } = [];

    public IReadOnlyList<string> LiveTags { get; init; } = [];
}

/// <summary>
/// Test-VirtioFsDomain's guest checks for a running domain: the agent channel, the agent's answer, the guest
/// kernel's virtio-fs, and the shares the guest has not mounted (with the Mount-VirtioFsShare that fixes it).
/// </summary>
internal static class GuestAgentCheck
{
    /// <summary>The doctor waits this long for an agent; a guest that is still booting gets a Warn, not a wait.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public static GuestAgentFacts Inspect(IGuestDomain domain, CancellationToken ct)
    {
        GuestSession session;
        try
        {
            session = GuestSession.Open(domain, Wait, ct);
        }
        catch (VirtioFsException e) when (e.ErrorId == ErrorIds.GuestAgentNotConfigured)
        {
            return new GuestAgentFacts { ChannelDefined = false, Error = e };
        }
        string? state = AgentChannelEditor.State(session.Live);
        if (state == "disconnected")
        {
            // libvirt knows without asking that nothing listens in the guest: no need to wait for a ping to fail.
            return new GuestAgentFacts
            {
                ChannelDefined = true, ChannelState = state, LiveTags = session.LiveTags,
                Error = new VirtioFsException(ErrorIds.GuestAgentUnresponsive, VirtioFsErrorKind.NotEnabled,
                    "No guest agent is connected to the channel (libvirt's live XML says state='disconnected'): qemu-guest-agent is not installed or not running in the guest, or the guest is still booting.",
                    domain.Name),
            };
        }
        try
        {
            session.Connect(null);
            if (session.Os.IsWindows)
            {
                return new GuestAgentFacts { ChannelDefined = true, ChannelState = state, Answered = session.AgentWait, Os = session.Os, LiveTags = session.LiveTags };
            }
            var guest = new LinuxGuest(session);
            return new GuestAgentFacts
            {
                ChannelDefined = true, ChannelState = state, Answered = session.AgentWait, Os = session.Os,
                Support = guest.Support(), Mounts = LinuxShareMounter.Live(guest), LiveTags = session.LiveTags,
            };
        }
        catch (VirtioFsException e)
        {
            return new GuestAgentFacts
            {
                ChannelDefined = true, ChannelState = state, Error = e, LiveTags = session.LiveTags,
                Answered = session.AgentAnswered ? session.AgentWait : null, Os = session.AgentAnswered ? session.Os : null,
            };
        }
    }

    public static void Run(DomainDocument doc, GuestAgentFacts facts, CheckList list)
    {
        string vm = doc.Name;
        if (!facts.ChannelDefined)
        {
            list.Warn("GuestAgent", "The running domain has no QEMU guest agent channel (org.qemu.guest_agent.0): Mount-VirtioFsShare cannot reach the guest, and shares must be mounted by logging in.",
                $"Add-VirtioFsGuestAgentChannel -Domain {vm}, shut the guest down and start it, and install qemu-guest-agent in the guest.", "no <channel> with target name org.qemu.guest_agent.0 in the live XML");
            return;
        }
        string channel = $"channel state '{facts.ChannelState ?? "unknown"}'";
        if (facts.Error is { } error && facts.Answered is null)
        {
            list.Warn("GuestAgent", $"The guest agent does not answer: {error.Message}",
                "Install and start qemu-guest-agent in the guest (apt-get install qemu-guest-agent; systemctl enable --now qemu-guest-agent); a guest that is still booting answers a few seconds later.",
                $"{channel}; {error.ErrorId}");
            return;
        }
        var os = facts.Os ?? new GuestOsInfo(null, null, null, null, null, null, null);
        list.Pass("GuestAgent", $"The guest agent answers ({os.Display}, kernel {os.KernelRelease ?? "unknown"}).", $"{channel}; guest-ping answered in {facts.Answered!.Value.TotalMilliseconds:0} ms");
        if (facts.Error is { } later)
        {
            list.Warn("GuestVirtioFs", $"The guest could not be read through its agent: {later.Message}", later.RecommendedAction ?? "Read the message; run Get-VirtioFsGuestMount -Domain " + vm + " -Live.", later.ErrorId);
            return;
        }
        if (os.IsWindows)
        {
            list.Skip("GuestVirtioFs", $"Windows guest: Mount-VirtioFsShare -Domain {vm} -Tag <tag> -WhatIf shows what it would run (the VirtIO-FS service or the WinFsp launcher).", os.Display);
            return;
        }
        var support = facts.Support!;
        if (!support.Available)
        {
            list.Fail("GuestVirtioFs", $"The guest kernel {os.KernelRelease} cannot mount virtio-fs: {support.Evidence}{(LinuxGuest.PredatesVirtioFs(os) ? $" (virtio-fs arrived in Linux {LinuxGuest.FirstKernel})" : string.Empty)}.",
                LinuxGuest.KernelFix + ".", support.Evidence);
            return;
        }
        list.Pass("GuestVirtioFs", $"The guest kernel {os.KernelRelease} has virtio-fs ({support.Evidence}).", support.Evidence);
        foreach (string tag in facts.LiveTags)
        {
            string target = $"{vm} tag '{tag}'";
            var mounted = facts.Mounts.Where(m => m.Tag == tag && m.Mounted).ToList();
            if (mounted.Count > 0)
            {
                string where = string.Join(", ", mounted.Select(m => $"{m.MountPoint} ({m.Options}{(m.Persistent ? ", persistent" : string.Empty)})"));
                list.Pass("GuestMount", $"The guest has the share mounted on {where}.", where, target);
                continue;
            }
            string? planned = facts.Mounts.FirstOrDefault(m => m.Tag == tag && m.MountPoint is not null)?.MountPoint;
            string mp = planned ?? "/mnt/" + tag;
            list.Warn("GuestMount", planned is null
                    ? "The guest has not mounted this share."
                    : $"The guest has not mounted this share, though it is set to be mounted on {planned} at boot.",
                $"Mount-VirtioFsShare -Domain {vm} -Tag '{tag}' -MountPoint {mp} -Persist", "not in the guest's /proc/self/mounts", target);
        }
    }
}
