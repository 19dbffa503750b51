// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Domain;

namespace VirtioFs.Doctor;

/// <summary>
/// For a running guest: is a virtiofsd still serving each share? A daemon that crashed, was killed or
/// exited leaves the guest running with a dead mount, and QEMU cannot reattach a new daemon to the
/// running device (landscape, problem 20), so the admin has to know.
/// </summary>
internal static class LiveShareCheck
{
    public static void Run(DomainDocument doc, VirtioFsShare share, IReadOnlyList<VirtioFsDaemon> daemons, CheckList list, string target)
    {
        var running = daemons.Where(d => d.State == VirtioFsDaemonState.Running).ToList();
        if (share.SocketPath is { } socket)
        {
            var own = running.FirstOrDefault(d => d.SocketPath == socket);
            if (own is null)
            {
                list.Fail("LiveDaemon", $"The guest runs, but no virtiofsd serves {socket} any more: I/O on the share fails or hangs in the guest.",
                    "Shut the guest down, Restart-VirtioFsDaemon (or Start-VirtioFsDaemon) on that socket, then start the guest; QEMU cannot reattach a daemon to a running device.",
                    socket, target);
            }
            else
            {
                Report(own, list, target);
            }
            return;
        }
        var libvirts = running.FirstOrDefault(d => d.ManagedBy == VirtioFsDaemonManager.Libvirt && d.Domain == doc.Name && d.SharedDirectory == share.Source);
        if (libvirts is null)
        {
            list.Fail("LiveDaemon", $"The guest runs, but the virtiofsd libvirt started for {share.Source} is gone: I/O on the share fails or hangs in the guest.",
                $"Shut the guest down and start it again (libvirt starts a new virtiofsd); /var/log/libvirt/qemu/{doc.Name}-fs*-virtiofsd.log says why the old one ended.",
                share.Source, target);
            return;
        }
        Report(libvirts, list, target);
    }

    private static void Report(VirtioFsDaemon d, CheckList list, string target)
    {
        string evidence = $"{d.Name}, pid {d.ProcessId}, connected {d.GuestConnected?.ToString() ?? "unknown"}, open files {d.OpenFiles?.ToString() ?? "?"}/{d.OpenFilesLimit?.ToString() ?? "?"}";
        if (d.GuestConnected == false)
        {
            list.Warn("LiveDaemon", $"virtiofsd '{d.Name}' runs but QEMU is not connected to it: the guest's device lost its daemon.",
                "Shut the guest down and start it again once the daemon runs; Get-VirtioFsDaemon shows its state.", evidence, target);
            return;
        }
        list.Pass("LiveDaemon", $"virtiofsd '{d.Name}' (pid {d.ProcessId}) serves the running guest.", evidence, target);
    }
}
