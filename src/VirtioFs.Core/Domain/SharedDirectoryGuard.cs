// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>
/// Keeps a share from opening the host to its guest. virtiofsd runs as root and, unless told otherwise,
/// lets the guest's root act as root in the shared tree: sharing / or /etc lets the guest read
/// /etc/shadow, sharing /var/lib/libvirt lets it rewrite other guests' disks and definitions. The rule
/// is checked where a directory is about to be shared (New-/Set-VirtioFsShare -Source, Start-VirtioFsDaemon
/// -SharedDirectory; -Force overrides) and by the doctor for shares that already exist.
/// </summary>
internal static class SharedDirectoryGuard
{
    /// <summary>The host's system directories: never shared, nor any directory that contains one.</summary>
    public static readonly IReadOnlyList<string> SystemDirectories =
        ["/", "/etc", "/boot", "/root", "/usr", "/var/lib/libvirt", "/proc", "/sys", "/dev", "/run"];

    /// <summary>Trees nothing inside of is shared: kernel interfaces, host secrets, libvirt's state.</summary>
    private static readonly string[] s_closedTrees = ["/proc", "/sys", "/dev", "/run", "/etc", "/boot", "/root", "/var/lib/libvirt"];

    /// <summary>libvirt's state (definitions, disks, sockets, logs) and the module's own (daemon state, locks).</summary>
    public static IReadOnlyList<string> StateDirectories() =>
    [
        "/var/lib/libvirt", "/etc/libvirt", "/run/libvirt", "/var/run/libvirt", "/var/log/libvirt", "/var/cache/libvirt",
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(Daemon.DaemonHost.DefaultRuntimeDirectory())),
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(NamedLock.Directory())),
    ];

    /// <summary>
    /// Why sharing <paramref name="directory"/> would open the host, or null when it would not. The path
    /// is resolved first (symlinks and '..', when it exists here), so /srv/../etc or a link to / is caught.
    /// </summary>
    public static string? Problem(string directory, bool resolveOnThisHost) =>
        ProblemOf(directory, resolveOnThisHost ? PathResolver.Resolve(directory) : Path.GetFullPath(directory));

    /// <summary>Like <see cref="Problem"/> for a path resolved elsewhere (on another host, through ssh).</summary>
    public static string? ProblemOf(string directory, string resolved)
    {
        string path = resolved.Length > 1 ? Path.TrimEndingDirectorySeparator(resolved) : resolved;
        string shown = path == directory ? path : $"{directory} (that is {path})";
        if (SystemDirectories.Contains(path, StringComparer.Ordinal))
        {
            return $"{shown} is a system directory of the host";
        }
        if (s_closedTrees.FirstOrDefault(t => IsInside(path, t)) is { } tree)
        {
            return $"{shown} is inside {tree}, which holds the host's own files";
        }
        var state = StateDirectories();
        if (state.FirstOrDefault(s => path == s || IsInside(path, s)) is { } own)
        {
            return $"{shown} is inside {own}, where libvirt or VirtioFs keep their state";
        }
        if (SystemDirectories.Concat(state).FirstOrDefault(s => IsInside(s, path)) is { } contained)
        {
            return $"{shown} contains {contained}";
        }
        return null;
    }

    /// <summary>Throws UnsafeSharedDirectory, saying what the guest's root could reach, unless <paramref name="force"/>.</summary>
    public static void Ensure(string directory, bool resolveOnThisHost, bool force, string parameter) =>
        Refuse(directory, force ? null : Problem(directory, resolveOnThisHost), parameter);

    /// <summary>Like <see cref="Ensure"/> for a path resolved on another host.</summary>
    public static void EnsureResolved(string directory, string resolved, bool force, string parameter) =>
        Refuse(directory, force ? null : ProblemOf(directory, resolved), parameter);

    private static void Refuse(string directory, string? problem, string parameter)
    {
        if (problem is null)
        {
            return;
        }
        throw new VirtioFsException(ErrorIds.UnsafeSharedDirectory, VirtioFsErrorKind.SecurityError,
            $"Refused to share {problem}: virtiofsd runs as root, so the guest's root could read or change it (/etc/shadow, other guests' disks). Nothing was changed.",
            directory, $"Share a directory of its own, e.g. /srv/<name>; if you really mean it, add -Force to {parameter}. See Get-Help about_VirtioFs_Security.");
    }

    private static bool IsInside(string path, string tree) =>
        tree == "/" ? path != "/" : path.StartsWith(tree + "/", StringComparison.Ordinal);
}
