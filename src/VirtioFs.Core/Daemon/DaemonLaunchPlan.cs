// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Daemon;

/// <summary>A validated start: everything decided, nothing touched yet (what -WhatIf shows).</summary>
internal sealed record DaemonLaunchPlan(string Name, VirtioFsDaemonBinary Binary, IReadOnlyList<string> Arguments,
    string SharedDirectory, string SocketPath, string LogPath);
