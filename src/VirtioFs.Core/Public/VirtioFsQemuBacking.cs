// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>Where the shared guest RAM of a plain QEMU comes from.</summary>
public enum VirtioFsQemuBacking
{
    /// <summary>memory-backend-memfd (no file system needed; what libvirt uses for &lt;source type='memfd'/&gt;).</summary>
    Memfd,

    /// <summary>memory-backend-file on hugetlbfs, preallocated (what libvirt uses for &lt;hugepages&gt;).</summary>
    HugePages,

    /// <summary>memory-backend-file in a directory such as /dev/shm (libvirt's memory_backing_dir form).</summary>
    File,
}
