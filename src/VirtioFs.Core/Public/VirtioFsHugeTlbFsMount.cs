// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>A hugetlbfs mount and the page size it serves.</summary>
public sealed class VirtioFsHugeTlbFsMount
{
    internal VirtioFsHugeTlbFsMount(string mountPoint, long pageSizeKiB, string options, bool created)
    {
        MountPoint = mountPoint;
        PageSizeKiB = pageSizeKiB;
        Options = options;
        Created = created;
    }

    /// <summary>The directory hugetlbfs is mounted on.</summary>
    public string MountPoint { get; }

    /// <summary>Page size the mount serves, in KiB.</summary>
    public long PageSizeKiB { get; }

    /// <summary>Page size for people: 2MiB, 1GiB.</summary>
    public string PageSize => HugePages.PageSize.Format(PageSizeKiB);

    /// <summary>Mount options as /proc/mounts shows them.</summary>
    public string Options { get; }

    /// <summary>True when this command mounted it; false when it was already mounted.</summary>
    public bool Created { get; }
}
