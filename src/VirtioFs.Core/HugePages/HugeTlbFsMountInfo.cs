// SPDX-License-Identifier: MIT
namespace VirtioFs.HugePages;

/// <summary>A hugetlbfs line of /proc/mounts with its page size resolved.</summary>
internal sealed record HugeTlbFsMountInfo(string MountPoint, long PageSizeKiB, string Options);
