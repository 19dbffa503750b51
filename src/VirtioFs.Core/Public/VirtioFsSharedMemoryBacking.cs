// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>How guest RAM is backed; only some backings can be shared with virtiofsd.</summary>
public enum VirtioFsSharedMemoryBacking
{
    /// <summary>No &lt;source&gt; and no hugepages: libvirt picks (anonymous, or a file when access is shared).</summary>
    Default,
    Anonymous,
    Memfd,
    File,
    HugePages,
}
