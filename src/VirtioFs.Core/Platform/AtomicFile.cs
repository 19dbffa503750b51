// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
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
    public static void Replace(string path, byte[] content, string? backupPath = null, UnixFileMode newFileMode = DefaultMode)
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
            var exists = File.Exists(full);
            var mode = exists ? File.GetUnixFileMode(full) : newFileMode;
            var owner = exists && FileStatus.Of(full) is { } st ? (st.Uid, st.Gid) : ((uint Uid, uint Gid)?)null;
            if (exists && backupPath is not null)
            {
                WriteViaTemp(dir, Path.GetFullPath(backupPath), File.ReadAllBytes(full), mode, owner);
            }
            WriteViaTemp(dir, full, content, mode, owner);
            SyncDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtioFsException(ErrorIds.FileWriteFailed,
                e is UnauthorizedAccessException ? VirtioFsErrorKind.PermissionDenied : VirtioFsErrorKind.WriteError,
                $"Cannot write '{full}': {e.Message}. The file was left as it was.", full,
                e is UnauthorizedAccessException ? "Run as root, or check the directory's permissions." : "Check the directory's permissions and free space.", e);
        }
    }

    private static void WriteViaTemp(string dir, string final, byte[] content, UnixFileMode mode, (uint Uid, uint Gid)? owner)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(final)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
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
        }
        finally
        {
            if (File.Exists(temp))
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
        var pattern = new Regex("^\\." + Regex.Escape(name) + "(?:\\.bak)?\\.(\\d+)\\.[0-9a-f]{32}\\.tmp$", RegexOptions.CultureInvariant);
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateFiles(dir, "." + name + "*.tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (var temp in candidates)
        {
            var m = pattern.Match(Path.GetFileName(temp));
            if (m.Success && int.TryParse(m.Groups[1].Value, out int pid) && !ProcessExists(pid))
            {
                try
                {
                    File.Delete(temp);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Not ours to remove (another user's directory entry): leave it.
                }
            }
        }
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
