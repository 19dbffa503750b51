// SPDX-License-Identifier: MIT
using System;
using System.IO;

namespace VirtioFs.Daemon;

/// <summary>Unix file modes, behind one platform guard so the analyzer (and a Windows caller) gets a clear answer.</summary>
internal static class UnixFile
{
    public static UnixFileMode GetMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("virtiofsd runs on Linux only.");
        }
        return File.GetUnixFileMode(path);
    }

    public static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("virtiofsd runs on Linux only.");
        }
        File.SetUnixFileMode(path, mode);
    }

    public static DirectoryInfo CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("virtiofsd runs on Linux only.");
        }
        return Directory.CreateDirectory(path, mode);
    }

    /// <summary>Writes <paramref name="content"/> to a temp file beside <paramref name="path"/> with <paramref name="mode"/>, then renames it over.</summary>
    public static void WriteAtomic(string path, string content, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("virtiofsd runs on Linux only.");
        }
        var dir = Path.GetDirectoryName(path) ?? ".";
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = mode };
            using (var fs = new FileStream(tmp, options))
            using (var w = new StreamWriter(fs))
            {
                w.Write(content);
                w.Flush();
                fs.Flush(true);
            }
            File.SetUnixFileMode(tmp, mode); // umask may have narrowed or (for 0644) kept it; be exact
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }

    /// <summary>Appends one line, creating the file with <paramref name="mode"/> if needed.</summary>
    public static void AppendLine(string path, string line, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("virtiofsd runs on Linux only.");
        }
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = mode };
        using var fs = new FileStream(path, options);
        using var w = new StreamWriter(fs);
        w.WriteLine(line);
    }
}
