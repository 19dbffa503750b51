// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Domain;

/// <summary>
/// What validation may assume about the host the domain runs on: whether host paths can be
/// checked here, and which libvirt version will read the XML (null when unknown, e.g. a file).
/// </summary>
internal sealed class HostContext
{
    public static readonly HostContext OfflineFile = new(checkHostPaths: true, libvirtVersion: null);

    public HostContext(bool checkHostPaths, Version? libvirtVersion)
    {
        CheckHostPaths = checkHostPaths;
        LibvirtVersion = libvirtVersion;
    }

    /// <summary>True when the domain lives on this host, so a source directory must exist here.</summary>
    public bool CheckHostPaths { get; }

    public Version? LibvirtVersion { get; }
}
