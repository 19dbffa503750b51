// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VirtioFs.Doctor;

/// <summary>
/// The virtiofsd processes on the host, watched the way an admin would: a daemon we started that has
/// exited leaves its guest's next start (or a hot-plug) without a share, and one close to its open-file
/// limit is about to fail guest I/O with EMFILE. No tool warns about either (landscape, problem 20).
/// </summary>
internal static class DaemonHealthCheck
{
    /// <summary>Share of the open-file limit from which a daemon is reported.</summary>
    public const double FileLimitWarning = 0.9;

    public static void Run(IReadOnlyList<VirtioFsDaemon> daemons, CheckList list)
    {
        if (daemons.Count == 0)
        {
            list.Skip("Daemons", "No virtiofsd runs or is recorded by Start-VirtioFsDaemon.");
            return;
        }
        int problems = 0;
        foreach (var d in daemons)
        {
            string evidence = string.Create(CultureInfo.InvariantCulture,
                $"pid {d.ProcessId}, {d.State}, managed by {d.ManagedBy}, socket {d.SocketPath ?? "(unknown)"}, open files {d.OpenFiles?.ToString(CultureInfo.InvariantCulture) ?? "?"}/{d.OpenFilesLimit?.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            if (d.State == VirtioFsDaemonState.Exited)
            {
                problems++;
                list.Warn("Daemons", $"virtiofsd '{d.Name}' has exited (the daemon ends when its guest disconnects, or it failed: see {d.LogPath ?? "its log"}); a guest started now finds nothing on {d.SocketPath}.",
                    $"Restart-VirtioFsDaemon -Name '{d.Name}' before starting the guest (Register-VirtioFsDaemon writes a unit that restarts it), or Stop-VirtioFsDaemon -Name '{d.Name}' to forget it.",
                    evidence, d.Name);
            }
            else if (d.OpenFiles is int open && d.OpenFilesLimit is long limit && limit > 0 && open >= limit * FileLimitWarning)
            {
                problems++;
                string fix = d.ManagedBy == VirtioFsDaemonManager.VirtioFs
                    ? $"Stop-VirtioFsDaemon -Name '{d.Name}', then start it again with a higher -RlimitNofile (e.g. {limit * 4}) while its guest is shut down."
                    : "Raise the daemon's limit (Start-VirtioFsDaemon -RlimitNofile for a daemon you run, LimitNOFILE= for libvirtd or the unit that starts it), or use -Cache Never so the guest keeps fewer files open.";
                list.Warn("Daemons", $"virtiofsd '{d.Name}' holds {open} of its {limit} open files: at the limit guest I/O fails with EMFILE (\"Too many open files\").",
                    fix, evidence, d.Name);
            }
        }
        if (problems == 0)
        {
            var running = daemons.Where(d => d.State == VirtioFsDaemonState.Running).ToList();
            int connected = running.Count(d => d.GuestConnected == true);
            list.Pass("Daemons", $"{running.Count} virtiofsd running ({connected} with a guest connected), none exited or near its open-file limit.",
                string.Join("; ", running.Select(d => $"{d.Name}: {d.OpenFiles?.ToString(CultureInfo.InvariantCulture) ?? "?"}/{d.OpenFilesLimit?.ToString(CultureInfo.InvariantCulture) ?? "?"} files")));
        }
    }
}
