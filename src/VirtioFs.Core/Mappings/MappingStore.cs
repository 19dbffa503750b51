// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Mappings;

/// <summary>
/// Where the mapping file is and how it is changed. Every change is read, change, diff, approve, write
/// under the writers' lock of the file (FileLock.ForWriting: a lock file keyed by the file's real path,
/// never a flock on the file itself), written by AtomicFile, and only when the content really changes.
/// </summary>
internal static class MappingStore
{
    public const string PathVariable = "VIRTIOFS_MAPPING_PATH";

    /// <summary>$env:VIRTIOFS_MAPPING_PATH, else $XDG_CONFIG_HOME/virtiofs/mappings.json, else ~/.config/virtiofs/mappings.json.</summary>
    public static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } given)
        {
            return Path.GetFullPath(given);
        }
        // The XDG base directory spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
        string config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "virtiofs", "mappings.json");
    }

    /// <summary>The file's mappings; a file that does not exist has none.</summary>
    public static MappingDocument Load(string file)
    {
        var bytes = ReadBytes(file);
        return bytes is null ? new MappingDocument() : MappingFileReader.Parse(bytes, file);
    }

    /// <summary>
    /// Changes the file: <paramref name="change"/> edits a copy of what is there (and throws, writing nothing,
    /// when the change is invalid); when the result differs, <paramref name="approve"/> sees the unified diff
    /// (ShouldProcess) and the file is replaced. Null when not approved.
    /// </summary>
    public static MappingEditResult? Edit(string file, Action<MappingDocument> change, Func<string, bool> approve, CancellationToken ct)
    {
        using var writers = FileLock.ForWriting(file, ct);
        var bytes = ReadBytes(file);
        var before = bytes is null ? new MappingDocument() : MappingFileReader.Parse(bytes, file);
        var after = before.Clone();
        change(after);
        string afterText = MappingFileWriter.Write(after);
        var result = new MappingEditResult(before, after);
        // Compare the meaning, not the bytes: a hand-formatted file is not rewritten when nothing changes.
        if (bytes is not null && MappingFileWriter.Write(before) == afterText)
        {
            return result;
        }
        string beforeText = bytes is null ? string.Empty : Encoding.UTF8.GetString(bytes);
        if (!approve(LineDiff.Unified(beforeText, afterText, file + " (before)", file + " (after)")))
        {
            return null;
        }
        ct.ThrowIfCancellationRequested();
        var content = Encoding.UTF8.GetBytes(afterText);
        // An editor or a git checkout does not take our lock: do not undo what it wrote meanwhile.
        // No .bak: the file is meant to be kept in git, which is its history.
        if (bytes is not null)
        {
            // The check and the write in one step, reading the file once; false also when it went away.
            if (!AtomicFile.ReplaceIfUnchanged(file, bytes, content, backupPath: null))
            {
                throw Changed(file);
            }
            result.Written = true;
            return result;
        }
        // A new file: ReplaceIfUnchanged only replaces a file that is there, so check it is still absent.
        if (ReadBytes(file) is not null)
        {
            throw Changed(file);
        }
        if (Path.GetDirectoryName(file) is { } dir && !Directory.Exists(dir))
        {
            try
            {
                Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirtioFsException(ErrorIds.FileWriteFailed,
                    e is UnauthorizedAccessException ? VirtioFsErrorKind.PermissionDenied : VirtioFsErrorKind.WriteError,
                    $"Cannot create the directory '{dir}' for {file}: {e.Message}.", file, "Check the permissions, or name another file with -MappingPath.", e);
            }
        }
        AtomicFile.Replace(file, content);
        result.Written = true;
        return result;
    }

    private static VirtioFsException Changed(string file) =>
        new(ErrorIds.MappingFileChanged, VirtioFsErrorKind.InvalidOperation,
            $"{file} changed while this command was changing it; nothing was written.", file, "Run the command again.");

    /// <summary>A mapping's directory for a host: absolute, as libvirt needs a share's source to be.</summary>
    public static void ValidateDirectory(string? directory, string host)
    {
        if (string.IsNullOrEmpty(directory) || !directory.StartsWith('/') || directory.Any(char.IsControl))
        {
            throw new VirtioFsException(ErrorIds.SourceNotAbsolute, VirtioFsErrorKind.InvalidArgument,
                $"The directory '{directory}' for host '{host}' is not an absolute path; libvirt needs one for a share's source.", directory,
                "Give the full path of the directory on that host, e.g. @{ '" + host + "' = '/srv/data' }.");
        }
    }

    /// <summary>An assignment names its host by a libvirt URI (scheme://[user@]host[:port]/path).</summary>
    public static void ValidateConnectionUri(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri) || !MappingHosts.IsUriKey(uri) || uri.Any(char.IsWhiteSpace) || uri.StartsWith("://", StringComparison.Ordinal))
        {
            throw new VirtioFsException(ErrorIds.MappingAssignmentInvalid, VirtioFsErrorKind.InvalidArgument,
                $"'{uri}' is not a libvirt URI; an assignment names its host by the URI that reaches it.", uri,
                "Give a URI such as qemu:///system (this host) or qemu+ssh://root@kvm1.example.com/system.");
        }
    }

    private static byte[]? ReadBytes(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllBytes(file) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtioFsException(ErrorIds.MappingFileUnreadable,
                e is UnauthorizedAccessException ? VirtioFsErrorKind.PermissionDenied : VirtioFsErrorKind.ReadError,
                $"Cannot read the mapping file {file}: {e.Message}", file, "Check its permissions, or name another file with -MappingPath.", e);
        }
    }
}
