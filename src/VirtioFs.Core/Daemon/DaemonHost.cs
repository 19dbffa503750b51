// SPDX-License-Identifier: MIT
using System;
using System.IO;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>
/// Where the daemon core looks for things. Everything under <see cref="Root"/> (descriptors, /proc, /etc,
/// libvirt's run and log directories) can be pointed at a fake tree in tests; the defaults are the real host.
/// </summary>
internal sealed class DaemonHost
{
    /// <summary>Host root for /usr, /etc, /proc, /run and /var lookups; the real host outside tests.</summary>
    public HostRoot Root { get; init; } = HostRoot.Real;

    /// <summary>$XDG_CONFIG_HOME (or ~/.config); its qemu/vhost-user descriptors override the system ones.</summary>
    public string? XdgConfigHome { get; init; } = DefaultXdgConfigHome();

    /// <summary>$PATH, searched last for 'virtiofsd'.</summary>
    public string? SearchPath { get; init; } = Environment.GetEnvironmentVariable("PATH");

    /// <summary>Where our state files, logs and generated sockets live.</summary>
    public string RuntimeDirectory { get; init; } = DefaultRuntimeDirectory();

    public static DaemonHost Default => new();

    /// <summary>$VIRTIOFS_RUNTIME_DIR, else /run/virtiofs for root, else $XDG_RUNTIME_DIR/virtiofs (or /tmp/virtiofs-UID).</summary>
    public static string DefaultRuntimeDirectory()
    {
        var env = Environment.GetEnvironmentVariable("VIRTIOFS_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        var uid = LibC.GetUid();
        if (uid == 0)
        {
            return "/run/virtiofs";
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        return string.IsNullOrEmpty(xdg) ? $"/tmp/virtiofs-{uid}" : Path.Combine(xdg, "virtiofs");
    }

    private static string? DefaultXdgConfigHome()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg))
        {
            return xdg;
        }
        var home = Environment.GetEnvironmentVariable("HOME");
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".config");
    }
}
