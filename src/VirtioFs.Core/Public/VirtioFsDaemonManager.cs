// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>Who started (and therefore owns) a running virtiofsd.</summary>
public enum VirtioFsDaemonManager
{
    /// <summary>Started by this module; its state file lives in the runtime directory.</summary>
    VirtioFs,
    /// <summary>Started by libvirt for a domain's &lt;filesystem&gt;; stopping it breaks the guest's share.</summary>
    Libvirt,
    /// <summary>Started by someone else (a script, a unit, an admin).</summary>
    Other,
}
