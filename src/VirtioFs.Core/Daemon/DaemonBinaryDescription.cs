// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>
/// A virtiofsd described without running it: the features its vhost-user descriptor declares (the same list libvirt
/// reads) and the version of the Debian package that installed it. For the virtiofsd of a libvirt in another root or
/// container: that binary needs that system's libraries (Debian 13's virtiofsd fails here with "GLIBC_2.39 not
/// found"), so running it would describe the loader, not the daemon.
/// </summary>
internal static partial class DaemonBinaryDescription
{
    /// <summary>Packages whose virtiofsd is the legacy C one (QEMU's own, before 8.0).</summary>
    private static readonly string[] s_cPackages = ["qemu-system-common", "qemu-system-x86", "qemu-kvm"];

    public static VirtioFsDaemonBinary Describe(HostRoot root, DaemonBinaryCandidate candidate)
    {
        var features = candidate.DescriptorPath is { } descriptor ? DaemonBinaryLocator.ParseFeatures(descriptor) : [];
        var owner = DpkgOwner(root, candidate.Path);
        var version = owner is null ? null : UpstreamVersion(owner.Value.Version);
        var dialect = features.Contains("separate-options") || owner?.Package == "virtiofsd" ? VirtioFsDaemonDialect.Rust
            : owner is { } o && s_cPackages.Contains(o.Package) ? VirtioFsDaemonDialect.C
            : VirtioFsDaemonDialect.Unknown;
        string text = owner is { } p
            ? $"{p.Package} {p.Version} (the package's version; the binary belongs to another system and was not run)"
            : "version unknown (no package owns it; the binary belongs to another system and was not run)";
        string? descriptorShown = candidate.DescriptorPath is { } d ? root.HostPathOf(d) : null;
        return new VirtioFsDaemonBinary(candidate.Path, candidate.Source, descriptorShown, dialect, text, version, features, []);
    }

    /// <summary>The Debian package that installed a file (its /var/lib/dpkg/info/*.list), with its version; null on other systems.</summary>
    internal static (string Package, string Version)? DpkgOwner(HostRoot root, string path)
    {
        var info = root.Path("/var/lib/dpkg/info");
        if (!Directory.Exists(info))
        {
            return null;
        }
        string? package = null;
        // The usual owners first, then every list (about a thousand small files on a full host).
        var likely = new[] { "virtiofsd", "qemu-system-common" }.Select(n => Path.Combine(info, n + ".list"));
        foreach (var list in likely.Concat(Directory.EnumerateFiles(info, "*.list")))
        {
            if (File.Exists(list) && ListsPath(list, path))
            {
                package = Path.GetFileNameWithoutExtension(list).Split(':')[0];
                break;
            }
        }
        if (package is null)
        {
            return null;
        }
        string? current = null;
        foreach (var line in root.ReadLines("/var/lib/dpkg/status"))
        {
            if (line.StartsWith("Package: ", StringComparison.Ordinal))
            {
                current = line[9..].Trim();
            }
            else if (current == package && line.StartsWith("Version: ", StringComparison.Ordinal))
            {
                return (package, line[9..].Trim());
            }
        }
        return (package, "(version unknown)");
    }

    private static bool ListsPath(string list, string path)
    {
        try
        {
            foreach (var line in File.ReadLines(list))
            {
                if (line == path)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // unreadable: not this one
        }
        return false;
    }

    /// <summary>The upstream part of a Debian version: 1:7.2+dfsg-7+deb12u18 is 7.2, 1.13.2-1+deb13u1 is 1.13.2.</summary>
    internal static Version? UpstreamVersion(string debianVersion)
    {
        var m = UpstreamRegex().Match(debianVersion);
        if (!m.Success)
        {
            return null;
        }
        int Part(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        return new Version(Part(1), Part(2), Part(3));
    }

    [GeneratedRegex(@"^(?:\d+:)?(\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex UpstreamRegex();
}
