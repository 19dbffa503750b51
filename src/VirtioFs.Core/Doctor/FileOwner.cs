// SPDX-License-Identifier: MIT
using System;
using System.Runtime.InteropServices;

namespace VirtioFs.Doctor;

/// <summary>Owner, group and mode of a file (stat(2)); .NET exposes the mode but not the owner.</summary>
internal readonly record struct FileOwner(uint Uid, uint Gid, uint Mode)
{
    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern unsafe int NativeStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* buf);

    /// <summary>Null when the path does not exist or cannot be stat'ed.</summary>
    public static unsafe FileOwner? Of(string path)
    {
        // struct stat: x86_64 has 8-byte st_nlink before st_mode; aarch64 (generic layout) has 4-byte st_mode first.
        byte* buf = stackalloc byte[256];
        if (NativeStat(path, buf) != 0)
        {
            return null;
        }
        return RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => new FileOwner(*(uint*)(buf + 28), *(uint*)(buf + 32), *(uint*)(buf + 24)),
            Architecture.Arm64 => new FileOwner(*(uint*)(buf + 24), *(uint*)(buf + 28), *(uint*)(buf + 16)),
            _ => null,
        };
    }
}
