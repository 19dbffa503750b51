// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Runtime.InteropServices;
using VirtioFs.Errors;

namespace VirtioFs.Platform;

/// <summary>
/// Replaces a file so that readers see either the old or the new content, never half of it: the
/// new bytes go to a temp file in the same directory (same file system, so rename is atomic), are
/// flushed to disk, get the old file's mode and owner, and are renamed over it.
/// </summary>
internal static partial class AtomicFileWriter
{
    /// <summary>Writes <paramref name="content"/>; when <paramref name="backupPath"/> is given the old file is copied there first, with the same mode and owner (qemu.conf is 0600 and may hold passwords).</summary>
    public static void Write(string path, byte[] content, string? backupPath = null, UnixFileMode newFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? "/";
        var exists = File.Exists(full);
        var mode = exists ? File.GetUnixFileMode(full) : newFileMode;
        var owner = exists ? GetOwner(full) : null;
        try
        {
            if (exists && backupPath is not null)
            {
                WriteTemp(dir, backupPath, File.ReadAllBytes(full), mode, owner);
            }
            WriteTemp(dir, full, content, mode, owner);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VirtioFsException("FileWritePermissionDenied", ErrorKind.PermissionDenied,
                $"Cannot write '{full}': permission denied.", full, "Run as root.", e);
        }
        catch (IOException e)
        {
            throw new VirtioFsException("FileWriteFailed", ErrorKind.WriteError,
                $"Cannot write '{full}': {e.Message}", full, null, e);
        }
    }

    private static void WriteTemp(string dir, string final, byte[] content, UnixFileMode mode, (uint Uid, uint Gid)? owner)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException();
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(final)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            // Created with the final mode so a 0600 file is never readable by others, even briefly.
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
            File.SetUnixFileMode(temp, mode); // umask may have masked bits off
            if (owner is { } o && Chown(temp, o.Uid, o.Gid) != 0)
            {
                throw new IOException($"chown failed with errno {Marshal.GetLastPInvokeError()}");
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

    /// <summary>uid/gid of a file via stat(2); null when the layout of struct stat is not known for this CPU.</summary>
    internal static (uint Uid, uint Gid)? GetOwner(string path)
    {
        int uidOffset = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 28,   // dev, ino, nlink (8 each), mode (4), uid, gid
            Architecture.Arm64 => 24, // dev, ino (8 each), mode, nlink (4 each), uid, gid
            _ => -1,
        };
        if (uidOffset < 0)
        {
            return null;
        }
        var buf = new byte[256];
        if (Stat(path, buf) != 0)
        {
            return null;
        }
        return (BitConverter.ToUInt32(buf, uidOffset), BitConverter.ToUInt32(buf, uidOffset + 4));
    }

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, byte[] buf);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint uid, uint gid);
}
