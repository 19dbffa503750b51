// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.Platform;

/// <summary>
/// Replaces a file so that readers (libvirt, an editor, a crash) see either the old or the new
/// content, never half of it. The one writer for every file the module edits (domain XML,
/// qemu.conf, sysctl.d, systemd units):
/// <list type="number">
/// <item>the old file's mode and owner are read first; a new file gets <c>newFileMode</c> and root;</item>
/// <item>the backup (when asked) is written the same way as the file itself, with the same mode and
/// owner, because qemu.conf is 0600 and domain XML may hold passwords;</item>
/// <item>the new bytes go to a temp file in the same directory (same file system, so rename is atomic),
/// created with the final mode so a 0600 file is never readable by others, even briefly, then chowned
/// and fsynced;</item>
/// <item>rename over the original, then fsync the directory so the rename itself survives a power cut.</item>
/// </list>
/// On failure the temp file is removed and the original is untouched.
/// </summary>
internal static class AtomicFile
{
    public const UnixFileMode DefaultMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Writes <paramref name="content"/> as UTF-8, with a byte-order mark only when asked (to keep a file's own);
    /// returns the backup's path (<c>&lt;file&gt;.bak</c>) when one was kept.
    /// </summary>
    public static string? Replace(string path, string content, bool keepBackup, bool byteOrderMark = false)
    {
        var full = Path.GetFullPath(path);
        var backup = keepBackup && File.Exists(full) ? full + ".bak" : null;
        var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: byteOrderMark);
        Replace(full, [.. encoding.GetPreamble(), .. encoding.GetBytes(content)], backup);
        return backup;
    }

    /// <summary>
    /// Writes <paramref name="content"/>; when <paramref name="backupPath"/> is given and the file
    /// exists, the old content is first copied there (atomically, same mode and owner).
    /// </summary>
    public static void Replace(string path, byte[] content, string? backupPath = null, UnixFileMode newFileMode = DefaultMode) =>
        Write(path, content, backupPath, newFileMode, expected: null);

    /// <summary>
    /// Replaces the file only if it still holds exactly <paramref name="expected"/> (what the caller read and
    /// built <paramref name="content"/> from), keeping those bytes as the backup when one is asked. Returns
    /// false, having written nothing, when the file changed or went away since: a writer that takes no lock (an
    /// editor, virsh) wrote it, and writing now would undo its work. The file is read once, for both the check
    /// and the backup.
    /// </summary>
    public static bool ReplaceIfUnchanged(string path, byte[] expected, byte[] content, string? backupPath) =>
        Write(path, content, backupPath, DefaultMode, expected);

