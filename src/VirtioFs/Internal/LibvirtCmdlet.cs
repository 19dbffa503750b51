// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Guest;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>
/// Base of every cmdlet that talks to libvirt: it owns the connections (one per URI for the whole
/// pipeline, closed at the end or on Ctrl+C), picks the URI as virsh does, opens the domains a
/// command names, from XML files or from libvirt, and runs the work of several hosts at once.
/// </summary>
public abstract class LibvirtCmdlet : VirtioFsCmdlet
{
    internal const string PathSet = "Path";
    internal const string DomainSet = "Domain";
    internal const string DefaultUri = "qemu:///system";
    internal const string ConnectionUriParameter = "ConnectionUri";

    private readonly Dictionary<string, LibvirtConnection> _connections = new(StringComparer.Ordinal);
    private HashSet<string> _onCommandLine = new(StringComparer.OrdinalIgnoreCase);
    private int _hostsDone;

    /// <summary>How many hosts (of several -ConnectionUri values) run at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Shown in the overall progress bar when several hosts run.</summary>
    private protected virtual string HostsActivity => MyInvocation.MyCommand.Name;

    protected override void BeginProcessing()
    {
        // Only command-line parameters are bound yet: one bound later came from the pipeline.
        _onCommandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
        base.BeginProcessing();
    }

    /// <summary>-ConnectionUri, else $env:LIBVIRT_DEFAULT_URI as virsh does, else qemu:///system.</summary>
    internal static string EffectiveUri(string? given) =>
        !string.IsNullOrEmpty(given) ? given
        : Environment.GetEnvironmentVariable("LIBVIRT_DEFAULT_URI") is { Length: > 0 } env ? env
        : DefaultUri;

    /// <summary>True when the parameter was bound from the current pipeline record (by property name), not the command line.</summary>
    internal bool BoundFromPipeline(string parameterName) => IsBound(parameterName) && !_onCommandLine.Contains(parameterName);

    /// <summary>The parameters the current pipeline record bound (by property name or value).</summary>
    internal IEnumerable<string> PipelineBoundParameters => MyInvocation.BoundParameters.Keys.Where(k => !_onCommandLine.Contains(k));

