// SPDX-License-Identifier: MIT
using System;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace VirtioFs.Platform;

/// <summary>The process that listens on a Unix socket, as the kernel reports it (SO_PEERCRED).</summary>
internal sealed record UnixSocketPeer(int ProcessId, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>
    /// Connects to the socket and asks the kernel who listens on it: struct ucred of the process that called
    /// listen(), with its pid translated into our PID namespace. The connection is closed before a byte is sent,
    /// which daemons (libvirtd included) treat as a client that went away. Null when nothing listens or the
    /// socket cannot be reached.
    /// </summary>
    public static UnixSocketPeer? Of(string socketPath)
    {
        if (!UnixSocketPath.Fits(socketPath))
        {
            return null;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            Span<byte> cred = stackalloc byte[12];
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, cred) != 12)
            {
                return null;
            }
            int pid = BinaryPrimitives.ReadInt32LittleEndian(cred);
            return pid <= 0 ? null : new UnixSocketPeer(pid, BinaryPrimitives.ReadUInt32LittleEndian(cred[4..]), BinaryPrimitives.ReadUInt32LittleEndian(cred[8..]));
        }
        catch (Exception e) when (e is SocketException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            return null;
        }
    }
}
