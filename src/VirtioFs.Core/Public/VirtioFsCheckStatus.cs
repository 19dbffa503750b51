// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>Outcome of one doctor check.</summary>
public enum VirtioFsCheckStatus
{
    /// <summary>Nothing to fix.</summary>
    Pass,
    /// <summary>Works, but something will bite later (a limit, a slow path, a missing optional piece).</summary>
    Warn,
    /// <summary>libvirt, QEMU or virtiofsd will refuse it, or the guest will hang.</summary>
    Fail,
    /// <summary>The check does not apply or could not run (its Message says why).</summary>
    Skip,
}
