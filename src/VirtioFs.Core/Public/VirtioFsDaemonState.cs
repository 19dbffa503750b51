// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>Whether the daemon's process is alive.</summary>
public enum VirtioFsDaemonState
{
    /// <summary>The process is alive.</summary>
    Running,
    /// <summary>The recorded process is gone (the guest disconnected, it crashed, or it was stopped); it can be restarted.</summary>
    Exited,
}
