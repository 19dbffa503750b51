// SPDX-License-Identifier: MIT
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.Platform;

/// <summary>
/// The one rule for how long a Unix socket path may be. bind(2) and connect(2) take the path in
/// <c>sockaddr_un.sun_path</c>, 108 bytes on Linux including the terminating NUL, so a longer path
/// makes virtiofsd fail to listen or QEMU fail to connect, at start and with a vague message.
/// </summary>
internal static class UnixSocketPath
{
    /// <summary>sizeof(sockaddr_un.sun_path) - 1 on Linux.</summary>
    public const int MaxBytes = 107;

    public static int ByteCount(string path) => Encoding.UTF8.GetByteCount(path);

    public static bool Fits(string path) => ByteCount(path) <= MaxBytes;

    /// <summary>Throws SocketPathTooLong, saying who could not use the path and what to do.</summary>
    public static void EnsureFits(string path, string consequence, string recommendedAction)
    {
        int bytes = ByteCount(path);
        if (bytes > MaxBytes)
        {
            throw new VirtioFsException(ErrorIds.SocketPathTooLong, VirtioFsErrorKind.InvalidArgument,
                $"The socket path '{path}' is {bytes} bytes; a Unix socket path holds at most {MaxBytes}{consequence}.",
                path, recommendedAction);
        }
    }
}
