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

    /// <summary>
    /// A regular file's bytes, read with open, fstat, read and close; null when that fails in any way (the caller
    /// then takes the .NET way, whose exceptions it knows). File.ReadAllBytes also takes and drops an advisory
    /// lock and stats twice: seven system calls where four do, and a system call costs microseconds on a
    /// virtual machine; an edit reads its file twice.
    /// </summary>
    public static unsafe byte[]? TryReadAllBytes(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null;
        }
        try
        {
            if (FileStatus.OfDescriptor(fd) is not { IsRegularFile: true } st || st.Size > Array.MaxLength)
            {
                return null;
            }
            var buffer = new byte[st.Size];
            int done = 0;
            fixed (byte* p = buffer)
            {
                while (done < buffer.Length)
                {
                    nint n = LibC.Read(fd, p + done, buffer.Length - done);
                    if (n < 0 && LibC.Errno == LibC.EINTR)
                    {
                        continue;
                    }
                    if (n <= 0)
                    {
                        return null; // an error, or the file shrank under us: let File.ReadAllBytes say what happened
                    }
                    done += (int)n;
                }
            }
            return buffer;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>The bytes of a file: <see cref="TryReadAllBytes"/>, else File.ReadAllBytes (and its exception).</summary>
    public static byte[] ReadAllBytes(string path) => TryReadAllBytes(path) ?? File.ReadAllBytes(path);

    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist), writes <paramref name="content"/>, gives it
    /// <paramref name="mode"/> and <paramref name="owner"/> (an EPERM from chown is accepted when not root: a user
    /// editing a file they may write but do not own cannot give it back), and fsyncs it, mode and owner included.
    /// Six system calls, where a FileStream and path-based chmod and chown take eleven. False when anything
    /// failed; whatever it created is removed again.
    /// </summary>
    public static unsafe bool TryWriteNew(string path, byte[] content, UnixFileMode mode, (uint Uid, uint Gid)? owner)
    {
        int fd = LibC.Open(path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, (int)mode);
        if (fd < 0)
        {
            return false;
        }
        bool ok = false;
        try
        {
            fixed (byte* p = content)
            {
                int done = 0;
                while (done < content.Length)
                {
                    nint n = LibC.Write(fd, p + done, content.Length - done);
                    if (n < 0 && LibC.Errno == LibC.EINTR)
                    {
                        continue;
                    }
                    if (n <= 0)
                    {
                        return false;
                    }
                    done += (int)n;
                }
            }
            // The umask may have masked bits off at creation.
            if (LibC.FChmod(fd, (uint)mode) != 0)
            {
                return false;
            }
            if (owner is { } o && LibC.FChown(fd, o.Uid, o.Gid) != 0 && (LibC.Errno != LibC.EPERM || LibC.GetUid() == 0))
            {
                return false;
            }
            ok = LibC.Fsync(fd) == 0;
            return ok;
        }
        finally
        {
            LibC.Close(fd);
            if (!ok)
            {
                File.Delete(path);
            }
        }
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
