// SPDX-License-Identifier: MIT
using System;
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
                throw new VirtioFsException(ErrorIds.PathNotUnique, ErrorKind.InvalidArgument,
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
            throw new VirtioFsException(ErrorIds.PathNotFileSystem, ErrorKind.InvalidArgument,
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
