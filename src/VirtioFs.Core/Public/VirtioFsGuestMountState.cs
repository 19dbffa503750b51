// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>
/// A virtio-fs share as a running guest has it, read through the QEMU guest agent: mounted where and how,
/// persistent or not. Mount-VirtioFsShare returns one per share it mounted, Get-VirtioFsGuestMount -Live one
/// per virtio-fs mount and per share of the domain that is not mounted. Domain, ConnectionUri, Tag and
/// MountPoint bind by name to Dismount-VirtioFsShare.
/// </summary>
public sealed class VirtioFsGuestMountState
{
    internal VirtioFsGuestMountState()
    {
    }

    /// <summary>The domain's name.</summary>
    public string Domain { get; internal set; } = string.Empty;

    /// <summary>The libvirt connection the guest was reached through.</summary>
    public string? ConnectionUri { get; internal set; }

    /// <summary>The mount tag.</summary>
    public string Tag { get; internal set; } = string.Empty;

    /// <summary>Where the guest has it mounted; for a share that is not mounted, where its fstab line or unit would mount it (else null). A drive such as Z: on Windows.</summary>
    public string? MountPoint { get; internal set; }

    /// <summary>The mount options the guest's kernel reports (/proc/self/mounts), e.g. rw,relatime.</summary>
    public string? Options { get; internal set; }

    /// <summary>Mounted read-only.</summary>
    public bool ReadOnly { get; internal set; }

    /// <summary>Mounted now.</summary>
    public bool Mounted { get; internal set; }

    /// <summary>Mounted again at every boot: an /etc/fstab line, a systemd .mount unit, or on Windows an automatic service or a startup task.</summary>
    public bool Persistent { get; internal set; }

    /// <summary>What makes it persistent: /etc/fstab, the unit's path, or the Windows service or task.</summary>
    public string? PersistedIn { get; internal set; }

    /// <summary>The tag is a virtio-fs share of the running domain (false for a mount or fstab line whose share was removed).</summary>
    public bool InDomain { get; internal set; }

    /// <summary>The guest's system as its agent reports it, e.g. Debian GNU/Linux 12 (bookworm).</summary>
    public string? GuestOs { get; internal set; }

    /// <summary>The guest's kernel release, e.g. 6.1.0-57-amd64 (the build number on Windows).</summary>
    public string? GuestKernel { get; internal set; }

    /// <summary>What this run changed in the guest, one line per command or file; empty when it was already so.</summary>
    public IReadOnlyList<string> Changes { get; internal set; } = Array.Empty<string>();

    public override string ToString() => $"{Domain}:{Tag} {(Mounted ? "on " + MountPoint : "not mounted")}";
}
