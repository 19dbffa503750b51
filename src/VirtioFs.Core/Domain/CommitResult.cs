// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Domain;

/// <summary>What an edit did, for the cmdlet to report.</summary>
internal sealed class CommitResult
{
    public CommitResult(DomainEdit edit)
    {
        Edit = edit;
    }

    /// <summary>The change as it was written (after any retry, on the definition it was written over).</summary>
    public DomainEdit Edit { get; }

    public List<string> Messages { get; } = new();

    public List<string> Warnings { get; } = new();

    public bool AppliedLive { get; set; }

    /// <summary>The definition as it is after the change, when the caller asked for it to be read back and the target did.</summary>
    public DomainDocument? Written { get; set; }

    /// <summary>How often the definition changed under us and the edit was made again on the new one.</summary>
    public int Retries { get; set; }
}
