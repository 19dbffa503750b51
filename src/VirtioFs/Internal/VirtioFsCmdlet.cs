// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Mappings;

namespace VirtioFs.Internal;

/// <summary>
/// Base for every VirtioFs cmdlet: Ctrl+C becomes a cancelled token the core can honour, core
/// exceptions become complete ErrorRecords in one place, and work running for several hosts at once
/// (see HostScheduler) writes to the pipeline through the same methods as work on the pipeline thread.
/// </summary>
public abstract class VirtioFsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private bool _disposed;

    /// <summary>Set once hosts run in parallel; see <see cref="Scheduler"/>.</summary>
    private HostScheduler? _scheduler;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancelToken => _cts.Token;

    protected override void StopProcessing() => _cts.Cancel();

    /// <summary>The scheduler of this command's parallel hosts, made on first use (on the pipeline thread).</summary>
    private protected HostScheduler Scheduler(int throttleLimit) => _scheduler ??= new HostScheduler(throttleLimit, CancelToken);

    /// <summary>The scheduler when hosts have run in parallel, else null.</summary>
    private protected HostScheduler? ActiveScheduler => _scheduler;

    /// <summary>True on a worker thread of the scheduler, where nothing may call PowerShell directly.</summary>
    private bool OnWorker => _scheduler is { } s && !s.IsPipelineThread;

    // The Write* and ShouldProcess methods below hide Cmdlet's own. PowerShell allows them only on the pipeline
    // thread; on a worker thread they are posted to it (and ShouldProcess waits for the answer), so the
    // per-host code is the same whether one host or many run. Every VirtioFs cmdlet calls these.

    public new void WriteObject(object? sendToPipeline) => OnPipeline(() => base.WriteObject(sendToPipeline));

    public new void WriteObject(object? sendToPipeline, bool enumerateCollection) =>
        OnPipeline(() => base.WriteObject(sendToPipeline, enumerateCollection));

    public new void WriteWarning(string text) => OnPipeline(() => base.WriteWarning(text));

    public new void WriteVerbose(string text) => OnPipeline(() => base.WriteVerbose(text));

    public new void WriteDebug(string text) => OnPipeline(() => base.WriteDebug(text));

    public new void WriteProgress(ProgressRecord progressRecord) => OnPipeline(() => base.WriteProgress(progressRecord));

    public new void WriteInformation(object messageData, string[] tags) => OnPipeline(() => base.WriteInformation(messageData, tags));

    public new void WriteInformation(InformationRecord informationRecord) => OnPipeline(() => base.WriteInformation(informationRecord));

    public new void WriteError(ErrorRecord errorRecord)
    {
        _wroteErrors = true;
        OnPipeline(() => base.WriteError(errorRecord));
    }

    // Set from worker threads too (fan-out); read once they have finished.
    private volatile bool _wroteErrors;

    /// <summary>Whether this command has written any error so far, from any host (Test-VirtioFsMapping -Quiet).</summary>
    private protected bool WroteErrors => _wroteErrors;

    public new bool ShouldProcess(string target) => OnPipeline(() => base.ShouldProcess(target));

    public new bool ShouldProcess(string target, string action) => OnPipeline(() => base.ShouldProcess(target, action));

    public new bool ShouldProcess(string verboseDescription, string verboseWarning, string caption) =>
        OnPipeline(() => base.ShouldProcess(verboseDescription, verboseWarning, caption));

    public new bool ShouldContinue(string query, string caption) => OnPipeline(() => base.ShouldContinue(query, caption));

    private void OnPipeline(Action action)
    {
        if (OnWorker)
        {
            _scheduler!.Post(action);
        }
        else
        {
            action();
        }
    }

    private T OnPipeline<T>(Func<T> call) => OnWorker ? _scheduler!.Call(call) : call();

    /// <summary>
    /// Writes a non-terminating error for one input and lets the cmdlet go on. When several hosts run, the
    /// error's target is the host's URI, so a runbook can tell which hosts to try again; the message still
    /// names the domain or file.
    /// </summary>
    protected void WriteCoreError(VirtioFsException e) =>
        WriteError(HostScheduler.CurrentHost is { } host ? ErrorMapper.ToRecord(e, host) : ErrorMapper.ToRecord(e));

    /// <summary>Stops the whole command with the error.</summary>
    protected void ThrowCoreError(VirtioFsException e) => ThrowTerminatingError(ErrorMapper.ToRecord(e));

    /// <summary>True when the parameter was given, on the command line or from the pipeline by property name.</summary>
    protected bool IsBound(string parameterName) => MyInvocation.BoundParameters.ContainsKey(parameterName);

    /// <summary>A switch as true or false when given (-Xattr:$false is false), null when not given.</summary>
    protected bool? BoundSwitch(string parameterName, SwitchParameter value) => IsBound(parameterName) ? value.IsPresent : null;

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

    /// <summary>
    /// Runs <paramref name="work"/> per item with Write-Progress, since a host may have hundreds of domains. On a
    /// worker thread the bar is the host's own, under the overall one of all hosts (id 1).
    /// </summary>
    internal void ForEachWithProgress(IEnumerable<string> items, string activity, Action<string> work)
    {
        var list = new List<string>(items);
        int slot = HostScheduler.CurrentSlot;
        int id = slot == 0 ? 1 : 1 + slot;
        string title = HostScheduler.CurrentHost is { } host ? $"{activity} on {host}" : activity;
        for (int i = 0; i < list.Count; i++)
        {
            if (list.Count > 1)
            {
                // A new record each time: a worker's record is written later, on the pipeline thread.
                WriteProgress(new ProgressRecord(id, title, $"{list[i]} ({i + 1} of {list.Count})")
                {
                    PercentComplete = i * 100 / list.Count,
                    ParentActivityId = slot == 0 ? -1 : 1,
                });
            }
            CancelToken.ThrowIfCancellationRequested();
            work(list[i]);
        }
        if (list.Count > 1)
        {
            WriteProgress(new ProgressRecord(id, title, "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = slot == 0 ? -1 : 1 });
        }
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

    /// <summary>
    /// The mapping file a command works on: -MappingPath resolved against the PowerShell location, else the
    /// default ($env:VIRTIOFS_MAPPING_PATH, $XDG_CONFIG_HOME/virtiofs/mappings.json, ~/.config/...).
    /// </summary>
    internal string MappingFileOf(string? mappingPath) =>
        mappingPath is null ? MappingStore.DefaultPath() : ResolveFileSystemPath(mappingPath, mustExist: false);

    /// <summary>An option given both as a value and in -Reset is refused (Set-VirtioFsShare, Set-VirtioFsMapping).</summary>
    internal void RefuseSetAndReset(IEnumerable<string> reset)
    {
        var clash = reset.Where(IsBound).ToList();
        if (clash.Count > 0)
        {
            throw new VirtioFsException(ErrorIds.SetAndResetSameOption, VirtioFsErrorKind.InvalidArgument,
                $"{string.Join(", ", clash)} given both as a value and in -Reset.", clash[0], "Either set an option or reset it.");
        }
    }

    /// <summary>Resolves a PowerShell path (relative, ~, PSDrive) to a file-system path.</summary>
    protected string ResolveFileSystemPath(string path, bool mustExist)
    {
        if (!mustExist && IsPlainAbsolutePath(path))
        {
            return path;
        }
        ProviderInfo provider;
        string resolved;
        if (mustExist)
        {
            var paths = GetResolvedProviderPathFromPSPath(path, out provider);
            if (paths.Count != 1)
            {
                throw new VirtioFsException(ErrorIds.PathNotUnique, VirtioFsErrorKind.InvalidArgument,
                    $"The path '{path}' resolves to {paths.Count} items; give exactly one.", path);
            }
            resolved = paths[0];
        }
        else
        {
            resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        if (provider.Name != "FileSystem")
        {
            throw new VirtioFsException(ErrorIds.PathNotFileSystem, VirtioFsErrorKind.InvalidArgument,
                $"The path '{path}' is not a file-system path.", path);
        }
        return resolved;
    }

    /// <summary>
    /// An absolute Unix path that PowerShell would hand back unchanged: on Unix a path that starts with '/' is the
    /// file system's whatever the current location, and with no backslash, empty, '.' or '..' segment and no
    /// trailing slash there is nothing for PowerShell to rewrite. Asking PowerShell anyway costs a read and parse
    /// of /proc/self/mountinfo per call (it checks that the drive is still mounted), which a loop over hundreds
    /// of domain files pays hundreds of times.
    /// </summary>
    internal static bool IsPlainAbsolutePath(string path)
    {
        if (!OperatingSystem.IsLinux() || path.Length < 2 || path[0] != '/' || path[^1] == '/'
            || path.AsSpan().IndexOfAny('\\', '\0') >= 0 || path.Contains("//", StringComparison.Ordinal))
        {
            return false;
        }
        for (int start = 1; start < path.Length;)
        {
            int end = path.IndexOf('/', start);
            end = end < 0 ? path.Length : end;
            if (path.AsSpan(start, end - start) is "." or "..")
            {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the cmdlet holds; PowerShell calls Dispose even after Ctrl+C.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cts.Cancel();
            _scheduler?.Dispose();
            _cts.Dispose();
        }
    }
}
