// SPDX-License-Identifier: MIT
using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading;

namespace VirtioFs.Platform;

/// <summary>Exit code and combined output of a short-lived program.</summary>
internal sealed record ProgramResult(int ExitCode, string Output);

/// <summary>
/// Runs a short-lived program (virtiofsd --help, qemu -device help ...) with an argv array, never a
/// shell, stdin closed and a timeout, so a probe can neither hang nor be tricked by odd paths.
/// </summary>
internal static class ProgramRunner
{
    /// <summary>Null when the program cannot start or hangs past <paramref name="timeout"/>.</summary>
    public static ProgramResult? Run(string path, string[] args, TimeSpan timeout, CancellationToken ct = default)
    {
        try
        {
            return Execute(path, args, timeout, ct);
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Like <see cref="Run"/>, but a program that cannot start throws Win32Exception with the OS reason.</summary>
    public static ProgramResult? Execute(string path, string[] args, TimeSpan timeout, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi);
        if (p is null)
        {
            return null;
        }
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            p.WaitForExitAsync(cts.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            ct.ThrowIfCancellationRequested();
            return null;
        }
        return new ProgramResult(p.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }
}
