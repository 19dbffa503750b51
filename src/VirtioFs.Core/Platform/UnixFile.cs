// SPDX-License-Identifier: MIT
using System;
using System.IO;

namespace VirtioFs.Platform;

/// <summary>Unix file modes, behind one platform guard so the analyzer (and a Windows caller) gets a clear answer.</summary>
internal static class UnixFile
{
    public static UnixFileMode GetMode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("VirtioFs runs on Linux only.");
        }
        return File.GetUnixFileMode(path);
    }

    public static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("VirtioFs runs on Linux only.");
        }
        File.SetUnixFileMode(path, mode);
    }

    public static DirectoryInfo CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("VirtioFs runs on Linux only.");
        }
        return Directory.CreateDirectory(path, mode);
    }

    /// <summary>Appends one line, creating the file with <paramref name="mode"/> if needed.</summary>
    public static void AppendLine(string path, string line, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("VirtioFs runs on Linux only.");
        }
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = mode };
        using var fs = new FileStream(path, options);
        using var w = new StreamWriter(fs);
        w.WriteLine(line);
    }
}
