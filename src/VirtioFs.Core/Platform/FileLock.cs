// SPDX-License-Identifier: MIT
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using VirtioFs.Errors;

namespace VirtioFs.Platform;

/// <summary>
/// An advisory lock (flock(2)) that serializes writers: held from the read, through validation, to the
/// write, so two writers can never both start from the same content and lose one edit. flock locks belong
/// to an open file description, so two runspaces of one process (a <c>ForEach-Object -Parallel</c>)
/// exclude each other as two processes do.
/// <para>
/// Should the locked file be replaced by a rename (as AtomicFile does), a waiter may wake holding the lock
/// of a file no longer at the path; it then sees another inode there and locks again. A file that does not
/// exist is covered by a lock on its directory.
/// </para>
/// </summary>
internal sealed class FileLock : IDisposable
{
    /// <summary>How long a writer waits by default; VIRTIOFS_LOCK_TIMEOUT_SEC overrides it (seconds).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private int _fd;

    private FileLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    /// <summary>The file (or, for a file not yet created, the directory) that is locked.</summary>
    public string Path { get; }

    /// <summary>The timeout from VIRTIOFS_LOCK_TIMEOUT_SEC, else <see cref="DefaultTimeout"/>.</summary>
    public static TimeSpan ConfiguredTimeout() =>
        double.TryParse(Environment.GetEnvironmentVariable("VIRTIOFS_LOCK_TIMEOUT_SEC"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s >= 0
            ? TimeSpan.FromSeconds(s)
            : DefaultTimeout;

    /// <summary>
    /// Holds the writers' lock of a file the module edits (domain XML, qemu.conf, sysctl.d, units) until
    /// disposed. It is a lock file in the lock directory keyed by the file's real path, not a flock on the
    /// file itself: .NET takes a shared flock whenever it opens a file for reading, so an exclusive flock on
    /// the file would make every reader (Get-VirtioFsShare in another runbook) fail while a write is on.
    /// FileLocked when another writer holds it past the timeout.
    /// </summary>
    public static FileLock ForWriting(string path, CancellationToken ct = default)
    {
        string real = PathResolver.Resolve(path);
        return NamedLock.Acquire("file", real, ErrorIds.FileLocked, $"'{real}'", path, ConfiguredTimeout(), ct);
    }

    /// <summary>
    /// Waits until this process holds the flock of <paramref name="path"/> (a lock file); FileLocked when
    /// another writer holds it past <paramref name="timeout"/>. With <paramref name="create"/> a missing lock
    /// file is created (0644, O_NOFOLLOW, never truncated) by the open that locks it.
    /// </summary>
    public static FileLock Acquire(string path, TimeSpan timeout, CancellationToken ct = default, bool create = false)
    {
        string full = System.IO.Path.GetFullPath(path);
        string dir = System.IO.Path.GetDirectoryName(full) ?? "/";
        var clock = Stopwatch.StartNew();
        int delayMs = 2;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            bool fileExists = true;
            int fd = create ? LibC.Open(full, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x1A4 /* 0644 */) : -1;
            if (fd < 0)
            {
                // Not created (a link is in the way, or the directory is not ours to write): lock what is there.
                fd = LibC.Open(full, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            }
            if (fd < 0 && LibC.Errno == LibC.ENOENT)
            {
                fileExists = false;
                fd = LibC.Open(dir, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
            }
            if (fd < 0)
            {
                // Not readable (or the directory is missing): the write that follows reports the real cause.
                return new FileLock(-1, full);
            }
            if (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0)
            {
                if (StillCovers(fd, full, fileExists))
                {
                    return new FileLock(fd, fileExists ? full : dir);
                }
                LibC.Close(fd);
                continue; // replaced or created meanwhile: lock what is there now
            }
            int errno = LibC.Errno;
            LibC.Close(fd);
            if (errno != LibC.EWOULDBLOCK && errno != LibC.EINTR)
            {
                return new FileLock(-1, full); // a file system without flock: nothing to serialize with
            }
            if (clock.Elapsed >= timeout)
            {
                throw new VirtioFsException(ErrorIds.FileLocked, VirtioFsErrorKind.ResourceBusy,
                    $"Another writer has held '{full}' for {timeout.TotalSeconds:0.#} s; nothing was written.", full,
                    "Wait for the other command (Get-Process pwsh, or 'fuser " + full + "') and run this one again; VIRTIOFS_LOCK_TIMEOUT_SEC sets how long to wait.");
            }
            Thread.Sleep(delayMs);
            delayMs = Math.Min(delayMs * 2, 50);
        }
    }

    /// <summary>The locked descriptor is still the file at the path (or the path is still free, for a directory lock).</summary>
    private static bool StillCovers(int fd, string path, bool lockedTheFile)
    {
        var atPath = FileStatus.Of(path);
        if (!lockedTheFile)
        {
            return atPath is null;
        }
        var held = FileStatus.OfDescriptor(fd);
        return held is { } h && atPath is { } p && h.Device == p.Device && h.Inode == p.Inode;
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LibC.Close(fd); // closing the last descriptor releases the flock
        }
    }
}
