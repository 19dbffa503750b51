// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>libvirt's &lt;cache mode&gt; for virtio-fs: none (virtiofsd cache=never/none) or always.</summary>
public enum VirtioFsCacheMode
{
    None,
    Always,
}
