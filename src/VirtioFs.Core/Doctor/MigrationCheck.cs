// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioFs.Doctor;

/// <summary>One share of a domain as migration sees it: behind a socket you run, or a daemon libvirt starts.</summary>
internal sealed record MigrationShare(string Tag, bool Socket, VirtioFsDaemonBinary? Daemon);

/// <summary>
/// The prediction: whether libvirt lets the running guest be saved (virsh save, managedsave, snapshots with memory) or
/// migrated, and the error it gives when it does not. <see cref="Allowed"/> is null when a fact is missing.
/// </summary>
internal sealed record MigrationVerdict(bool? Allowed, string Message, string? LibvirtError, string Evidence);

/// <summary>
/// Whether libvirt will save or migrate a guest with virtio-fs shares, from the versions of libvirt and QEMU and the
/// features of each share's virtiofsd. The rules, each checked against a real stack:
/// <list type="bullet">
/// <item>QEMU before 8.2 has no vhost-user-fs migration: its device blocks migration, and libvirt 8.5+ asks QEMU for
/// blockers first. Measured on libvirt 9.0 + QEMU 7.2: "cannot migrate domain: non-migratable device:
/// 0000:00:01.1:00.0/vhost-user-fs" (0.1 s; the guest runs on with its share).</item>
/// <item>A libvirt that predates virtio-fs migration refuses any virtiofs device ("migration with virtiofs device is not
/// supported", libvirt 9.0's qemu driver). libvirt's NEWS never announced the change; 10.6 is the first release this
/// check assumes allows it (11.3 does, measured).</item>
/// <item>A newer libvirt allows it when the virtiofsd it starts declares migrate-precopy (--print-capabilities, the
/// vhost-user descriptor; the Rust virtiofsd from 1.11). Measured on libvirt 11.3 + QEMU 10.0: with virtiofsd 1.13.2
/// save took 1.2 s and restore 1.6 s, and the guest read and wrote the share afterwards; with a binary whose
/// capabilities lack migrate-precopy, save failed with "Operation not supported: migration with this virtiofs device is
/// not supported".</item>
/// <item>A share behind a socket you run is not checked by libvirt: the daemon behind it must migrate (Rust 1.11+).</item>
/// </list>
/// </summary>
internal static class MigrationCheck
{
    public static readonly Version QemuSince = new(8, 2, 0);

    /// <summary>The first libvirt assumed to allow it (not in NEWS; 9.0 refuses and 11.3 allows, both measured).</summary>
    public static readonly Version LibvirtSince = new(10, 6, 0);

    /// <summary>libvirt asks QEMU for migration blockers from 8.5 (QEMU_CAPS_MIGRATION_BLOCKED_REASONS).</summary>
    public static readonly Version LibvirtAsksQemu = new(8, 5, 0);

    public static readonly Version VirtiofsdSince = new(1, 11, 0);

    public const string Feature = "migrate-precopy";

    public static MigrationVerdict Predict(Version? libvirt, Version? qemu, IReadOnlyList<MigrationShare> shares)
    {
        string evidence = $"libvirt {libvirt?.ToString() ?? "unknown"}, QEMU {qemu?.ToString() ?? "unknown"}; " + string.Join("; ", shares.Select(Describe));
        if (libvirt is null)
        {
            return new(null, "The libvirt version is unknown, so whether the running guest can be saved or migrated is too.", null, evidence);
        }
        if (qemu is { } q && q < QemuSince)
        {
            string error = libvirt >= LibvirtAsksQemu
                ? "cannot migrate domain: non-migratable device: <pci address>/vhost-user-fs"
                : "migration with virtiofs device is not supported";
            return new(false, $"QEMU {q} cannot migrate a vhost-user-fs device (QEMU {QemuSince.ToString(2)} can): libvirt refuses to save, snapshot with memory or migrate the running guest (\"{error}\"); the guest runs on.", error, evidence);
        }
        if (libvirt < LibvirtSince)
        {
            const string error = "migration with virtiofs device is not supported";
            return new(false, $"libvirt {libvirt} refuses to save, snapshot with memory or migrate any running guest with a virtio-fs share (\"{error}\"); libvirt {LibvirtSince.ToString(2)}+ with QEMU {QemuSince.ToString(2)}+ and a virtiofsd with {Feature} allows it.", error, evidence);
        }
        if (qemu is null)
        {
            return new(null, $"libvirt {libvirt} can migrate virtio-fs, but QEMU's version is unknown (it needs {QemuSince.ToString(2)}+).", null, evidence);
        }
        var lacking = shares.Where(s => !s.Socket && s.Daemon is { } d && !d.Features.Contains(Feature)).ToList();
        if (lacking.Count > 0)
        {
            const string error = "migration with this virtiofs device is not supported";
            return new(false, $"The virtiofsd libvirt starts for share(s) {string.Join(", ", lacking.Select(s => $"'{s.Tag}' ({s.Daemon!.Path})"))} does not declare {Feature}: libvirt {libvirt} refuses to save or migrate the running guest (\"{error}\").", error, evidence);
        }
        var unknown = shares.Where(s => !s.Socket && s.Daemon is null).ToList();
        if (unknown.Count > 0)
        {
            return new(null, $"libvirt {libvirt} and QEMU {qemu} can migrate virtio-fs, but the virtiofsd of share(s) {string.Join(", ", unknown.Select(s => $"'{s.Tag}'"))} is unknown from here; it must declare {Feature}.", null, evidence);
        }
        var sockets = shares.Where(s => s.Socket && (s.Daemon is null || s.Daemon.Dialect != VirtioFsDaemonDialect.Rust || s.Daemon.Version is not { } v || v < VirtiofsdSince)).ToList();
        if (sockets.Count > 0)
        {
            return new(null, $"libvirt {libvirt} allows saving and migrating this guest, but does not check the daemon behind the socket of share(s) {string.Join(", ", sockets.Select(s => $"'{s.Tag}'"))}: a daemon without migration support (the C virtiofsd, Rust before {VirtiofsdSince.ToString(2)}) makes QEMU fail the save or migration.", null, evidence);
        }
        return new(true, $"libvirt {libvirt} with QEMU {qemu} saves and migrates this guest: every share's virtiofsd declares {Feature}. The guest keeps using its shares afterwards; a migration target must export the same directories with the same contents.", null, evidence);
    }

    private static string Describe(MigrationShare s) =>
        $"'{s.Tag}': " + (s.Socket ? "socket" : "libvirt runs") +
        (s.Daemon is { } d ? $" {d.Path} ({d.Dialect} {d.Version?.ToString() ?? "?"}, features [{string.Join(", ", d.Features)}])" : " (daemon unknown)");
}
