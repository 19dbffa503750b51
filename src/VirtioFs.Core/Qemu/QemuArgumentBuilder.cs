// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Qemu;

/// <summary>
/// The QEMU arguments virtio-fs needs and nothing else: shared guest RAM once, then a vhost-user
/// chardev and a vhost-user-fs-pci device per share. The shape follows what libvirt 9 generates for the same
/// configuration (ids pc.ram / ram-nodeN / chr-vu-fs0 / fs0, size in bytes, prealloc for hugepages),
/// written in QEMU's key=value syntax so people can read and edit it.
/// </summary>
internal static class QemuArgumentBuilder
{
    public const string DefaultHugePagePath = "/dev/hugepages";
    public const string DefaultFilePath = "/dev/shm";

    /// <summary>QEMU ids: a letter, then letters, digits, '-', '.', '_' (id_wellformed()).</summary>
    private static readonly Regex s_id = new("^[A-Za-z][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant);

    public static string[] Build(QemuArgumentRequest r)
    {
        Validate(r);
        string p = r.IdPrefix.Length == 0 ? string.Empty : r.IdPrefix + "-";
        var args = new List<string>();
        if (r.NumaNodes == 0)
        {
            string id = p + "pc.ram";
            args.Add("-object");
            args.Add(Backend(r, id, r.MemoryBytes));
            args.Add("-machine");
            args.Add("memory-backend=" + id);
        }
        else
        {
            ulong perNode = r.MemoryBytes / (ulong)r.NumaNodes;
            for (int n = 0; n < r.NumaNodes; n++)
            {
                string id = p + "ram-node" + n.ToString(CultureInfo.InvariantCulture);
                args.Add("-object");
                args.Add(Backend(r, id, perNode));
                args.Add("-numa");
                args.Add(string.Create(CultureInfo.InvariantCulture, $"node,nodeid={n},memdev={id}"));
            }
        }
        // libvirt numbers its filesystem aliases fs0, fs1, ... in device order; so do we.
        for (int i = 0; i < r.Devices.Count; i++)
        {
            var d = r.Devices[i];
            string fs = p + "fs" + i.ToString(CultureInfo.InvariantCulture);
            string chardev = p + "chr-vu-" + "fs" + i.ToString(CultureInfo.InvariantCulture);
            args.Add("-chardev");
            args.Add($"socket,id={chardev},path={Escape(d.SocketPath)}");
            var device = new StringBuilder("vhost-user-fs-pci,id=").Append(fs).Append(",chardev=").Append(chardev);
            if (d.QueueSize is int q)
            {
                device.Append(",queue-size=").Append(q.ToString(CultureInfo.InvariantCulture));
            }
            device.Append(",tag=").Append(Escape(d.Tag));
            args.Add("-device");
            args.Add(device.ToString());
        }
        return args.ToArray();
    }

    private static string Backend(QemuArgumentRequest r, string id, ulong bytes)
    {
        string size = bytes.ToString(CultureInfo.InvariantCulture);
        return r.Backing switch
        {
            VirtioFsQemuBacking.HugePages =>
                $"memory-backend-file,id={id},mem-path={Escape(r.MemPath ?? DefaultHugePagePath)},share=on,prealloc=on,size={size}",
            VirtioFsQemuBacking.File =>
                $"memory-backend-file,id={id},mem-path={Escape(r.MemPath ?? DefaultFilePath)},share=on,size={size}",
            _ => $"memory-backend-memfd,id={id},share=on,size={size}",
        };
    }

    /// <summary>QEMU's option parser ends a value at ',' and reads ',,' as a literal comma.</summary>
    private static string Escape(string value) => value.Replace(",", ",,", System.StringComparison.Ordinal);

    /// <summary>Checks one device on its own, so a cmdlet can refuse the one bad input it came with.</summary>
    public static void ValidateDevice(QemuFsDevice d)
    {
        ShareValidator.ValidateTag(d.Tag);
        if (string.IsNullOrEmpty(d.SocketPath) || !d.SocketPath.StartsWith('/'))
        {
            throw new VirtioFsException(ErrorIds.SocketPathNotAbsolute, VirtioFsErrorKind.InvalidArgument,
                $"The socket path '{d.SocketPath}' is not absolute; QEMU resolves a relative one against its own working directory.",
                d.SocketPath, "Give the full path of the virtiofsd socket, or pipe Start-VirtioFsDaemon into this command.");
        }
        UnixSocketPath.EnsureFits(d.SocketPath, ", so QEMU could not connect", "Use a shorter path, e.g. under /run/virtiofs/.");
        if (d.QueueSize is int q && ShareOptions.QueueSize.Check(q) is { } problem)
        {
            throw new VirtioFsException(problem.ErrorId, VirtioFsErrorKind.InvalidArgument, problem.Message, q, problem.Fix);
        }
    }

    /// <summary>
    /// Checks a device against the ones already in the same guest: the guest tells shares apart by
    /// tag, and a virtiofsd serves one vhost-user connection, so a second device on its socket
    /// would leave QEMU waiting or failing at start.
    /// </summary>
    public static void ValidateAgainst(QemuFsDevice d, IEnumerable<QemuFsDevice> earlier)
    {
        foreach (var e in earlier)
        {
            if (e.Tag == d.Tag)
            {
                throw new VirtioFsException(ErrorIds.TagExists, VirtioFsErrorKind.ResourceExists,
                    $"The tag '{d.Tag}' is already used by the device on {e.SocketPath}; the guest could not tell the two shares apart.",
                    d.Tag, "Give each share its own -Tag (or a Tag property on each pipeline input).");
            }
            if (e.SocketPath == d.SocketPath)
            {
                throw new VirtioFsException(ErrorIds.SocketPathInUse, VirtioFsErrorKind.ResourceExists,
                    $"The socket '{d.SocketPath}' already serves the share '{e.Tag}'; a virtiofsd serves one device.",
                    d.SocketPath, "Start one daemon per share (Start-VirtioFsDaemon) and give each its own socket.");
            }
        }
    }

    private static void Validate(QemuArgumentRequest r)
    {
        if (r.Devices.Count == 0)
        {
            throw new VirtioFsException(ErrorIds.NoShareGiven, VirtioFsErrorKind.InvalidArgument,
                "No virtio-fs device to write arguments for.", null, "Give -SocketPath and -Tag, or pipe daemons in.");
        }
        for (int i = 0; i < r.Devices.Count; i++)
        {
            ValidateDevice(r.Devices[i]);
            ValidateAgainst(r.Devices[i], r.Devices.Take(i));
        }
        if (r.NumaNodes < 0 || r.NumaNodes > 128)
        {
            throw new VirtioFsException(ErrorIds.InvalidNumaNodeCount, VirtioFsErrorKind.InvalidArgument,
                $"{r.NumaNodes} NUMA nodes is invalid: give 0 (no -numa) or 1 to 128.", r.NumaNodes);
        }
        const ulong pageAlign = 2 * 1024 * 1024;
        ulong unit = pageAlign * (ulong)System.Math.Max(1, r.NumaNodes);
        if (r.MemoryBytes == 0 || r.MemoryBytes % unit != 0)
        {
            string what = r.NumaNodes > 1 ? $"split into {r.NumaNodes} equal NUMA nodes of whole 2 MiB pages" : "a whole number of 2 MiB pages";
            throw new VirtioFsException(ErrorIds.InvalidMemorySize, VirtioFsErrorKind.InvalidArgument,
                $"The memory size {r.MemoryBytes} bytes is not {what}; QEMU (and hugetlbfs) would refuse or round it.",
                r.MemoryBytes, "Use the size you give QEMU's -m, e.g. 512M or 2G.");
        }
        if (r.MemPath is { } path && !path.StartsWith('/'))
        {
            throw new VirtioFsException(ErrorIds.MemPathNotAbsolute, VirtioFsErrorKind.InvalidArgument,
                $"The memory path '{path}' is not absolute.", path, "Give e.g. /dev/hugepages or /dev/shm.");
        }
        if (r.MemPath is not null && r.Backing == VirtioFsQemuBacking.Memfd)
        {
            throw new VirtioFsException(ErrorIds.MemPathWithMemfd, VirtioFsErrorKind.InvalidArgument,
                "-MemPath applies to -Backing File or HugePages; memfd memory has no path.", r.MemPath,
                "Leave out -MemPath, or use -Backing HugePages / File.");
        }
        if (r.IdPrefix.Length > 0 && !s_id.IsMatch(r.IdPrefix))
        {
            throw new VirtioFsException(ErrorIds.InvalidIdPrefix, VirtioFsErrorKind.InvalidArgument,
                $"The id prefix '{r.IdPrefix}' is not a QEMU id: start with a letter, then letters, digits, '-', '.' or '_'.",
                r.IdPrefix, "Use e.g. -Id vm1.");
        }
    }
}
