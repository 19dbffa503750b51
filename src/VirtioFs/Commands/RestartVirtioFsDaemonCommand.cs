// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Stops (if running) and starts a daemon again with the same binary, arguments, socket and name.</summary>
[Cmdlet(VerbsLifecycle.Restart, "VirtioFsDaemon", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VirtioFsDaemon))]
public sealed class RestartVirtioFsDaemonCommand : DaemonSelectionCmdlet
{
    /// <summary>Seconds to wait for the socket.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 10;

    protected override void ProcessRecord()
    {
        var supervisor = DaemonCmdletSupport.Supervisor();
        List<VirtioFsDaemon> targets = SelectDaemons(supervisor, refresh: true);
        foreach (var d in targets)
        {
            if (!ShouldProcess(d.Name, $"Restart virtiofsd ({d.State}, pid {d.ProcessId}) with the same arguments"))
            {
                continue;
            }
            var progress = new ProgressRecord(2, $"Restarting virtiofsd '{d.Name}'", "Stopping");
            try
            {
                using var writers = supervisor.Store.LockWriters(CancelToken);
                WriteObject(supervisor.Restart(d, TimeSpan.FromSeconds(TimeoutSec),
                    s => { progress.StatusDescription = s; WriteProgress(progress); }, CancelToken));
            }
            catch (VirtioFsException e)
            {
                WriteCoreError(e);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }
}