    /// <summary>
    /// Makes the change on the domain: the target reads it, <paramref name="change"/> builds the edit from what
    /// was read, ShouldProcess shows the unified diff (what -WhatIf prints), and the target writes it, with no
    /// other writer in between (see IDomainTarget.Edit). <paramref name="prepare"/> runs once, just before
    /// approval is asked, for work the change needs first (allocating hugepages). Returns null when the user
    /// declined or -WhatIf was given.
    /// </summary>
    internal CommitResult? Apply(IDomainTarget target, Func<DomainDocument, DomainEdit> change, string action, LiveAction live,
        Action<DomainEdit>? prepare = null, bool readBack = false)
    {
        var result = target.Edit(change, edit =>
        {
            WriteHostWarnings(target); // what could not be checked, before the question whether to go on
            prepare?.Invoke(edit);
            string diff = edit.Diff(target.Label);
            return ShouldProcess($"{action} on {target.Label}:{Environment.NewLine}{diff}",
                $"{action} on {target.Label}? The change:{Environment.NewLine}{diff}", action);
        }, live, CancelToken, readBack);
        WriteHostWarnings(target);
        if (result is null)
        {
            return null;
        }
        if (!result.Edit.HasChanges)
        {
            WriteVerbose($"{target.Label}: nothing to change.");
            return result;
        }
        foreach (var line in result.Edit.Changes)
        {
            WriteVerbose(line);
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

    /// <summary>Warnings of validation about the domain's host (a source directory on another host not checked).</summary>
    private void WriteHostWarnings(IDomainTarget target)
    {
        foreach (var w in target.Host.TakeWarnings())
        {
            WriteWarning(w);
        }
    }

    /// <summary>
    /// The connection to <paramref name="uri"/>, opened once per command. Hosts running in parallel each open
    /// their own; the open itself (an ssh login, seconds) happens outside the lock.
    /// </summary>
    internal LibvirtConnection Connect(string? uri)
    {
        string effective = EffectiveUri(uri);
        lock (_connections)
        {
            if (_connections.TryGetValue(effective, out var open))
            {
                return open;
            }
        }
        var conn = LibvirtConnection.Open(effective);
        lock (_connections)
        {
            if (_connections.TryGetValue(effective, out var raced))
            {
                conn.Dispose();
                return raced;
            }
            _connections[effective] = conn;
            return conn;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> once per host of -ConnectionUri (null: the default URI). One host named on the
    /// command line runs here, as before; several, or URIs that come from the pipeline, run at once on up to
    /// -ThrottleLimit worker threads, and their output comes back as one stream. A host that fails is an error
    /// whose target is its URI; the other hosts go on. The work must take what it needs from the current
    /// pipeline record before it is queued (parameters bound from the pipeline change with the next record).
    /// </summary>
    /// <param name="stopOnErrorOfOne">When only one host runs, its error stops the command (as for a command without fan-out).</param>
    internal void ForEachHost(string[]? uris, Action<string?> work, bool stopOnErrorOfOne = false)
    {
        string?[] hosts = uris?.Where(u => !string.IsNullOrEmpty(u)).Distinct(StringComparer.Ordinal).ToArray() ?? [];
        if (hosts.Length == 0)
        {
            hosts = [null];
        }
        bool fromPipeline = BoundFromPipeline(ConnectionUriParameter);
        if (hosts.Length == 1 && !fromPipeline && ActiveScheduler is null)
        {
            if (!stopOnErrorOfOne)
            {
                ForInput(() => work(hosts[0]));
                return;
            }
            try
            {
                work(hosts[0]);
            }
            catch (VirtioFs.Errors.VirtioFsException e)
            {
                ThrowCoreError(e);
            }
            return;
        }
        var scheduler = Scheduler(ThrottleLimit);
        foreach (string? host in hosts)
        {
            string effective = EffectiveUri(host);
            scheduler.Enqueue(effective, () =>
            {
                ForInput(() => work(host));
                int done = Interlocked.Increment(ref _hostsDone);
                WriteProgress(new ProgressRecord(1, HostsActivity, $"{done} hosts done; {effective} just now"));
            });
        }
        // Back-pressure: take the next pipeline record only when a worker is free, so a long host list does
        // not queue up unbounded, and write what the hosts have produced so far.
        scheduler.Pump(ThrottleLimit - 1);
    }

    internal IDomainTarget FileTarget(string path, bool skipSourceCheck) =>
        new FileDomainTarget(ResolveFileSystemPath(path, mustExist: false), checkHostPaths: !skipSourceCheck);

    internal IDomainTarget LibvirtTarget(string domain, string? uri, bool skipSourceCheck) =>
        new LibvirtDomainTarget(Connect(uri), domain, skipSourceCheck);

    /// <summary>
    /// The one loop over the domains a reading command names: each -Path (wildcards match files), or
    /// the -Domain names, UUIDs and wildcards on one connection (all of its domains when none is
    /// given), with progress. A domain that fails is an error for that domain; the others go on.
    /// </summary>
    internal void ReadDomains(string[] paths, string[]? domains, string? uri, bool checkHostPathsOfFiles,
        string activity, Action<IDomainTarget> emit)
    {
        if (paths.Length > 0)
        {
            foreach (string pattern in paths)
            {
                ForInput(() =>
                {
                    foreach (string file in ResolvePaths(pattern))
                    {
                        ForInput(() => emit(new FileDomainTarget(file, checkHostPaths: checkHostPathsOfFiles)));
                    }
                });
            }
            return;
        }
        ForInput(() =>
        {
            var conn = Connect(uri);
            ForEachWithProgress(DomainSelection.Resolve(conn, domains, this), activity,
                name => ForInput(() => emit(new LibvirtDomainTarget(conn, name, skipSourceCheck: true))));
        });
    }

    /// <summary>Waits until every queued host has finished, writing what they produce (before a summary, say).</summary>
    internal void WaitForHosts() => ActiveScheduler?.Pump(0);

    protected override void EndProcessing()
    {
        if (ActiveScheduler is { } scheduler)
        {
            scheduler.Pump(0);
            WriteProgress(new ProgressRecord(1, HostsActivity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        CloseConnections();
    }

    private void CloseConnections()
    {
        lock (_connections)
        {
            foreach (var c in _connections.Values)
            {
                c.Dispose();
            }
            _connections.Clear();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The workers end first (base), then the connections they used.
            base.Dispose(disposing);
            CloseConnections();
            return;
        }
        base.Dispose(disposing);
    }

    /// <summary>
    /// The running domain, checked to run and to have the agent channel; the agent is not asked yet. Here, not in
    /// GuestCmdlet, because Get-VirtioFsGuestMount -Live needs it too and cannot derive from GuestCmdlet (its Recipe
    /// parameter set has no domain).
    /// </summary>
    internal GuestSession OpenSession(string domainName, string? uri, int timeoutSec)
    {
        IGuestDomain domain = GuestCmdlet.DomainSource is { } source ? source(domainName, uri) : new LibvirtGuestDomain(Connect(uri), domainName);
        return GuestSession.Open(domain, TimeSpan.FromSeconds(timeoutSec), CancelToken);
    }

    /// <summary>Waits up to <paramref name="timeoutSec"/> for the agent (Write-Progress while it does) and reads the guest's system.</summary>
    internal void ConnectAgent(GuestSession session, int timeoutSec)
    {
        // A new record for each write: on a worker thread (several hosts) it is written later, on the pipeline thread.
        int id = 100 + HostScheduler.CurrentSlot;
        string activity = $"Waiting for the guest agent of {session.Domain.Name}";
        bool shown = false;
        try
        {
            session.Connect(elapsed =>
            {
                shown = true;
                WriteProgress(new ProgressRecord(id, activity, $"No answer yet after {elapsed.TotalSeconds:0} s (giving up after {timeoutSec} s)")
                {
                    PercentComplete = (int)Math.Min(99, elapsed.TotalSeconds * 100 / timeoutSec),
                });
            });
        }
        finally
        {
            if (shown)
            {
                WriteProgress(new ProgressRecord(id, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
        WriteVerbose($"The guest agent of {session.Domain.Name} answered after {session.AgentWait.TotalSeconds:0.0} s: {session.Os.Display}, kernel {session.Os.KernelRelease}.");
    }
}
