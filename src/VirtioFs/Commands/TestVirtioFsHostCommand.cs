// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Daemon;
using VirtioFs.Doctor;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Platform;

namespace VirtioFs.Commands;

/// <summary>Checks everything on the host virtio-fs needs, one result per check, each Warn/Fail with its fix.</summary>
[Cmdlet(VerbsDiagnostic.Test, "VirtioFsHost")]
[OutputType(typeof(VirtioFsCheckResult), typeof(bool))]
public sealed class TestVirtioFsHostCommand : VirtioFsCmdlet
{
    /// <summary>libvirt connection to check (default: $env:LIBVIRT_DEFAULT_URI, else qemu:///system).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

    /// <summary>Only $true (no check failed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        string uri = LibvirtCmdlet.EffectiveUri(ConnectionUri);
        WriteProgress(new ProgressRecord(1, "Test-VirtioFsHost", $"Asking libvirt at {uri}") { PercentComplete = 10 });
        var libvirt = LibvirtFacts.Gather(uri);
        WriteProgress(new ProgressRecord(1, "Test-VirtioFsHost", "Probing virtiofsd") { PercentComplete = 40 });
        var daemons = new List<VirtioFsDaemonBinary>();
        string? daemonError = null;
        foreach (var candidate in new DaemonBinaryLocator(new DaemonHost()).Find())
        {
            try
            {
                daemons.Add(DaemonBinaryProbe.Probe(candidate, CancelToken));
            }
            catch (VirtioFsException e)
            {
                daemonError ??= e.Message;
            }
        }
        var running = DaemonCmdletSupport.Supervisor().List().ToList();
        WriteProgress(new ProgressRecord(1, "Test-VirtioFsHost", "Running QEMU and reading the host") { PercentComplete = 60 });
        var results = HostChecks.Run(new HostCheckInput
        {
            Uid = LibC.GetUid(),
            UserName = Environment.UserName,
            Libvirt = libvirt,
            Daemons = daemons,
            DaemonError = daemonError,
            RunningDaemons = running,
            Run = (path, args) => ProgramRunner.Run(path, args, TimeSpan.FromSeconds(10), CancelToken),
        });
        WriteProgress(new ProgressRecord(1, "Test-VirtioFsHost", "Done") { RecordType = ProgressRecordType.Completed });
        if (Quiet)
        {
            WriteObject(results.All(r => r.Status != VirtioFsCheckStatus.Fail));
            return;
        }
        foreach (var r in results)
        {
            if (r.Target == uri)
            {
                r.ConnectionUri = uri;
            }
            WriteObject(r);
        }
    }
}
