// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Compares the domains of each declared host with the declaration and reports every difference as a
/// VirtioFsMappingDrift (Missing, Different, Extra), per host, domain and tag; nothing when all match.
/// The Test half of DSC's Test/Set pattern; Sync-VirtioFsMapping is the Set half.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "VirtioFsMapping")]
[OutputType(typeof(VirtioFsMappingDrift))]
[OutputType(typeof(bool))]
public sealed class TestVirtioFsMappingCommand : MappingStateCmdlet
{
    private int _drift;

    /// <summary>Writes one Boolean instead: True when every host matches the declaration and none failed.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override string Activity => "Comparing domains with the declaration";

    private protected override void OnDomain(MappingHostPlan plan, LibvirtDomainTarget target, string domain, IReadOnlyList<ShareDrift> drift)
    {
        foreach (var d in drift)
        {
            if (d.ToPublic(plan.Uri, plan.Host, domain) is { } report)
            {
                Interlocked.Increment(ref _drift); // hosts run at once
                if (!Quiet)
                {
                    WriteObject(report);
                }
            }
        }
    }

    private protected override void OnEnd()
    {
        if (Quiet)
        {
            WriteObject(_drift == 0 && !WroteErrors);
        }
        else if (_drift == 0 && !WroteErrors)
        {
            WriteVerbose("No drift: every domain matches the declaration.");
        }
    }
}
