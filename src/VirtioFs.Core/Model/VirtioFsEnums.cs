// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>libvirt's &lt;cache mode&gt; for virtio-fs: none (virtiofsd cache=never/none) or always.</summary>
public enum VirtioFsCacheMode
{
    None,
    Always,
}

/// <summary>libvirt's &lt;sandbox mode&gt; for virtiofsd (libvirt 7.2+).</summary>
public enum VirtioFsSandboxMode
{
    Namespace,
    Chroot,
}

/// <summary>How guest RAM is backed; only some backings can be shared with virtiofsd.</summary>
public enum SharedMemoryBacking
{
    /// <summary>No &lt;source&gt; and no hugepages: libvirt picks (anonymous, or a file when access is shared).</summary>
    Default,
    Anonymous,
    Memfd,
    File,
    HugePages,
}

/// <summary>What New-/Set-VirtioFsShare does about the domain's memory.</summary>
public enum SharedMemoryChoice
{
    /// <summary>Keep memory that is already shared; otherwise enable it (memfd, or shared hugepages/NUMA cells).</summary>
    Auto,
    Memfd,
    File,
    HugePages,
    /// <summary>Never touch memory; fail when it is not shared already.</summary>
    Keep,
}
