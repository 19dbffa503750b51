// SPDX-License-Identifier: MIT
using System.IO;
using System.Runtime.InteropServices;

namespace VirtioFs.Platform;

/// <summary>Where a path really leads: every symlink and <c>..</c> resolved, as the kernel would open it.</summary>
internal static class PathResolver
{
    /// <summary>
    /// realpath(3) of the path; for a path that does not exist (yet), realpath of its nearest existing
    /// parent with the rest appended, normalized. Null when nothing of it can be resolved.
    /// </summary>
    public static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        if (Real(full) is { } real)
        {
            return real;
        }
        string? parent = Path.GetDirectoryName(full);
        string rest = Path.GetFileName(full);
        while (parent is not null)
        {
            if (Real(parent) is { } realParent)
            {
                return Path.GetFullPath(Path.Combine(realParent, rest));
            }
            rest = Path.Combine(Path.GetFileName(parent), rest);
            parent = Path.GetDirectoryName(parent);
        }
        return full;
    }

    private static string? Real(string path)
    {
        nint p = LibC.RealPath(path, 0);
        if (p == 0)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            LibC.Free(p);
        }
    }
}
