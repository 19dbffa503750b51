// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Writes a systemd service unit that runs a daemon with the same arguments.</summary>
[Cmdlet(VerbsLifecycle.Register, "VirtioFsDaemon", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(VirtioFsDaemonUnit))]
public sealed class RegisterVirtioFsDaemonCommand : DaemonSelectionCmdlet
{
    /// <summary>The unit directory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "/etc/systemd/system";

    /// <summary>The libvirt domain using the share (named in the description).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Domain { get; set; }

    /// <summary>Replace an existing unit file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var supervisor = DaemonCmdletSupport.Supervisor();
        // Piped objects are taken as they are: an exited daemon can still be registered.
        List<VirtioFsDaemon> targets = SelectDaemons(supervisor, refresh: false);
        string dir;
        try
        {
            dir = ResolveFileSystemPath(Path, mustExist: false);
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
            return;
        }
        foreach (var d in targets)
        {
            try
            {
                // Render and validate first, so -WhatIf reports the same errors a real run would.
                var preview = SystemdUnitWriter.Write(d, dir, Domain ?? d.Domain, Force.IsPresent, write: false);
                if (!ShouldProcess(preview.Path, $"Write systemd unit {preview.UnitName} for virtiofsd '{d.Name}'"))
                {
                    continue;
                }
                WriteObject(SystemdUnitWriter.Write(d, dir, Domain ?? d.Domain, Force.IsPresent, write: true));
            }
            catch (VirtioFsException e)
            {
                WriteCoreError(e);
            }
        }
    }
}
