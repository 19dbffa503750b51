// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Daemon;
using VirtioFs.Errors;

namespace VirtioFs.Internal;

/// <summary>
/// The daemon selection Stop-, Restart- and Register-VirtioFsDaemon share: -Name (wildcards, by
/// property name) or daemon objects from the pipeline.
/// </summary>
public abstract class DaemonSelectionCmdlet : VirtioFsCmdlet
{
    internal const string NameSet = "Name";
    internal const string InputObjectSet = "InputObject";

    /// <summary>Daemon names; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DaemonNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Daemons from Get-VirtioFsDaemon or Start-VirtioFsDaemon.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public VirtioFsDaemon[] InputObject { get; set; } = [];

    /// <summary>
    /// The selected daemons. With <paramref name="refresh"/>, piped objects are re-read from the
    /// process table first, since the daemon may have exited or been restarted since they were made.
    /// </summary>
    internal List<VirtioFsDaemon> SelectDaemons(DaemonSupervisor supervisor, bool refresh)
    {
        if (ParameterSetName == NameSet)
        {
            return DaemonCmdletSupport.Resolve(supervisor, Name, WriteCoreError);
        }
        if (!refresh)
        {
            return [.. InputObject];
        }
        var targets = new List<VirtioFsDaemon>();
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
        return targets;
    }
}
