// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Guest;

/// <summary>What Mount-VirtioFsShare asks for one share.</summary>
internal sealed record GuestMountRequest(string Tag, string? MountPoint, bool ReadOnly, IReadOnlyList<string> Options, bool Persist, bool Force);

/// <summary>What Dismount-VirtioFsShare asks for: a tag, a mount point, or both.</summary>
internal sealed record GuestDismountRequest(string? Tag, string? MountPoint, bool Persist);
