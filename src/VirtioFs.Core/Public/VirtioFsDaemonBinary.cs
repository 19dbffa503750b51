// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>A virtiofsd executable found on the host, with what probing it revealed.</summary>
public sealed class VirtioFsDaemonBinary
{
    internal VirtioFsDaemonBinary(string path, string source, string? descriptorPath, VirtioFsDaemonDialect dialect,
        string? versionText, Version? version, IReadOnlyList<string> features, IReadOnlyList<string> supportedOptions)
    {
        Path = path;
        Source = source;
        DescriptorPath = descriptorPath;
        Dialect = dialect;
        VersionText = versionText;
        Version = version;
        Features = features;
        SupportedOptions = supportedOptions;
    }

    /// <summary>Absolute path of the executable.</summary>
    public string Path { get; }

    /// <summary>How it was found: <c>Descriptor</c>, <c>WellKnownPath</c>, <c>PATH</c> or <c>Explicit</c>.</summary>
    public string Source { get; }

    /// <summary>The vhost-user JSON descriptor that named it, when found that way.</summary>
    public string? DescriptorPath { get; }

    /// <summary>Legacy C (<c>-o</c> options) or Rust (<c>--flags</c>).</summary>
    public VirtioFsDaemonDialect Dialect { get; }

    /// <summary>First line of <c>--version</c>.</summary>
    public string? VersionText { get; }

    /// <summary>Parsed version (QEMU version for the C daemon, virtiofsd version for Rust).</summary>
    public Version? Version { get; }

    /// <summary>Features from <c>--print-capabilities</c>, e.g. <c>migrate-precopy</c>, <c>separate-options</c>.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>Option names found in <c>--help</c>: <c>--flag</c> names and, for the C daemon, <c>-o</c> names.</summary>
    public IReadOnlyList<string> SupportedOptions { get; }

    /// <summary>True when <c>--help</c> lists the option (<c>--readonly</c>, or <c>xattr</c> for a C <c>-o</c> option).</summary>
    public bool Supports(string option)
    {
        foreach (var o in SupportedOptions)
        {
            if (string.Equals(o, option, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    public override string ToString() => Path;
}
