// SPDX-License-Identifier: MIT
using System;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>What a live domain should do with the device after the persistent definition changed.</summary>
internal enum LiveAction
{
    None,
    Attach,
    Detach,

    /// <summary>Hot-plug a device that does not need shared memory (the guest agent's channel).</summary>
    AttachDevice,
}
