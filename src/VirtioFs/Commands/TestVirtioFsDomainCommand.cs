// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Doctor;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Internal;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Commands;

/// <summary>Finds, before start, everything libvirt, QEMU or virtiofsd would refuse in a domain, or would let hang.</summary>
[Cmdlet(VerbsDiagnostic.Test, "VirtioFsDomain", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsCheckResult), typeof(bool))]
public sealed class TestVirtioFsDomainCommand : DomainReaderCmdlet
{
    /// <summary>The XML is for another host: do not look at this host's directories, sockets, binaries or pools.</summary>
    [Parameter]
    public SwitchParameter SkipHostCheck { get; set; }

    /// <summary>Only $true (no check failed) or $false, one per domain.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private readonly Dictionary<LibvirtStack, QemuAccount?> _qemu = new();
    private List<VirtioFsDaemon>? _daemons;
    private LibvirtStack? _thisHost;

    // Hosts of -ConnectionUri run on worker threads at once; the facts gathered above are shared, under this lock.
    private readonly object _hostFacts = new();

    private protected override string Activity => "Checking domains";

    /// <summary>A file is checked against this host unless -SkipHostCheck says it is for another one.</summary>
    private protected override bool CheckHostPathsOfFiles => !SkipHostCheck;

    private protected override void Emit(IDomainTarget target)
    {
        if (target is FileDomainTarget file)
        {
            var fileDoc = target.Load();
            // An XML file is checked against this host's system libvirt (its client library), whom it runs virtiofsd as unknown.
            LibvirtStack thisHost;
            lock (_hostFacts)
            {
                thisHost = _thisHost ??= LibvirtStack.ThisHost(LocalLibvirt());
            }
            Emit(fileDoc, Input(thisHost, !SkipHostCheck, isActive: false, liveTags: null, knowsPrivilege: false), r => r.Path = file.FullPath);
            return;
        }
        var domain = (LibvirtDomainTarget)target;
        var conn = domain.Connection;
        // What that libvirt runs and sees, from the connection (LibvirtStack): never this machine's files for a libvirt
        // in a container, another root, a user's session or on another host.
        var stack = conn.Stack;
        bool checkHost = !SkipHostCheck && stack.Files is not null;
        // Only shares the running guest has can have lost their daemon; others wait for the next boot.
        var state = domain.ReadState(withLive: checkHost);
        var doc = state.Definition;
        bool active = state.IsActive;
        var liveTags = state.Live?.VirtioFsFilesystems.Select(FilesystemElement.TagOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        // A running guest's agent is asked about the guest itself, locally or remotely (it goes through libvirt).
        var agent = active && doc.VirtioFsFilesystems.Any()
            ? GuestAgentCheck.Inspect(new LibvirtGuestDomain(conn, doc.Name), CancelToken)
            : null;
        WriteVerbose($"{conn.Uri}: {stack.Summary}; files: {stack.FilesDescription}");
        Emit(doc, Input(stack, checkHost, active, liveTags, knowsPrivilege: true, agent), r => r.ConnectionUri = conn.Uri);
    }

    /// <summary>The libvirt client library here, for files checked against this host; null without libvirt.</summary>
    private Version? LocalLibvirt()
    {
        if (SkipHostCheck)
        {
            return null;
        }
        try
        {
            return LibvirtConnection.ClientLibraryVersion();
        }
        catch (VirtioFsException)
        {
            // no libvirt here: versions are not checked
            return null;
        }
    }

    /// <param name="liveTags">The shares of a running guest; its daemons are then looked at too (on this host's process table).</param>
    private DomainCheckInput Input(LibvirtStack stack, bool checkHost, bool isActive, IReadOnlySet<string>? liveTags, bool knowsPrivilege, GuestAgentFacts? agent = null)
    {
        lock (_hostFacts)
        {
            return InputLocked(stack, checkHost, isActive, liveTags, knowsPrivilege, agent);
        }
    }

    private DomainCheckInput InputLocked(LibvirtStack stack, bool checkHost, bool isActive, IReadOnlySet<string>? liveTags, bool knowsPrivilege, GuestAgentFacts? agent)
    {
        if (checkHost && !_qemu.ContainsKey(stack))
        {
            // A session libvirt runs QEMU as its own user; a system one as qemu.conf says.
            _qemu[stack] = stack.IsSession && stack.DaemonUid is uint uid ? QemuAccount.OfUser(stack.Files!, uid) : QemuAccount.Resolve(stack.Files!);
        }
        var defaultDaemon = checkHost ? stack.DaemonFor(null) : null;
        if (checkHost && defaultDaemon is null && stack.DaemonProblem is { } problem)
        {
            WriteVerbose(problem);
        }
        return new DomainCheckInput
        {
            Host = stack.Files ?? HostRoot.Real,
            CheckHostPaths = checkHost,
            LibvirtVersion = stack.LibvirtVersion,
            QemuVersion = stack.QemuVersion,
            Uri = knowsPrivilege ? stack.Uri : null,
            DaemonRunsAsRoot = knowsPrivilege ? stack.RunsDaemonAsRoot : null,
            DaemonsRun = stack.CanRunBinaries,
            IsActive = isActive,
            DefaultDaemon = defaultDaemon,
            ProbeBinary = path => stack.DaemonFor(path),
            Qemu = checkHost ? _qemu[stack] : null,
            // The virtiofsd processes of this host: the live check of a running guest's shares, and the daemon behind a
            // socket. Only for a libvirt that shares this host's mount namespace; another one's daemons are not matched.
            Daemons = checkHost && stack.CanRunBinaries ? (_daemons ??= DaemonCmdletSupport.Supervisor().List().ToList()) : null,
            LiveTags = liveTags,
            GuestAgent = agent,
        };
    }

    private void Emit(DomainDocument doc, DomainCheckInput input, Action<VirtioFsCheckResult> stamp)
    {
        var results = DomainChecks.Run(doc, input);
        if (Quiet)
        {
            WriteObject(results.All(r => r.Status != VirtioFsCheckStatus.Fail));
            return;
        }
        foreach (var r in results)
        {
            r.Domain = doc.Name;
            stamp(r);
            WriteObject(r);
        }
    }
}
