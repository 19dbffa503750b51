// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Stops virtiofsd daemons with SIGTERM (SIGKILL after the timeout with -Force) and removes their files.</summary>
[Cmdlet(VerbsLifecycle.Stop, "VirtioFsDaemon", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VirtioFsDaemon))]
public sealed class StopVirtioFsDaemonCommand : DaemonSelectionCmdlet
{
    /// <summary>Kill after the timeout, and allow stopping libvirt's daemons.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Seconds to wait after SIGTERM.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 10;

    /// <summary>Write the stopped daemons.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var supervisor = DaemonCmdletSupport.Supervisor();
        List<VirtioFsDaemon> targets = SelectDaemons(supervisor, refresh: true);
        foreach (var d in targets)
        {
            var action = d.ManagedBy == VirtioFsDaemonManager.Libvirt
                ? $"Stop libvirt's virtiofsd (pid {d.ProcessId}) for domain '{d.Domain}': its guest loses the share"
                : $"Stop virtiofsd (pid {d.ProcessId}, {d.State}) sharing {d.SharedDirectory}";
            if (!ShouldProcessDaemon(d.Name, action))
            {
                continue;
            }
            try
            {
                supervisor.Stop(d, Force.IsPresent, TimeSpan.FromSeconds(TimeoutSec), CancelToken);
                if (PassThru)
                {
                    WriteObject(d.WithState(VirtioFsDaemonState.Exited));
                }
            }
            catch (VirtioFsException e)
            {
                WriteCoreError(e);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// ConfirmImpact is Medium, but -Force (which kills, and stops libvirt's daemons) asks like a High-impact
    /// command: unless -Confirm:$false or $ConfirmPreference = 'None', the user confirms.
    /// </summary>
    private bool ShouldProcessDaemon(string target, string action)
    {
        if (!ShouldProcess(target, action))
        {
            return false;
        }
        if (!Force || IsBound("Confirm"))
        {
            return true; // -Confirm given: ShouldProcess already honoured it
        }
        var pref = SessionState.PSVariable.GetValue("ConfirmPreference");
        if (pref is ConfirmImpact ci && ci == ConfirmImpact.None)
        {
            return true;
        }
        return ShouldContinue($"{action}. -Force sends SIGKILL if it does not exit in {TimeoutSec} s.", $"Force-stop virtiofsd '{target}'?");
    }
}
