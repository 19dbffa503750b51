// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Daemon;

/// <summary>What we write down about a daemon we started: enough to find it again, restart it and clean up after it.</summary>
internal sealed class DaemonRecord
{
    public string Name { get; set; } = "";
    public int ProcessId { get; set; }
    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat at start, so a recycled pid is not mistaken for our daemon.</summary>
    public long ProcessStartTicks { get; set; }
    public string BinaryPath { get; set; } = "";
    public VirtioFsDaemonDialect Dialect { get; set; }
    public string? Version { get; set; }
    public List<string> Arguments { get; set; } = [];
    public string SharedDirectory { get; set; } = "";
    public string SocketPath { get; set; } = "";
    public string LogPath { get; set; } = "";
    public DateTime StartTime { get; set; }
}

/// <summary>
/// One JSON file per daemon in the runtime directory, each 0600: the arguments can name private directories,
/// and only root (or the owner) should be able to restart or stop what they describe. The directory itself is
/// 0711 (search, no listing) because the generated sockets live there too and QEMU, running as libvirt-qemu,
/// must be able to reach them; the socket's own group and mode decide who may connect.
/// </summary>
internal sealed class DaemonStateStore
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public DaemonStateStore(string directory) => Directory = directory;

    public string Directory { get; }

    public string StatePath(string name) => Path.Combine(Directory, name + ".json");

    public string LogPath(string name) => Path.Combine(Directory, name + ".log");

    public string DefaultSocketPath(string name) => Path.Combine(Directory, name + ".sock");

    public void EnsureDirectory()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            UnixFile.CreateDirectory(Directory, DirectoryMode);
        }
    }

    public IReadOnlyList<(DaemonRecord Record, string Path)> ReadAll()
    {
        var list = new List<(DaemonRecord, string)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return list;
        }
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            var r = TryRead(file);
            if (r is not null)
            {
                list.Add((r, file));
            }
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Item1.Name, b.Item1.Name));
        return list;
    }

    public DaemonRecord? TryRead(string file)
    {
        try
        {
            var r = JsonSerializer.Deserialize<DaemonRecord>(File.ReadAllText(file), s_json);
            return r is { Name.Length: > 0 } ? r : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Serializes the commands that start and restart daemons: choosing a free name and socket, starting the
    /// daemon and writing its state must not interleave, or two starts could take the same name.
    /// </summary>
    public FileLock LockWriters(System.Threading.CancellationToken ct)
    {
        EnsureDirectory();
        return FileLock.Acquire(Directory, FileLock.ConfiguredTimeout(), ct);
    }

    public string Write(DaemonRecord record)
    {
        EnsureDirectory();
        var path = StatePath(record.Name);
        try
        {
            AtomicFile.Replace(path, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, s_json)), newFileMode: FileMode);
        }
        catch (VirtioFsException e) when (e.ErrorId == ErrorIds.FileWriteFailed)
        {
            throw new VirtioFsException(ErrorIds.DaemonStateWriteFailed, VirtioFsErrorKind.WriteError,
                $"Cannot write the daemon state file '{path}': {e.Message}", path,
                "Check that the runtime directory is writable (set VIRTIOFS_RUNTIME_DIR to choose another).", e);
        }
        return path;
    }

    public void Delete(string name)
    {
        var path = StatePath(name);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
