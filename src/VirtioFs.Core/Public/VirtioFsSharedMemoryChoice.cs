// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>What New-/Set-VirtioFsShare does about the domain's memory.</summary>
public enum VirtioFsSharedMemoryChoice
{
    /// <summary>Keep memory that is already shared; otherwise enable it (memfd, or shared hugepages/NUMA cells).</summary>
    Auto,
    Memfd,
    File,
    HugePages,
    /// <summary>Never touch memory; fail when it is not shared already.</summary>
    Keep,
}
