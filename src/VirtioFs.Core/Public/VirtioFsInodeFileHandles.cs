// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>Rust virtiofsd <c>--inode-file-handles</c> policy.</summary>
public enum VirtioFsInodeFileHandles
{
    Never,
    Prefer,
    Mandatory,
}
