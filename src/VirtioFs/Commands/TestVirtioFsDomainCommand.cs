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
public sealed class TestVirtioFsDomainCommand : DomainCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = DomainSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Domain { get; set; }

    [Parameter(ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

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

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            Version? local = null;
            if (!SkipHostCheck)
            {
                try
                {
                    local = LibvirtConnection.ClientLibraryVersion();
                }
                catch (VirtioFsException)
                {
                    // no libvirt here: versions are not checked
                }
            }
            foreach (string p in Path)
            {
                ForInput(() =>
                {
                    var target = (FileDomainTarget)FileTarget(p, SkipHostCheck);
                    var doc = target.Load();
                    Emit(doc, Input(!SkipHostCheck, local, isActive: false, liveTags: null), r => r.Path = target.FullPath);
                });
            }
            return;
        }
        ForInput(() =>
        {
            var conn = Connect(ConnectionUri);
            foreach (string name in DomainSelection.Resolve(conn, Domain, this))
            {
                ForInput(() =>
                {
                    using var dom = conn.LookupDomain(name);
                    var doc = DomainDocument.Parse(dom.GetInactiveXml(), $"domain '{name}' on {conn.Uri}");
                    bool checkHost = !SkipHostCheck && conn.IsLocal;
                    // Only shares the running guest has can have lost their daemon; others wait for the next boot.
                    var liveTags = checkHost && dom.IsActive
                        ? DomainDocument.Parse(dom.GetLiveXml(), $"running domain '{name}' on {conn.Uri}").VirtioFsFilesystems
                            .Select(FilesystemElement.TagOf).OfType<string>().ToHashSet(StringComparer.Ordinal)
                        : null;
                    Emit(doc, Input(checkHost, conn.LibraryVersion, dom.IsActive, liveTags), r => r.ConnectionUri = conn.Uri);
                });
            }
        });
    }

    /// <param name="liveTags">The shares of a guest running on this host; its daemons are then looked at too.</param>
    private DomainCheckInput Input(bool checkHost, Version? libvirt, bool isActive, IReadOnlySet<string>? liveTags)
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
            Daemons = liveTags is null ? null : DaemonCmdletSupport.Supervisor().List().ToList(),
            LiveTags = liveTags,
        };
    }

    private VirtioFsDaemonBinary? ProbePath(string path)
    {
        if (!_probed.TryGetValue(path, out var result))
        {
            result = TryResolve(path);
            _probed[path] = result;
        }
        return result;
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
