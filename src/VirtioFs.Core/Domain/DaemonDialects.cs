// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Domain;

/// <summary>The virtiofsd dialects that honour an option libvirt passes to the daemon.</summary>
[Flags]
internal enum DaemonDialects
{
    C = 1,
    Rust = 2,
    Both = C | Rust,
}
