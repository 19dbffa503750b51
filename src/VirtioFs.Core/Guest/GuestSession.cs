// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.Guest;

/// <summary>
/// A running domain whose guest the module talks to: checked in the order that costs least and tells most
/// (running? agent channel? the tag on the running domain?) before the agent is asked anything, then the
/// agent's readiness and the guest's system.
/// </summary>
internal sealed class GuestSession
{
    private static readonly string[] s_bsd = ["freebsd", "netbsd", "openbsd", "dragonfly"];

    private GuestSession(IGuestDomain domain, GuestAgent agent, DomainDocument live)
    {
        Domain = domain;
        Agent = agent;
        Live = live;
        LiveTags = live.VirtioFsFilesystems.Select(FilesystemElement.TagOf).OfType<string>().ToList();
    }

    public IGuestDomain Domain { get; }

    public GuestAgent Agent { get; }

    /// <summary>The running guest's definition.</summary>
    public DomainDocument Live { get; }

    /// <summary>The tags of the virtio-fs shares the running guest has (hot-plugged ones included).</summary>
    public IReadOnlyList<string> LiveTags { get; }

    /// <summary>The guest's system; set by <see cref="Connect"/>.</summary>
    public GuestOsInfo Os { get; private set; } = new(null, null, null, null, null, null, null);

    /// <summary>How long the agent took to answer.</summary>
    public TimeSpan AgentWait { get; private set; }

    /// <summary>True once the agent answered a ping.</summary>
    public bool AgentAnswered { get; private set; }

    /// <summary>Checks the domain runs and has the agent channel; asks the agent nothing yet.</summary>
    public static GuestSession Open(IGuestDomain domain, TimeSpan timeout, CancellationToken ct)
    {
        var agent = new GuestAgent(domain, timeout, ct);
        if (!domain.IsActive())
        {
            throw NotRunning(domain);
        }
        var live = DomainDocument.Parse(domain.LiveXml(), $"running {agent.Label}");
        if (AgentChannelEditor.Find(live) is null)
        {
            throw agent.NotConfigured();
        }
        return new GuestSession(domain, agent, live);
    }

    public static VirtioFsException NotRunning(IGuestDomain domain) => new(ErrorIds.DomainNotRunning, VirtioFsErrorKind.InvalidOperation,
        $"Domain '{domain.Name}' on {domain.ConnectionUri} is not running, so its guest cannot be reached. Nothing was changed.", domain.Name,
        $"Start it (virsh -c {domain.ConnectionUri} start {domain.Name}) and run the command again; it waits for the guest agent (-TimeoutSec).");

    /// <summary>The share must be on the running domain: the guest cannot mount a tag it does not have.</summary>
    public void RequireTag(string tag)
    {
        if (LiveTags.Contains(tag, StringComparer.Ordinal))
        {
            return;
        }
        var persistent = DomainDocument.Parse(Domain.InactiveXml(), Agent.Label);
        bool defined = persistent.VirtioFsFilesystems.Select(FilesystemElement.TagOf).Contains(tag, StringComparer.Ordinal);
        string have = LiveTags.Count == 0 ? "none" : string.Join(", ", LiveTags);
        throw new VirtioFsException(ErrorIds.GuestTagNotFound, VirtioFsErrorKind.ObjectNotFound,
            defined
                ? $"The share '{tag}' is in the definition of {Agent.Label} but not in the running guest (it applies at the next start). The running guest has: {have}. Nothing was changed."
                : $"{char.ToUpperInvariant(Agent.Label[0])}{Agent.Label[1..]} has no virtio-fs share with the tag '{tag}'; the running guest has: {have}. Nothing was changed.",
            tag,
            defined
                ? $"Shut the guest down and start it (the share may have been added while it lacked shared memory), or remove and add it again while it runs: Remove-VirtioFsShare -Domain {Domain.Name} -Tag '{tag}'; New-VirtioFsShare -Domain {Domain.Name} -Tag '{tag}' -Source <dir>."
                : $"Add it (hot-plugged into the running guest): New-VirtioFsShare -Domain {Domain.Name} -Tag '{tag}' -Source <dir>; Get-VirtioFsShare -Domain {Domain.Name} lists the tags.");
    }

    /// <summary>Waits for the agent, then reads the guest's system.</summary>
    public void Connect(Action<TimeSpan>? waiting)
    {
        AgentWait = Agent.WaitReady(waiting);
        AgentAnswered = true;
        Os = Agent.GetOsInfo();
        if (!Os.IsWindows && (s_bsd.Contains(Os.Id ?? string.Empty, StringComparer.OrdinalIgnoreCase) || Os.LinuxKernel is null))
        {
            throw new VirtioFsException(ErrorIds.GuestOsUnsupported, VirtioFsErrorKind.InvalidOperation,
                $"The guest of {Agent.Label} runs {Os.Display} (kernel {Os.KernelRelease ?? "unknown"}); virtio-fs guests are Linux (5.4 or later) and Windows (virtio-win's driver). Nothing was changed.",
                Domain.Name, "Mount the share in that guest by its own means, if it has a virtio-fs driver; Get-VirtioFsGuestMount prints the Linux and Windows recipes.");
        }
    }

    /// <summary>A result object stamped with the domain and the guest.</summary>
    public VirtioFsGuestMountState NewState(string tag) => new()
    {
        Domain = Domain.Name,
        ConnectionUri = Domain.ConnectionUri,
        Tag = tag,
        InDomain = LiveTags.Contains(tag, StringComparer.Ordinal),
        GuestOs = Os.Display,
        GuestKernel = Os.KernelRelease,
    };
}
