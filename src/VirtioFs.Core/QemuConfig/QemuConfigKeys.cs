// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;

namespace VirtioFs.QemuConfig;

internal enum QemuConfigKeyType
{
    String,
    StringOrList,
    Boolean,
}

/// <summary>A qemu.conf key this module knows: its type and the value libvirt uses when it is not set.</summary>
internal sealed record QemuConfigKey(string Name, QemuConfigKeyType Type, ConfValue? Default, string Description);

internal static class QemuConfigKeys
{
    public const string MemoryBackingDir = "memory_backing_dir";
    public const string HugeTlbFsMount = "hugetlbfs_mount";
    public const string VirtiofsdDebug = "virtiofsd_debug";

    /// <summary>Defaults as libvirt 9.0 applies them (qemu_conf.c); hugetlbfs_mount has none: libvirt then uses every hugetlbfs mount in /proc/mounts.</summary>
    public static readonly IReadOnlyList<QemuConfigKey> Known =
    [
        new(MemoryBackingDir, QemuConfigKeyType.String, ConfValue.Of("/var/lib/libvirt/qemu/ram"),
            "Directory for file-backed guest memory (memoryBacking source type='file')."),
        new(HugeTlbFsMount, QemuConfigKeyType.StringOrList, null,
            "hugetlbfs mount point(s) libvirt uses for hugepage-backed guests; unset means every hugetlbfs mount."),
        new(VirtiofsdDebug, QemuConfigKeyType.Boolean, ConfValue.Of(0),
            "1 makes libvirt start virtiofsd with debug logging (-d)."),
    ];

    public static QemuConfigKey? Get(string name) => Known.FirstOrDefault(k => k.Name == name);
}
