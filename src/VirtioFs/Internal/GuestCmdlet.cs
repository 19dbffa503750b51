// SPDX-License-Identifier: MIT
using System;
using System.Management.Automation;
using VirtioFs.Guest;

namespace VirtioFs.Internal;

/// <summary>
/// Base of the cmdlets that work inside a running guest through its QEMU guest agent (Mount- and
/// Dismount-VirtioFsShare): the domain and URI (bound by name from share objects), the bounded wait for the
/// agent with Write-Progress, and one ShouldProcess per share that lists every command it would run.
/// </summary>
public abstract class GuestCmdlet : LibvirtCmdlet
{
    /// <summary>
    /// Where the guest cmdlets get a domain from. Null (always, in the module): libvirt. The in-process tests set
    /// it to a fake whose JSON is qemu-ga's, to show what a Windows guest would get, which cannot be booted here.
    /// </summary>
    internal static Func<string, string?, IGuestDomain>? DomainSource { get; set; }

    /// <summary>The running domain's name or UUID; binds from share objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = string.Empty;

    /// <summary>
    /// libvirt URIs, local or remote, one per host (the same domain name on each, at once up to -ThrottleLimit);
    /// default $env:LIBVIRT_DEFAULT_URI, else qemu:///system. A piped object's empty URI means the default, and
    /// shares piped from several hosts are worked on at once.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? ConnectionUri { get; set; }

    /// <summary>Seconds to wait for the guest agent (a guest just started needs 10-30 s under emulation) and for each guest command.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>
    /// Runs <paramref name="work"/> for this record's domain on each host of -ConnectionUri (see ForEachHost). The
    /// domain name is taken now; the work must take the other values it needs before, too.
    /// </summary>
    internal void ForEachGuest(Action<string, string?> work)
    {
        string domain = Domain;
        ForEachHost(ConnectionUri, uri => work(domain, uri));
    }

    /// <summary>The running domain, checked to run and to have the agent channel; the agent is not asked yet.</summary>
    internal GuestSession OpenSession(string domainName, string? uri) => OpenSession(domainName, uri, TimeoutSec);

    /// <summary>Waits up to -TimeoutSec for the agent (Write-Progress while it does) and reads the guest's system.</summary>
    internal void ConnectAgent(GuestSession session) => ConnectAgent(session, TimeoutSec);

    /// <summary>One approval for all the commands of one share: -WhatIf prints each on its own line.</summary>
    internal bool Approve(string plan) =>
        ShouldProcess(plan, plan + Environment.NewLine + "Run these in the guest?", "Change the guest through its agent");
}
