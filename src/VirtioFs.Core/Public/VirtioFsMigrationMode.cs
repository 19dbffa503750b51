// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>
/// Rust virtiofsd <c>--migration-mode</c> (1.11+): how the source describes the guest's open files to the destination.
/// FindPaths sends their paths; FileHandles (1.12+) sends file handles, for the same directory on the same file system.
/// </summary>
public enum VirtioFsMigrationMode
{
    FindPaths,
    FileHandles,
}
