// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>
/// How a guest mounts one virtio-fs share: a one-off mount command, an /etc/fstab line, a systemd
/// mount unit and the steps for a Windows guest. Everything is text to paste into the guest.
/// </summary>
public sealed class VirtioFsGuestMount
{
    internal VirtioFsGuestMount(string tag, string mountPoint, bool readOnly, string options, string mountCommand,
        string fstabLine, string systemdUnitName, string systemdUnit, char driveLetter, IReadOnlyList<string> windowsSteps)
    {
        Tag = tag;
        MountPoint = mountPoint;
        ReadOnly = readOnly;
        Options = options;
        MountCommand = mountCommand;
        FstabLine = fstabLine;
        SystemdUnitName = systemdUnitName;
        SystemdUnit = systemdUnit;
        DriveLetter = driveLetter;
        WindowsSteps = windowsSteps;
    }

    /// <summary>The mount tag, the "device" the guest names.</summary>
    public string Tag { get; }

    /// <summary>Where a Linux guest mounts it.</summary>
    public string MountPoint { get; }

    public bool ReadOnly { get; }

    /// <summary>The mount options used in the fstab line and the unit (comma-separated).</summary>
    public string Options { get; }

    /// <summary><c>mount -t virtiofs &lt;tag&gt; &lt;mount point&gt;</c>, for a one-off mount as root.</summary>
    public string MountCommand { get; }

    /// <summary>An /etc/fstab line that never holds up or fails the boot when the device is late or absent.</summary>
    public string FstabLine { get; }

    /// <summary>The unit's file name, the mount point escaped as systemd-escape --path does, e.g. mnt-my\x2ddata.mount.</summary>
    public string SystemdUnitName { get; }

    /// <summary>The text of /etc/systemd/system/<see cref="SystemdUnitName"/>.</summary>
    public string SystemdUnit { get; }

    /// <summary>The Windows drive letter the steps use.</summary>
    public char DriveLetter { get; }

    /// <summary>What to do in a Windows guest, in order (driver, WinFsp, the service or the WinFsp launcher).</summary>
    public IReadOnlyList<string> WindowsSteps { get; }

    public override string ToString() => FstabLine;
}
