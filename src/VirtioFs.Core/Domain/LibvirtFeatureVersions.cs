// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs.Domain;

/// <summary>
/// The libvirt release that introduced each virtio-fs option (libvirt NEWS and formatdomain;
/// openfiles is dated from the Go XML binding, 2024-08, i.e. libvirt 10.7). Used to refuse an
/// option the connected libvirt would reject or, worse, silently drop.
/// </summary>
internal static class LibvirtFeatureVersions
{
    public static readonly IReadOnlyDictionary<string, Version> Since = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase)
    {
        ["virtiofs"] = new Version(6, 2, 0),
        ["BootOrder"] = new Version(7, 1, 0),
        ["Sandbox"] = new Version(7, 2, 0),
        ["SocketPath"] = new Version(7, 3, 0),
        ["ThreadPoolSize"] = new Version(8, 5, 0),
        ["UidMap"] = new Version(10, 0, 0),
        ["GidMap"] = new Version(10, 0, 0),
        ["OpenFilesMax"] = new Version(10, 7, 0),
        ["ReadOnly"] = new Version(11, 0, 0),
    };
}
