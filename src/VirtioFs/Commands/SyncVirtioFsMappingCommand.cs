// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Makes each declared host match the declaration with the smallest changes: adds missing shares, changes only
/// the differing source, options and marker of existing ones, and with -Prune removes managed shares the
/// declaration no longer puts in a domain. Every share looked at is reported with its Action; a second run
/// reports Action None (Changed False) for all of them. -WhatIf shows each domain's diff.
/// </summary>
[Cmdlet(VerbsData.Sync, "VirtioFsMapping", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VirtioFsMappingSyncResult))]
public sealed class SyncVirtioFsMappingCommand : MappingStateCmdlet
{
    // Counted from the hosts' worker threads (they run at once), hence Interlocked and the lock on _hosts.
    private int _looked;
    private int _changed;
    private int _declined;
    private readonly HashSet<string> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Also removes managed shares the declaration no longer puts in a domain (reported as Kept without it).</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    private protected override string Activity => "Bringing domains to the declaration";

    private protected override void OnDomain(MappingHostPlan plan, LibvirtDomainTarget target, string domain, IReadOnlyList<ShareDrift> drift)
    {
        lock (_hosts)
        {
            _hosts.Add(plan.Uri);
        }
        foreach (var d in drift)
        {
            Interlocked.Increment(ref _looked);
            if (d.Kind is null)
            {
                WriteObject(d.ToResult(plan.Uri, plan.Host, domain, VirtioFsMappingSyncAction.None));
            }
            else if (d.Kind == VirtioFsMappingDriftKind.Extra && !Prune)
            {
                WriteVerbose($"{target.Label}: share '{d.Tag}' (mapping '{d.Mapping}') is no longer declared there; kept (-Prune removes it).");
                WriteObject(d.ToResult(plan.Uri, plan.Host, domain, VirtioFsMappingSyncAction.Kept));
            }
            else
            {
                try
                {
                    Fix(plan, target, domain, d);
                }
                catch (VirtioFsException e)
                {
                    WriteHostError(plan.Uri, e, domain);
                }
            }
        }
    }

    private void Fix(MappingHostPlan plan, LibvirtDomainTarget target, string domain, ShareDrift d)
    {
        var (verb, action, live) = d.Kind switch
        {
            VirtioFsMappingDriftKind.Missing => ("Add", VirtioFsMappingSyncAction.Added, LiveAction.Attach),
            VirtioFsMappingDriftKind.Extra => ("Remove", VirtioFsMappingSyncAction.Removed, LiveAction.Detach),
            _ => ("Change", VirtioFsMappingSyncAction.Changed, LiveAction.None),
        };
        var result = Apply(target, doc => MappingSyncEdit.Build(doc, d.Tag, plan, domain, Prune, target.Host),
            $"{verb} virtio-fs share '{d.Tag}' (mapping '{d.Mapping}')", live);
        if (result is null)
        {
            Interlocked.Increment(ref _declined);
            return;
        }
        if (!result.Edit.HasChanges)
        {
            // Someone made the same change between our read and our edit.
            WriteObject(d.ToResult(plan.Uri, plan.Host, domain, VirtioFsMappingSyncAction.None));
            return;
        }
        Interlocked.Increment(ref _changed);
        WriteObject(d.ToResult(plan.Uri, plan.Host, domain, action));
    }

    private protected override void OnEnd()
    {
        string summary = _changed == 0 && _declined == 0
            ? $"Nothing to change: {_looked} share(s) on {_hosts.Count} host(s) already match the declaration."
            : $"Changed {_changed} of {_looked} share(s) on {_hosts.Count} host(s)" + (_declined > 0 ? $"; {_declined} change(s) not made (-WhatIf or declined)." : ".");
        WriteVerbose(summary);
        WriteInformation(summary, ["VirtioFs"]);
    }
}
