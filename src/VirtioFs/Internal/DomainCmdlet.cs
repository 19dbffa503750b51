// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>
/// Shared plumbing of the cmdlets that read or edit a domain given by -Path (XML file) or
/// -Domain (libvirt): one libvirt connection per URI for the whole pipeline, and one place that
/// shows the diff for -WhatIf/-Confirm and commits.
/// </summary>
public abstract class DomainCmdlet : VirtioFsCmdlet
{
    internal const string PathSet = "Path";
    internal const string DomainSet = "Domain";
    internal const string DefaultUri = "qemu:///system";

    private readonly Dictionary<string, LibvirtConnection> _connections = new(StringComparer.Ordinal);

    /// <summary>-ConnectionUri, else $env:LIBVIRT_DEFAULT_URI as virsh does, else qemu:///system.</summary>
    internal static string EffectiveUri(string? given) =>
        !string.IsNullOrEmpty(given) ? given
        : Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI") is { Length: > 0 } env ? env
        : DefaultUri;

    internal LibvirtConnection Connect(string? uri)
    {
        string effective = EffectiveUri(uri);
        if (!_connections.TryGetValue(effective, out var conn))
        {
            conn = LibvirtConnection.Open(effective);
            _connections[effective] = conn;
        }
        return conn;
    }

    internal IDomainTarget FileTarget(string path, bool skipSourceCheck) =>
        new FileDomainTarget(ResolveFileSystemPath(path, mustExist: false), checkHostPaths: !skipSourceCheck);

    internal IDomainTarget LibvirtTarget(string domain, string? uri, bool skipSourceCheck) =>
        new LibvirtDomainTarget(Connect(uri), domain, skipSourceCheck);

    /// <summary>
    /// Asks ShouldProcess with the unified diff (what -WhatIf prints), then commits. Returns null
    /// when the user declined or -WhatIf was given.
    /// </summary>
    internal CommitResult? Apply(IDomainTarget target, DomainEdit edit, string action, LiveAction live)
    {
        if (!edit.HasChanges)
        {
            WriteVerbose($"{target.Label}: nothing to change.");
            return new CommitResult();
        }
        string diff = edit.Diff(target.Label);
        string description = $"{action} on {target.Label}:{Environment.NewLine}{diff}";
        string warning = $"{action} on {target.Label}? The change:{Environment.NewLine}{diff}";
        if (!ShouldProcess(description, warning, action))
        {
            return null;
        }
        CancelToken.ThrowIfCancellationRequested();
        var result = target.Commit(edit, live);
        foreach (var change in edit.Changes)
        {
            WriteVerbose(change);
        }
        foreach (var message in result.Messages)
        {
            WriteVerbose(message);
        }
        foreach (var w in result.Warnings)
        {
            WriteWarning(w);
        }
        return result;
    }

    /// <summary>Expands a -Path value: wildcards match existing files; a literal path may not exist yet (reported later).</summary>
    internal IEnumerable<string> ResolvePaths(string pattern)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(pattern))
        {
            return new[] { ResolveFileSystemPath(pattern, mustExist: false) };
        }
        return GetResolvedProviderPathFromPSPath(pattern, out _);
    }

    /// <summary>Runs <paramref name="work"/> per item with Write-Progress, since a host may have hundreds of domains.</summary>
    internal void ForEachWithProgress(IEnumerable<string> items, string activity, Action<string> work)
    {
        var list = new List<string>(items);
        var progress = new ProgressRecord(1, activity, "Starting");
        for (int i = 0; i < list.Count; i++)
        {
            if (list.Count > 1)
            {
                progress.StatusDescription = $"{list[i]} ({i + 1} of {list.Count})";
                progress.PercentComplete = i * 100 / list.Count;
                WriteProgress(progress);
            }
            CancelToken.ThrowIfCancellationRequested();
            work(list[i]);
        }
        if (list.Count > 1)
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    /// <summary>Runs one input's work; a core error becomes a non-terminating error for that input.</summary>
    internal void ForInput(Action work)
    {
        try
        {
            work();
        }
        catch (VirtioFsException e)
        {
            WriteCoreError(e);
        }
    }

    protected override void EndProcessing() => CloseConnections();

    private void CloseConnections()
    {
        foreach (var c in _connections.Values)
        {
            c.Dispose();
        }
        _connections.Clear();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseConnections();
        }
        base.Dispose(disposing);
    }
}
