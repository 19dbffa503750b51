// SPDX-License-Identifier: MIT
using System;
using System.Runtime.InteropServices;

namespace VirtioFs.Libvirt;

/// <summary>
/// libvirt-qemu.so.0, the QEMU-specific part of libvirt's C API (the same Debian package, libvirt0, as
/// libvirt.so.0). Only virDomainQemuAgentCommand is used: it passes one JSON command to the QEMU guest
/// agent of a domain and works alike for local and remote URIs, so the module never needs a login or a
/// socket of its own into the guest.
/// </summary>
internal static partial class LibvirtQemuNative
{
    private const string Lib = "libvirt-qemu.so.0";

    /// <summary>
    /// char *virDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout, unsigned int flags):
    /// the agent's reply (JSON) that the caller frees, or NULL with virGetLastError set. timeout is seconds,
    /// or -2 (block), -1 (default, 5 s); never 0 (NOWAIT), which fails even against a healthy agent.
    /// </summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainQemuAgentCommand(IntPtr domain, string cmd, int timeout, uint flags);
}
