// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>A virtiofsd path and how it was found, before probing.</summary>
internal sealed record DaemonBinaryCandidate(string Path, string Source, string? DescriptorPath);

/// <summary>
/// Finds virtiofsd the way libvirt does: QEMU vhost-user JSON descriptors of type "fs", read from
/// /usr/share/qemu/vhost-user, /etc/qemu/vhost-user and $XDG_CONFIG_HOME/qemu/vhost-user, where a file in a
/// later directory replaces a same-named file in an earlier one and the survivors are taken in file-name order.
/// Then the usual install paths and $PATH, for hosts whose package ships no descriptor.
/// </summary>
internal sealed class DaemonBinaryLocator
{
    private static readonly string[] s_wellKnown = ["/usr/libexec/virtiofsd", "/usr/lib/qemu/virtiofsd", "/usr/lib/virtiofsd"];
    private readonly DaemonHost _host;

    public DaemonBinaryLocator(DaemonHost host) => _host = host;

    /// <summary>Descriptor directories, lowest priority first.</summary>
    public IEnumerable<string> DescriptorDirectories()
    {
        yield return _host.Root.Path("/usr/share/qemu/vhost-user");
        yield return _host.Root.Path("/etc/qemu/vhost-user");
        if (!string.IsNullOrEmpty(_host.XdgConfigHome))
        {
            yield return Path.Combine(_host.XdgConfigHome, "qemu", "vhost-user");
        }
    }

    /// <summary>Every distinct executable, in libvirt's order of preference; the first is what libvirt would run.</summary>
    public IReadOnlyList<DaemonBinaryCandidate> Find()
    {
        var result = new List<DaemonBinaryCandidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string path, string source, string? descriptor)
        {
            if (seen.Add(path))
            {
                result.Add(new DaemonBinaryCandidate(path, source, descriptor));
            }
        }

        foreach (var (descriptor, binary) in ReadDescriptors())
        {
            // libvirt takes the binary as written; a descriptor naming a missing file is skipped, not fatal.
            if (IsExecutableFile(_host.Root.Path(binary)))
            {
                Add(binary, "Descriptor", descriptor);
            }
        }
        foreach (var path in s_wellKnown)
        {
            if (IsExecutableFile(_host.Root.Path(path)))
            {
                Add(path, "WellKnownPath", null);
            }
        }
        foreach (var dir in (_host.SearchPath ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "virtiofsd");
            if (IsExecutableFile(path))
            {
                Add(Path.GetFullPath(path), "PATH", null);
            }
        }
        return result;
    }

    /// <summary>(descriptor file, binary) for the fs-type descriptors that survive overriding, in file-name order.</summary>
    public IReadOnlyList<(string Descriptor, string Binary)> ReadDescriptors()
    {
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in DescriptorDirectories())
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(dir, "*.json"))
            {
                byName[Path.GetFileName(file)] = file;
            }
        }
        var result = new List<(string, string)>();
        foreach (var file in byName.Values)
        {
            var binary = ParseFsDescriptor(file);
            if (binary is not null)
            {
                result.Add((file, binary));
            }
        }
        return result;
    }

    /// <summary>
    /// The "features" a descriptor declares (migrate-precopy, separate-options): what libvirt believes of the
    /// binary when it does not run it. Empty when the descriptor has none or cannot be read.
    /// </summary>
    internal static IReadOnlyList<string> ParseFeatures(string file)
    {
        try
        {
            return DaemonBinaryProbe.ParseFeatures(File.ReadAllText(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The "binary" of a descriptor whose "type" is "fs"; null for other types and unreadable files.</summary>
    internal static string? ParseFsDescriptor(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "fs"
                && root.TryGetProperty("binary", out var binary) && binary.ValueKind == JsonValueKind.String
                && !string.IsNullOrEmpty(binary.GetString()))
            {
                return binary.GetString();
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // libvirt logs and ignores a broken descriptor; so do we.
        }
        return null;
    }

    internal static bool IsExecutableFile(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }
            var mode = UnixFile.GetMode(path);
            return (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static IReadOnlyList<string> WellKnownPaths => s_wellKnown.ToArray();
}
