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
public sealed class RestartVirtioFsDaemonCommand : VirtioFsCmdlet
{
    private const string NameSet = "Name";
    private const string InputObjectSet = "InputObject";

    /// <summary>Daemon names; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DaemonNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Daemons from Get-VirtioFsDaemon.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public VirtioFsDaemon[] InputObject { get; set; } = [];

    /// <summary>Seconds to wait for the socket.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 10;

    protected override void ProcessRecord()
    {
        var supervisor = DaemonCmdletSupport.Supervisor();
        List<VirtioFsDaemon> targets;
        if (ParameterSetName == NameSet)
        {
            targets = DaemonCmdletSupport.Resolve(supervisor, Name, WriteCoreError);
        }
        else
        {
            targets = [];
            foreach (var d in InputObject)
            {
                try
                {
                    targets.Add(DaemonCmdletSupport.Refresh(supervisor, d));
                }
                catch (VirtioFsException e)
                {
                    WriteCoreError(e);
                }
            }
        }
        foreach (var d in targets)
        {
            if (!ShouldProcess(d.Name, $"Restart virtiofsd ({d.State}, pid {d.ProcessId}) with the same arguments"))
            {
                continue;
            }
            var progress = new ProgressRecord(2, $"Restarting virtiofsd '{d.Name}'", "Stopping");
            try
            {
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
