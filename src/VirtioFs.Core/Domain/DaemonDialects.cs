// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>The virtiofsd dialects that honour an option libvirt passes to the daemon.</summary>
[Flags]
internal enum DaemonDialects
{
    C = 1,
    Rust = 2,
    Both = C | Rust,
}
