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
        // The facts of the libvirt this URI reaches (LibvirtStack): its files, QEMU and virtiofsd, not this machine's
        // when it lives in a container, another root, a user's session or on another host.
        var stack = libvirt.Stack;
        var files = libvirt.Files;
        bool binariesRun = files?.IsReal == true;
        var daemons = new List<VirtioFsDaemonBinary>();
        string? daemonError = null;
        if (stack is not null)
        {
            daemons.AddRange(stack.AllDaemons(CancelToken, out daemonError));
        }
        else if (files is not null)
        {
            foreach (var candidate in new DaemonBinaryLocator(new DaemonHost { Root = files }).Find())
            {
                try
                {
                    daemons.Add(binariesRun ? DaemonBinaryProbe.Probe(candidate, CancelToken) : DaemonBinaryDescription.Describe(files, candidate));
                }
                catch (VirtioFsException e)
                {
                    daemonError ??= e.Message;
                }
            }
        }
        else
        {
            daemonError = $"No file view of {uri}: {libvirt.FilesDescription}.";
        }
        var running = binariesRun ? DaemonCmdletSupport.Supervisor().List().ToList() : [];
        WriteProgress(new ProgressRecord(1, "Test-VirtioFsHost", "Running QEMU and reading the host") { PercentComplete = 60 });
        var results = HostChecks.Run(new HostCheckInput
        {
            Host = files ?? HostRoot.Real,
            HasFileView = files is not null,
            BinariesRun = binariesRun,
            QemuConfigPath = stack?.QemuConfigPath ?? Platform.HostRoot.Real.Path(QemuConfig.QemuConfigFile.DefaultPath),
            Qemu = stack is { IsSession: true, DaemonUid: uint uid, Files: { } f } ? QemuAccount.OfUser(f, uid) : null,
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
