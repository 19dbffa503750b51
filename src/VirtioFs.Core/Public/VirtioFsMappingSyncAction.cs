// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>What Sync-VirtioFsMapping did about one declared or managed share.</summary>
public enum VirtioFsMappingSyncAction
{
    /// <summary>The share already matched the declaration; nothing was changed.</summary>
    None,
    /// <summary>The share was missing and was added (as New-VirtioFsShare -Mapping does).</summary>
    Added,
    /// <summary>Only the differing source, options or marker were changed (as Set-VirtioFsShare does).</summary>
    Changed,
    /// <summary>An extra managed share was removed (-Prune).</summary>
    Removed,
    /// <summary>An extra managed share was left in place because -Prune was not given.</summary>
    Kept,
}
