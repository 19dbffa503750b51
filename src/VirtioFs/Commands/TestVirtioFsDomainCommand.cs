// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Doctor;
using VirtioFs.Domain;
using VirtioFs.Errors;
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

    private bool _daemonSearched;
    private VirtioFsDaemonBinary? _defaultDaemon;
    private readonly Dictionary<string, VirtioFsDaemonBinary?> _probed = new(StringComparer.Ordinal);
    private QemuAccount? _qemu;
    private bool _qemuResolved;
    private List<VirtioFsDaemon>? _daemons;

    private Version? _localLibvirt;
    private bool _localLibvirtRead;

    // Hosts of -ConnectionUri run on worker threads at once; the facts of this host above are gathered once, under this lock.
    private readonly object _hostFacts = new();

    private protected override string Activity => "Checking domains";

    /// <summary>A file is checked against this host unless -SkipHostCheck says it is for another one.</summary>
    private protected override bool CheckHostPathsOfFiles => !SkipHostCheck;

    private protected override void Emit(IDomainTarget target)
    {
        var doc = target.Load();
        if (target is FileDomainTarget file)
        {
            Emit(doc, Input(!SkipHostCheck, LocalLibvirt(), isActive: false, liveTags: null), r => r.Path = file.FullPath);
            return;
        }
        var domain = (LibvirtDomainTarget)target;
        var conn = domain.Connection;
        bool checkHost = !SkipHostCheck && conn.IsLocal;
        bool active = domain.IsActive();
        // Only shares the running guest has can have lost their daemon; others wait for the next boot.
        var liveTags = checkHost && active
            ? domain.LoadLive().VirtioFsFilesystems.Select(FilesystemElement.TagOf).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : null;
        Emit(doc, Input(checkHost, conn.LibraryVersion, active, liveTags), r => r.ConnectionUri = conn.Uri);
    }

    /// <summary>The libvirt client library here, for files checked against this host; null without libvirt.</summary>
    private Version? LocalLibvirt()
    {
        if (!_localLibvirtRead && !SkipHostCheck)
        {
            _localLibvirtRead = true;
            try
            {
                _localLibvirt = LibvirtConnection.ClientLibraryVersion();
            }
            catch (VirtioFsException)
            {
                // no libvirt here: versions are not checked
            }
        }
        return _localLibvirt;
    }

    /// <param name="liveTags">The shares of a guest running on this host; its daemons are then looked at too.</param>
    private DomainCheckInput Input(bool checkHost, Version? libvirt, bool isActive, IReadOnlySet<string>? liveTags)
    {
        lock (_hostFacts)
        {
            return InputLocked(checkHost, libvirt, isActive, liveTags);
        }
    }

    private DomainCheckInput InputLocked(bool checkHost, Version? libvirt, bool isActive, IReadOnlySet<string>? liveTags)
    {
        if (checkHost && !_daemonSearched)
        {
            _daemonSearched = true;
            _defaultDaemon = TryResolve(null);
        }
        if (checkHost && !_qemuResolved)
        {
            _qemuResolved = true;
            _qemu = QemuAccount.Resolve(HostRoot.Real);
        }
        return new DomainCheckInput
        {
            CheckHostPaths = checkHost,
            LibvirtVersion = libvirt,
            IsActive = isActive,
            DefaultDaemon = checkHost ? _defaultDaemon : null,
            ProbeBinary = ProbePath,
            Qemu = _qemu,
            // The daemons of this host: the live check of a running guest's shares, and the ID mapping of a daemon behind a socket.
            Daemons = checkHost ? (_daemons ??= DaemonCmdletSupport.Supervisor().List().ToList()) : null,
            LiveTags = liveTags,
        };
    }

    private VirtioFsDaemonBinary? ProbePath(string path)
    {
        lock (_hostFacts)
        {
            if (!_probed.TryGetValue(path, out var result))
            {
                result = TryResolve(path);
                _probed[path] = result;
            }
            return result;
        }
    }

    /// <summary>The binary as Start-VirtioFsDaemon resolves it (null: the one libvirt would pick); null when none works.</summary>
    private VirtioFsDaemonBinary? TryResolve(string? path)
    {
        try
        {
            return DaemonCmdletSupport.Supervisor().ResolveBinary(path, CancelToken);
        }
        catch (VirtioFsException e)
        {
            WriteVerbose(e.Message);
            return null;
        }
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