    private static bool Write(string path, byte[] content, string? backupPath, UnixFileMode newFileMode, byte[]? expected)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? "/";
        try
        {
            RemoveStaleTemps(dir, Path.GetFileName(full));
            // One stat for existence, mode and owner. A directory at the path counts as no file, as File.Exists
            // has it (the rename over it then fails and reports why).
            var st = FileStatus.Of(full);
            bool exists = st is { IsDirectory: false };
            var mode = exists ? (UnixFileMode)st!.Value.Permissions : newFileMode;
            var owner = exists ? (st!.Value.Uid, st.Value.Gid) : ((uint Uid, uint Gid)?)null;
            byte[]? current = null;
            if (expected is not null)
            {
                current = exists ? UnixFile.ReadAllBytes(full) : null;
                if (current is null || !current.AsSpan().SequenceEqual(expected))
                {
                    return false;
                }
            }
            if (exists && backupPath is not null)
            {
                WriteViaTemp(dir, Path.GetFullPath(backupPath), current ?? UnixFile.ReadAllBytes(full), mode, owner);
            }
            WriteViaTemp(dir, full, content, mode, owner);
            SyncDirectory(dir);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtioFsException(ErrorIds.FileWriteFailed,
                e is UnauthorizedAccessException ? VirtioFsErrorKind.PermissionDenied : VirtioFsErrorKind.WriteError,
                $"Cannot write '{full}': {e.Message}. The file was left as it was.", full,
                e is UnauthorizedAccessException ? "Run as root, or check the directory's permissions." : "Check the directory's permissions and free space.", e);
        }
    }

    private static string TempName(string dir, string final) =>
        Path.Combine(dir, $".{Path.GetFileName(final)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    private static void WriteViaTemp(string dir, string final, byte[] content, UnixFileMode mode, (uint Uid, uint Gid)? owner)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }
        var temp = TempName(dir, final);
        // The lean way first: open, write, fchmod, fchown, fsync, close, rename. Should any step fail, the
        // FileStream way below does it all again on a fresh temp file and fails the same way, with the .NET
        // exception (type and message) that callers and their users know; or succeeds, if the cause has passed.
        if (UnixFile.TryWriteNew(temp, content, mode, owner))
        {
            if (LibC.Rename(temp, final) == 0)
            {
                return;
            }
            File.Delete(temp);
        }
        temp = TempName(dir, final);
        bool moved = false;
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = mode,
            };
            using (var fs = new FileStream(temp, options))
            {
                fs.Write(content, 0, content.Length);
                fs.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temp, mode); // the umask may have masked bits off
            if (owner is { } o && LibC.Chown(temp, o.Uid, o.Gid) != 0)
            {
                var errno = LibC.Errno;
                // EPERM as non-root: a user editing a file they may write but not own cannot give it
                // back; the content and mode are still right, so do not refuse the edit for that.
                if (errno != LibC.EPERM || LibC.GetUid() == 0)
                {
                    throw new IOException($"chown {o.Uid}:{o.Gid} failed with errno {errno}");
                }
            }
            File.Move(temp, final, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved && File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Removes the temp files a writer of this file left when it was killed between creating its temp file
    /// and renaming it (kill -9, a power cut): <c>.NAME.PID.GUID.tmp</c> and <c>.NAME.bak.PID.GUID.tmp</c> of
    /// processes that no longer exist. A live process's temp file is its write in progress, never touched.
    /// </summary>
    internal static void RemoveStaleTemps(string dir, string name)
    {
        string prefix = "." + name + ".";
        // What inotify has told this process about the directory, else the directory itself (see TempFileIndex).
        var candidates = TempFileIndex.Candidates(dir, prefix, ScanDirectory) ?? ScanDirectory(dir, prefix);
        foreach (var fileName in candidates ?? [])
        {
            if (StaleTempPid(fileName, name) is int pid && !ProcessExists(pid))
            {
                try
                {
                    File.Delete(Path.Combine(dir, fileName));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Not ours to remove (another user's directory entry, a directory): leave it.
                }
            }
        }
    }

    /// <summary>
    /// The names in <paramref name="dir"/> that start with <paramref name="prefix"/> and end in <c>.tmp</c>, read from
    /// the directory; null when it cannot be read. The names are compared as the bytes readdir gives, and only the
    /// few that match become strings (.NET's enumerator decoded every name, ~1 µs an entry here).
    /// </summary>
    internal static unsafe List<string>? ScanDirectory(string dir, string prefix)
    {
        byte[] prefixBytes = Encoding.UTF8.GetBytes(prefix);
        nint stream = LibC.OpenDir(dir);
        if (stream == 0)
        {
            return null; // cannot be read: nothing there we could remove anyway
        }
        var found = new List<string>();
        try
        {
            for (byte* entry = LibC.ReadDir(stream); entry != null; entry = LibC.ReadDir(stream))
            {
                var fileName = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + LibC.DirentNameOffset);
                if (entry[LibC.DirentTypeOffset] != LibC.DT_DIR && fileName.StartsWith(prefixBytes) && fileName.EndsWith(".tmp"u8))
                {
                    found.Add(Encoding.UTF8.GetString(fileName));
                }
            }
        }
        finally
        {
            LibC.CloseDir(stream);
        }
        return found;
    }

    /// <summary>
    /// The writer's pid when <paramref name="fileName"/> is one of our temp files of <paramref name="name"/>:
    /// <c>.NAME.PID.GUID.tmp</c> or <c>.NAME.bak.PID.GUID.tmp</c>, GUID as 32 lower-case hex digits. Parsed by
    /// hand rather than with a regex built per file name on every write.
    /// </summary>
    internal static int? StaleTempPid(string fileName, string name)
    {
        var rest = fileName.AsSpan();
        if (!rest.StartsWith(".", StringComparison.Ordinal) || !rest[1..].StartsWith(name, StringComparison.Ordinal))
        {
            return null;
        }
        rest = rest[(1 + name.Length)..];
        if (rest.StartsWith(".bak.", StringComparison.Ordinal))
        {
            rest = rest[4..];
        }
        // Now ".PID.GUID.tmp".
        if (!rest.StartsWith(".", StringComparison.Ordinal) || !rest.EndsWith(".tmp", StringComparison.Ordinal))
        {
            return null;
        }
        rest = rest[1..^4];
        int dot = rest.IndexOf('.');
        if (dot <= 0 || rest.Length - dot - 1 != 32)
        {
            return null;
        }
        foreach (char c in rest[..dot])
        {
            if (c is < '0' or > '9')
            {
                return null;
            }
        }
        foreach (char c in rest[(dot + 1)..])
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return null;
            }
        }
        return int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    /// <summary>kill(pid, 0): the process exists (EPERM too: it exists, it is just not ours).</summary>
    private static bool ProcessExists(int pid) => LibC.Kill(pid, 0) == 0 || LibC.Errno == LibC.EPERM;

    /// <summary>fsync(2) on the directory makes the rename durable; best effort (some file systems refuse it).</summary>
    private static void SyncDirectory(string dir)
    {
        int fd = LibC.Open(dir, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return;
        }
        _ = LibC.Fsync(fd);
        _ = LibC.Close(fd);
    }
}
