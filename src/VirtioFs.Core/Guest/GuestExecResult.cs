// SPDX-License-Identifier: MIT
namespace VirtioFs.Guest;

/// <summary>A finished guest-exec: exit code (null when a signal ended it), and the decoded output.</summary>
internal sealed record GuestExecResult(int? ExitCode, int? Signal, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>What the command said about its failure: stderr, else stdout, else the exit status.</summary>
    public string Explanation =>
        StdErr.Trim() is { Length: > 0 } err ? err
        : StdOut.Trim() is { Length: > 0 } @out ? @out
        : Signal is int s ? $"killed by signal {s}" : $"exit code {ExitCode}";
}
