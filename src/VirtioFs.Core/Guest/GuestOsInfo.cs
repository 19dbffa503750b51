// SPDX-License-Identifier: MIT
using System;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VirtioFs.Guest;

/// <summary>guest-get-osinfo: which system the agent runs on (qemu-ga reads os-release on Linux, the registry on Windows).</summary>
internal sealed record GuestOsInfo(string? Id, string? Name, string? PrettyName, string? VersionId, string? KernelRelease, string? KernelVersion, string? Machine)
{
    /// <summary>qemu-ga's Windows build always reports id "mswindows" (qga/commands-win32.c).</summary>
    public bool IsWindows => string.Equals(Id, "mswindows", StringComparison.Ordinal);

    /// <summary>What to show: the pretty name, else name and version, else the id.</summary>
    public string Display => PrettyName ?? (Name is null ? Id ?? "unknown" : $"{Name} {VersionId}".Trim());

    /// <summary>major.minor of a Linux kernel release such as 6.1.0-57-amd64 or 4.18.0-553.el8_10.x86_64; null when it is not one.</summary>
    public Version? LinuxKernel
    {
        get
        {
            var m = Regex.Match(KernelRelease ?? string.Empty, @"^(\d+)\.(\d+)", RegexOptions.CultureInvariant);
            return m.Success ? new Version(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)) : null;
        }
    }

    public static GuestOsInfo Parse(JsonElement ret) => new(
        Str(ret, "id"), Str(ret, "name"), Str(ret, "pretty-name"), Str(ret, "version-id"),
        Str(ret, "kernel-release"), Str(ret, "kernel-version"), Str(ret, "machine"));

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
