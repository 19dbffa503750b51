// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using System.Text;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>
/// Renders a service unit that runs a daemon with the same argv. Restart=always, not on-failure: both
/// virtiofsd implementations exit with status 0 when their guest disconnects (every guest shutdown), and
/// on-failure would then leave the next VM start without a socket. systemd's start rate limit still stops a
/// daemon that cannot start at all. Ordered Before= libvirt's daemons and libvirt-guests, which start the
/// autostart/resumed guests, so the socket exists when QEMU connects.
/// </summary>
internal static class SystemdUnitWriter
{
    public static string UnitName(string daemonName) => $"virtiofsd-{daemonName}.service";

    public static string Render(VirtioFsDaemon d, string? domain)
    {
        var sb = new StringBuilder();
        sb.Append("# Written by VirtioFs (Register-VirtioFsDaemon) with the argv of daemon '").Append(d.Name).Append("'.\n");
        sb.Append("# Enable with: systemctl daemon-reload && systemctl enable --now ").Append(UnitName(d.Name)).Append('\n');
        sb.Append("[Unit]\n");
        sb.Append("Description=virtiofsd '").Append(Specifiers(d.Name)).Append("' sharing ").Append(Specifiers(d.SharedDirectory ?? "?"));
        if (domain is not null)
        {
            sb.Append(" with libvirt domain ").Append(Specifiers(domain));
        }
        sb.Append('\n');
        sb.Append("Documentation=man:virtiofsd(1)\n");
        sb.Append("After=local-fs.target\n");
        sb.Append("Before=libvirtd.service virtqemud.service libvirt-guests.service\n");
        sb.Append('\n');
        sb.Append("[Service]\n");
        sb.Append("Type=simple\n");
        sb.Append("ExecStart=").Append(string.Join(' ', new[] { d.BinaryPath }.Concat(d.Arguments).Select(Quote))).Append('\n');
        sb.Append("Restart=always\n");
        sb.Append("RestartSec=1\n");
        var socketDir = d.SocketPath is null ? null : Path.GetDirectoryName(d.SocketPath);
        if (socketDir is not null && socketDir.StartsWith("/run/", StringComparison.Ordinal))
        {
            // /run is empty after a reboot. Preserve: several units share the directory, and one stopping must
            // not remove the others' sockets.
            sb.Append("RuntimeDirectory=").Append(socketDir["/run/".Length..]).Append('\n');
            sb.Append("RuntimeDirectoryMode=0755\n");
            sb.Append("RuntimeDirectoryPreserve=yes\n");
        }
        sb.Append('\n');
        sb.Append("[Install]\n");
        sb.Append("WantedBy=multi-user.target\n");
        return sb.ToString();
    }

    /// <summary>
    /// One ExecStart word: double-quoted when it holds anything but plain characters, with '\' and '"' escaped,
    /// '%' doubled (specifiers) and '$' doubled (environment expansion), so the daemon sees the exact argv.
    /// </summary>
    internal static string Quote(string arg)
    {
        var escaped = arg.Replace("%", "%%").Replace("$", "$$");
        if (escaped.Length > 0 && escaped.All(c => char.IsAsciiLetterOrDigit(c) || "-_=./,:+@%$".Contains(c)))
        {
            return escaped;
        }
        return "\"" + escaped.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }

    private static string Specifiers(string s) => s.Replace("%", "%%").Replace("\n", " ");

    public static VirtioFsDaemonUnit Write(VirtioFsDaemon d, string directory, string? domain, bool force, bool write)
    {
        if (d.FileDescriptor is not null || d.SocketPath is null)
        {
            throw new VirtioFsException(ErrorIds.DaemonRestartUnsupported, VirtioFsErrorKind.InvalidOperation,
                $"virtiofsd '{d.Name}' gets its socket as --fd from its parent; a unit cannot reproduce that argv.",
                d.Name, "Register a daemon started with a socket path (Start-VirtioFsDaemon).");
        }
        if (!Directory.Exists(directory))
        {
            throw new VirtioFsException(ErrorIds.DaemonUnitDirectoryNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The unit directory '{directory}' does not exist.", directory, "Create it, or pass -Path /etc/systemd/system.");
        }
        var unitName = UnitName(d.Name);
        var path = Path.Combine(directory, unitName);
        if (File.Exists(path) && !force)
        {
            throw new VirtioFsException(ErrorIds.DaemonUnitExists, VirtioFsErrorKind.ResourceExists,
                $"The unit file '{path}' already exists.", path, "Add -Force to replace it.");
        }
        var content = Render(d, domain);
        if (write)
        {
            AtomicFile.Replace(path, Encoding.UTF8.GetBytes(content), newFileMode: AtomicFile.DefaultMode);
        }
        return new VirtioFsDaemonUnit(d.Name, unitName, path, content, write);
    }

}
