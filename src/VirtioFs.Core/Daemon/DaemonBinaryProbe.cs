// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>
/// Asks a virtiofsd what it is: <c>--version</c>, <c>--print-capabilities</c> (vhost-user JSON; the Rust daemon
/// lists <c>separate-options</c> from 1.12, the C daemon lists nothing) and <c>--help</c> (the option names).
/// These three are harmless: each prints and exits without touching a socket.
/// </summary>
internal static partial class DaemonBinaryProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static VirtioFsDaemonBinary Probe(DaemonBinaryCandidate candidate, CancellationToken ct)
    {
        var version = Run(candidate.Path, "--version", ct);
        var caps = Run(candidate.Path, "--print-capabilities", ct);
        var help = Run(candidate.Path, "--help", ct);
        if (version is null && caps is null && help is null)
        {
            throw new VirtioFsException(ErrorIds.DaemonProbeFailed, VirtioFsErrorKind.InvalidResult,
                $"'{candidate.Path}' did not answer --version, --print-capabilities or --help; it is not a usable virtiofsd.",
                candidate.Path, "Pass -BinaryPath with a working virtiofsd, or reinstall it.");
        }
        return FromOutputs(candidate, version ?? "", caps ?? "", help ?? "");
    }

    /// <summary>The pure half of probing, so golden outputs can be tested without the binaries.</summary>
    internal static VirtioFsDaemonBinary FromOutputs(DaemonBinaryCandidate candidate, string versionOut, string capsOut, string helpOut)
    {
        var features = ParseFeatures(capsOut);
        var options = ParseHelpOptions(helpOut);
        var dialect = DetectDialect(features, options, helpOut);
        var versionLine = versionOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        Version? version = null;
        // Both daemons start with their name ("virtiofsd 1.13.2", "virtiofsd version 7.2.22 (...)"); anything else is
        // not a version line: a binary of another system prints its loader's error here ("GLIBC_2.39 not found").
        if (versionLine is not null && versionLine.StartsWith("virtiofsd", StringComparison.OrdinalIgnoreCase))
        {
            var m = VersionRegex().Match(versionLine);
            if (m.Success)
            {
                version = new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value),
                    m.Groups[3].Success ? int.Parse(m.Groups[3].Value) : 0);
            }
        }
        return new VirtioFsDaemonBinary(candidate.Path, candidate.Source, candidate.DescriptorPath, dialect,
            versionLine, version, features, options);
    }

    internal static VirtioFsDaemonDialect DetectDialect(IReadOnlyList<string> features, IReadOnlyList<string> options, string help)
    {
        if (features.Contains("separate-options") || options.Contains("--shared-dir"))
        {
            return VirtioFsDaemonDialect.Rust;
        }
        if (help.Contains("-o source=", StringComparison.Ordinal) || options.Contains("source"))
        {
            return VirtioFsDaemonDialect.C;
        }
        return VirtioFsDaemonDialect.Unknown;
    }

    internal static IReadOnlyList<string> ParseFeatures(string capsOut)
    {
        var list = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(capsOut);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in f.EnumerateArray())
                {
                    if (e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s)
                    {
                        list.Add(s);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // No JSON: an old or odd binary; features stay empty.
        }
        return list;
    }

    /// <summary>
    /// Long flags (<c>--cache</c>) from any help; for the C daemon also the <c>-o</c> option names, including
    /// both halves of <c>xattr|no_xattr</c> and <c>posix_acl/no_posix_acl</c>.
    /// </summary>
    internal static IReadOnlyList<string> ParseHelpOptions(string help)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in LongFlagRegex().Matches(help))
        {
            set.Add(m.Groups[1].Value);
        }
        foreach (Match m in DashORegex().Matches(help))
        {
            foreach (var part in m.Groups[1].Value.Split('|', '/'))
            {
                var name = part.Split('=')[0];
                if (name.Length > 0 && OptionNameRegex().IsMatch(name))
                {
                    set.Add(name);
                }
            }
        }
        return set.ToList();
    }

    private static string? Run(string path, string arg, CancellationToken ct)
    {
        ProgramResult? result;
        try
        {
            result = ProgramRunner.Execute(path, new[] { arg }, s_timeout, ct);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VirtioFsException(ErrorIds.DaemonProbeFailed, VirtioFsErrorKind.InvalidResult,
                $"Cannot run '{path}': {e.Message}", path, "Check that the file is an executable virtiofsd.", e);
        }
        // Exit code is ignored on purpose: old builds exit 1 after printing --help.
        return string.IsNullOrEmpty(result?.Output) ? null : result.Output;
    }

    [GeneratedRegex(@"(\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionRegex();

    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9-]*)")]
    private static partial Regex LongFlagRegex();

    [GeneratedRegex(@"(?m)(?<![\w-])-o\s+([a-z_][a-z_|/=<>]*)")]
    private static partial Regex DashORegex();

    [GeneratedRegex(@"^[a-z_]+$")]
    private static partial Regex OptionNameRegex();
}
