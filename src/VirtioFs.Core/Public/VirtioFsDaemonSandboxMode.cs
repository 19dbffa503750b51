// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>virtiofsd sandbox mode.</summary>
public enum VirtioFsDaemonSandboxMode
{
    Namespace,
    Chroot,
    None,
}
