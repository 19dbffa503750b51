// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.Guest;

/// <summary>
/// Turns a tag and a mount point into what the guest needs. The fstab options are chosen to work
/// with every mount(8) a guest may have: util-linux strips x-* options before calling mount(2), but
/// busybox passes them to the kernel, and virtiofs (like every kernel file system) refuses an
/// unknown option with EINVAL. So the line carries only <c>nofail</c>, which both know: systemd then
/// makes the mount merely wanted by local-fs.target and not ordered before it, so a late or absent
/// device neither holds up nor fails the boot (a virtiofs tag is not a /dev path, so systemd has no
/// device unit to wait for and x-systemd.device-timeout would do nothing).
/// </summary>
internal static class GuestMountBuilder
{
    public static VirtioFsGuestMount Build(string tag, string? mountPoint, bool readOnly, IEnumerable<string>? extraOptions, char driveLetter)
    {
        MountTag.Validate(tag);
        string mp = mountPoint ?? "/mnt/" + tag;
        ValidateMountPoint(mp);
        mp = mp.Length > 1 ? mp.TrimEnd('/') : mp;
        var options = new List<string>();
        if (readOnly)
        {
            options.Add("ro");
        }
        foreach (string raw in extraOptions ?? Array.Empty<string>())
        {
            foreach (string o in (raw ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (o.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    throw new VirtioFsException(ErrorIds.InvalidMountOption, VirtioFsErrorKind.InvalidArgument,
                        $"The mount option '{o}' contains white space.", o, "Give options like noatime or ro, comma-separated.");
                }
                if (o == "rw" && readOnly)
                {
                    throw new VirtioFsException(ErrorIds.ConflictingMountOptions, VirtioFsErrorKind.InvalidArgument,
                        "-ReadOnly and the option 'rw' contradict each other.", o, "Leave out one of them.");
                }
                if (!options.Contains(o, StringComparer.Ordinal))
                {
                    options.Add(o);
                }
            }
        }
        if (!char.IsAsciiLetter(driveLetter))
        {
            throw new VirtioFsException(ErrorIds.InvalidDriveLetter, VirtioFsErrorKind.InvalidArgument,
                $"'{driveLetter}' is not a drive letter.", driveLetter, "Give a letter such as Z.");
        }
        char letter = char.ToUpperInvariant(driveLetter);
        string optionText = options.Count == 0 ? "defaults" : string.Join(',', options);
        string mount = "mount -t virtiofs " + (options.Count == 0 ? string.Empty : "-o " + ShellQuote(optionText) + " ")
            + ShellQuote(tag) + " " + ShellQuote(mp);
        string fstab = $"{FstabEscape(tag)} {FstabEscape(mp)} virtiofs {(options.Count == 0 ? "defaults" : "defaults," + optionText)},nofail 0 0";
        string unitName = LinuxGuest.UnitName(mp);
        return new VirtioFsGuestMount(tag, mp, readOnly, optionText, mount, fstab, unitName,
            Unit(tag, mp, optionText, unitName), letter, WindowsSteps(tag, letter, readOnly));
    }

    private static void ValidateMountPoint(string mp)
    {
        if (!mp.StartsWith('/') || mp.Any(char.IsControl) || mp.Split('/').Any(p => p == ".."))
        {
            throw new VirtioFsException(ErrorIds.InvalidMountPoint, VirtioFsErrorKind.InvalidArgument,
                $"The mount point '{mp}' is not an absolute path in the guest.", mp, "Give e.g. /mnt/data.");
        }
        if (mp.Trim('/').Length == 0)
        {
            throw new VirtioFsException(ErrorIds.InvalidMountPoint, VirtioFsErrorKind.InvalidArgument,
                "Mounting a share over the guest's root directory would hide its whole system.", mp, "Give e.g. /mnt/data.");
        }
    }

    private static string Unit(string tag, string mp, string options, string unitName)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(LinuxGuest.UnitPath(mp)).Append('\n');
        sb.Append("# Enable with: systemctl daemon-reload && systemctl enable --now ").Append(unitName).Append('\n');
        sb.Append("[Unit]\n");
        sb.Append("Description=virtio-fs share ").Append(tag).Append(" on ").Append(mp).Append('\n');
        sb.Append("Documentation=man:systemd.mount(5)\n");
        sb.Append("# Not part of local-fs.target: a late or missing virtio-fs device must neither hold up nor fail\n");
        sb.Append("# the boot. Ordered like a network share instead: after the local file systems (the mount point's\n");
        sb.Append("# parent) and the virtiofs module, before remote-fs.target, unmounted at shutdown.\n");
        sb.Append("DefaultDependencies=no\n");
        sb.Append("Wants=modprobe@virtiofs.service\n");
        sb.Append("After=modprobe@virtiofs.service local-fs.target\n");
        sb.Append("Before=remote-fs.target umount.target\n");
        sb.Append("Conflicts=umount.target\n");
        sb.Append('\n');
        sb.Append("[Mount]\n");
        sb.Append("What=").Append(tag).Append('\n');
        sb.Append("Where=").Append(mp).Append('\n');
        sb.Append("Type=virtiofs\n");
        sb.Append("Options=").Append(options).Append('\n');
        sb.Append("# A mount that hangs (e.g. the host daemon is gone) gives up instead of blocking shutdown or start.\n");
        sb.Append("TimeoutSec=10s\n");
        sb.Append('\n');
        sb.Append("[Install]\n");
        sb.Append("WantedBy=remote-fs.target\n");
        return sb.ToString();
    }

