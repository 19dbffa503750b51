// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using VirtioFs.Errors;

namespace VirtioFs.Platform;

/// <summary>
/// A lock on something that is not a file here: a libvirt domain (libvirt has no transaction, so two
/// read-edit-define sequences on one domain must not interleave) or a host's hugepage pools (two
/// allocations interleaved can each roll back to the other's half-way count). It is a flock on a small
/// file in the lock directory, one per key, so every VirtioFs process on this machine agrees on it.
/// Writers on other machines or other tools are not covered; for libvirt the define-if-unchanged
/// check is what protects against them.
/// </summary>
internal static class NamedLock
{
    /// <summary>
    /// /run/lock/virtiofs when it can be used (shared by root and members of the libvirt group, since
    /// /run/lock is world-writable and sticky), else a per-user directory in the runtime directory.
    /// </summary>
    public static string Directory()
    {
        var env = Environment.GetEnvironmentVariable("VIRTIOFS_LOCK_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        return s_default.Value;
    }

    private static readonly Lazy<string> s_default = new(DefaultDirectory);

    private static string DefaultDirectory()
    {
        const string shared = "/run/lock/virtiofs";
        if (TryCreate(shared, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.StickyBit))
        {
            return shared;
        }
        var own = System.IO.Path.Combine(Daemon.DaemonHost.DefaultRuntimeDirectory(), "locks");
        TryCreate(own, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return own;
    }

    /// <summary>Holds the lock named by <paramref name="kind"/> and <paramref name="key"/> until disposed.</summary>
    public static FileLock Acquire(string kind, string key, string errorId, string what, object target, TimeSpan timeout, CancellationToken ct = default)
    {
        var dir = Directory();
        var file = System.IO.Path.Combine(dir, $"{kind}-{Hash(key)}.lock");
        try
        {
            // The lock file is created by the same open that locks it (O_CREAT, never following a link someone
            // planted in a shared directory, never truncating), not by an open and close of its own first.
            return FileLock.Acquire(file, timeout, ct, create: true);
        }
        catch (VirtioFsException e) when (e.ErrorId == ErrorIds.FileLocked)
        {
            throw new VirtioFsException(errorId, VirtioFsErrorKind.ResourceBusy,
                $"Another VirtioFs command has been changing {what} for {timeout.TotalSeconds:0.#} s; nothing was changed.", target,
                $"Wait for it to finish and run this one again; VIRTIOFS_LOCK_TIMEOUT_SEC sets how long to wait (lock file {file}).", e);
        }
    }

    private static string Hash(string key) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 12)).ToLowerInvariant();

    private static bool TryCreate(string dir, UnixFileMode mode)
    {
        try
        {
            if (!System.IO.Directory.Exists(dir))
            {
                UnixFile.CreateDirectory(dir, mode);
                UnixFile.SetMode(dir, mode); // the umask may have narrowed it
            }
            return CanWrite(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool CanWrite(string dir)
    {
        var probe = System.IO.Path.Combine(dir, $".probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe))
            {
            }
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
