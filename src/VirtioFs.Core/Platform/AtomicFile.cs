// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.Platform;

/// <summary>
/// Replaces a file so that readers (libvirt, an editor, a crash) see either the old or the new
/// content, never half of it: write a temporary file in the same directory, flush it to disk,
/// keep the old file as a backup, then rename over the original.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="content"/>; returns the backup's path when one was kept.</summary>
    public static string? Replace(string path, string content, bool keepBackup)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? "/";
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        string? backup = null;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content);
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(flushToDisk: true);
            }
            if (File.Exists(full))
            {
                // Same permissions as the file we replace (domain XML may hold secrets).
                File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
                if (keepBackup)
                {
                    backup = full + ".bak";
                    File.Copy(full, backup, overwrite: true);
                }
            }
            File.Move(temp, full, overwrite: true);
            return backup;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new VirtioFsException("FileWriteFailed", e is UnauthorizedAccessException ? ErrorKind.PermissionDenied : ErrorKind.WriteError,
                $"Cannot write '{full}': {e.Message}. The file was left as it was.", full,
                "Check the directory's permissions and free space.", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
