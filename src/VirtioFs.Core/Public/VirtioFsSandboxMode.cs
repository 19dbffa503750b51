// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>libvirt's &lt;sandbox mode&gt; for virtiofsd (libvirt 7.2+).</summary>
public enum VirtioFsSandboxMode
{
    Namespace,
    Chroot,
}
