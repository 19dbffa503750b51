// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using VirtioFs.Errors;

namespace VirtioFs.Internal;

/// <summary>
/// Base for every VirtioFs cmdlet: Ctrl+C becomes a cancelled token the core can honour, and core
/// exceptions become complete ErrorRecords in one place.
/// </summary>
public abstract class VirtioFsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancelToken => _cts.Token;

    protected override void StopProcessing() => _cts.Cancel();

    /// <summary>Writes a non-terminating error for one input and lets the cmdlet go on.</summary>
    protected void WriteCoreError(VirtioFsException e) => WriteError(ErrorMapper.ToRecord(e));

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

    /// <summary>Expands a -Path value: wildcards match existing files; a literal path may not exist yet (reported later).</summary>
    internal IEnumerable<string> ResolvePaths(string pattern)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(pattern))
        {
            return new[] { ResolveFileSystemPath(pattern, mustExist: false) };
        }
        return GetResolvedProviderPathFromPSPath(pattern, out _);
    }

    /// <summary>Resolves a PowerShell path (relative, ~, PSDrive) to a file-system path.</summary>
    protected string ResolveFileSystemPath(string path, bool mustExist)
    {
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
            _cts.Dispose();
        }
    }
}
