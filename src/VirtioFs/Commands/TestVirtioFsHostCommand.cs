// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Doctor;
using VirtioFs.Internal;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Commands;

/// <summary>Checks everything on the host virtio-fs needs, one result per check, each Warn/Fail with its fix.</summary>
[Cmdlet(VerbsDiagnostic.Test, "VirtioFsHost")]
[OutputType(typeof(VirtioFsCheckResult), typeof(bool))]
public sealed class TestVirtioFsHostCommand : LibvirtCmdlet
{
    /// <summary>
    /// libvirt connections to check, one per host, at once (see -ThrottleLimit); default: $env:LIBVIRT_DEFAULT_URI,
    /// else qemu:///system.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? ConnectionUri { get; set; }

    /// <summary>Only $true (no check failed) or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord() => ForEachHost(ConnectionUri, uri => Check(EffectiveUri(uri)));

    /// <summary>Runs the checks for one host; its own progress bar only when it is the only one.</summary>
    private void Check(string uri)
    {
        Progress($"Asking libvirt at {uri}", 10);
        var libvirt = LibvirtFacts.Gather(uri);
        Progress("Probing virtiofsd", 40);
        // The facts of the libvirt this URI reaches (LibvirtStack): its files, QEMU and virtiofsd, not this machine's
        // when it lives in a container, another root, a user's session or on another host.
        var stack = libvirt.Stack;
        var files = libvirt.Files;
        bool binariesRun = files?.IsReal == true;
        string? daemonError;
        // Without a stack (libvirt did not answer) the candidates are still read from its file view (system descriptors
        // only: no session user is known), in the same way as with one.
        var daemons = stack is not null
            ? stack.AllDaemons(CancelToken, out daemonError)
            : LibvirtStack.AllDaemons(uri, files, libvirt.FilesDescription, xdgConfigHome: null, CancelToken, out daemonError);
        var running = binariesRun ? DaemonCmdletSupport.Supervisor().List().ToList() : [];
        Progress("Running QEMU and reading the host", 60);
        var results = HostChecks.Run(new HostCheckInput
        {
            Host = files ?? HostRoot.Real,
            HasFileView = files is not null,
            BinariesRun = binariesRun,
            QemuConfigPath = stack?.QemuConfigPath ?? QemuConfig.QemuConfigFile.DefaultPath,
            Qemu = stack is { IsSession: true, DaemonUid: uint uid, Files: { } f } ? QemuAccount.OfUser(f, uid) : null,
            Uid = LibC.GetUid(),
            UserName = Environment.UserName,
            Libvirt = libvirt,
            Daemons = daemons,
            DaemonError = daemonError,
            RunningDaemons = running,
            Run = (path, args) => ProgramRunner.Run(path, args, TimeSpan.FromSeconds(10), CancelToken),
        });
        Progress("Done", 100);
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

    private void Progress(string status, int percent)
    {
        if (HostScheduler.CurrentSlot != 0)
        {
            return; // several hosts: the overall bar counts them
        }
        WriteProgress(new ProgressRecord(1, "Test-VirtioFsHost", status)
        {
            PercentComplete = percent,
            RecordType = percent == 100 ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        });
    }
}
