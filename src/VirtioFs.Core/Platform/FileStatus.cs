// SPDX-License-Identifier: MIT
using System.Runtime.InteropServices;

namespace VirtioFs.Platform;

/// <summary>
/// What stat(2) says of a file: owner, group, mode bits (type included), device and inode. .NET exposes
/// the permission bits but not the owner, and the lock and the doctor need owner and identity. The one
/// decoder of <c>struct stat</c> in the module.
/// </summary>
internal readonly record struct FileStatus(uint Uid, uint Gid, uint Mode, ulong Device, ulong Inode)
{
    private const uint TypeMask = 0xF000;

    public bool IsSocket => (Mode & TypeMask) == 0xC000;

    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    public bool IsCharacterDevice => (Mode & TypeMask) == 0x2000;

    /// <summary>st_size: the length of a regular file in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The permission bits (rwx for user, group, other, plus setuid/setgid/sticky).</summary>
    public uint Permissions => Mode & 0xFFF;

    /// <summary>stat(2), following symlinks; null when the path does not exist or cannot be stat'ed.</summary>
    public static unsafe FileStatus? Of(string path)
    {
        byte* buf = stackalloc byte[256];
        return LibC.Stat(path, buf) == 0 ? Decode(buf) : null;
    }

    /// <summary>lstat(2): the link itself, not what it points to.</summary>
    public static unsafe FileStatus? OfLink(string path)
    {
        byte* buf = stackalloc byte[256];
        return LibC.LStat(path, buf) == 0 ? Decode(buf) : null;
    }

    /// <summary>fstat(2) of an open descriptor.</summary>
    public static unsafe FileStatus? OfDescriptor(int fd)
    {
        byte* buf = stackalloc byte[256];
        return LibC.FStat(fd, buf) == 0 ? Decode(buf) : null;
    }

    // struct stat: x86_64 has dev, ino, nlink (8 bytes each), then mode, uid, gid (4 each); aarch64
    // (the generic layout) has dev, ino (8 each), then mode, nlink, uid, gid (4 each). Both have st_size at 48.
    private static unsafe FileStatus? Decode(byte* buf) => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => new FileStatus(*(uint*)(buf + 28), *(uint*)(buf + 32), *(uint*)(buf + 24), *(ulong*)buf, *(ulong*)(buf + 8)) { Size = *(long*)(buf + 48) },
        Architecture.Arm64 => new FileStatus(*(uint*)(buf + 24), *(uint*)(buf + 28), *(uint*)(buf + 16), *(ulong*)buf, *(ulong*)(buf + 8)) { Size = *(long*)(buf + 48) },
        _ => null,
    };
}
