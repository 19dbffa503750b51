// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>virtiofsd cache policy; mapped to each dialect's spelling.</summary>
public enum VirtioFsDaemonCacheMode
{
    Auto,
    Always,
    Metadata,
    Never,
}
