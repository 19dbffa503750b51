// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>What a commit did, for the cmdlet to report.</summary>
internal sealed class CommitResult
{
    public List<string> Messages { get; } = new();

    public List<string> Warnings { get; } = new();

    public bool AppliedLive { get; set; }
}