    private static IReadOnlyList<string> WindowsSteps(string tag, char letter, bool readOnly)
    {
        // The name Mount-VirtioFsShare starts the instance under, so steps done by hand and by the cmdlet meet.
        string instance = WindowsShareMounter.Instance(tag);
        var steps = new List<string>
        {
            "1. Install the virtio-fs driver from the virtio-win ISO (https://github.com/virtio-win/virtio-win-pkg-scripts): run virtio-win-guest-tools.exe, or in Device Manager update the 'Mass Storage Controller' (PCI\\VEN_1AF4&DEV_105A) with the viofs\\<windows version>\\amd64 folder.",
            "2. Install WinFsp (https://winfsp.dev/rel/, winfsp-<version>.msi, with the 'Core' feature); the VirtIO-FS service is a WinFsp file system.",
            $"3. One share: set its drive letter and start the service as Administrator: reg add HKLM\\Software\\VirtIO-FS /v MountPoint /t REG_SZ /d {letter}: /f ; sc.exe config VirtioFsSvc start= auto ; sc.exe start VirtioFsSvc (it mounts the only tag, here '{tag}', as {letter}:).",
            "4. More than one share: the service mounts a single tag, so stop and disable it (sc.exe stop VirtioFsSvc ; sc.exe config VirtioFsSvc start= disabled) and register virtiofs.exe with the WinFsp launcher once: \"C:\\Program Files (x86)\\WinFsp\\bin\\fsreg.bat\" virtiofs \"C:\\Program Files\\Virtio-Win\\VioFS\\virtiofs.exe\" \"-t %1 -m %2\"",
            $"5. Then start one launcher instance per share (name, tag, drive letter): \"C:\\Program Files (x86)\\WinFsp\\bin\\launchctl-x64.exe\" start virtiofs {instance} {tag} {letter}: ; stop it with launchctl-x64.exe stop virtiofs {instance}. Run it at logon or startup (Task Scheduler) to make it permanent.",
        };
        if (readOnly)
        {
            steps.Add("6. The share is read-only on the host side; Windows shows it writable but writes fail with 'access denied'.");
        }
        return steps;
    }

    /// <summary>fstab(5) fields are separated by blanks; blanks and backslashes inside a field are octal escapes.</summary>
    private static string FstabEscape(string value) => value
        .Replace("\\", "\\134", StringComparison.Ordinal)
        .Replace(" ", "\\040", StringComparison.Ordinal)
        .Replace("\t", "\\011", StringComparison.Ordinal);

    /// <summary>POSIX sh single quotes, only when needed, so the common case reads naturally.</summary>
    private static string ShellQuote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c))
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
