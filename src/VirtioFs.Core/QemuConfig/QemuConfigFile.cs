// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.QemuConfig;

/// <summary>
/// Reads and edits a qemu.conf. Edits are validated and computed in memory first; the file is then
/// written once, atomically, after copying the previous version to "&lt;file&gt;.bak" (overwritten on
/// each write, like sed -i.bak; the stock values stay recoverable from the commented defaults).
/// </summary>
internal sealed class QemuConfigFile
{
    public const string DefaultPath = "/etc/libvirt/qemu.conf";

    public QemuConfigFile(string path)
    {
        Path = path;
        if (!File.Exists(path))
        {
            throw new VirtioFsException(ErrorIds.QemuConfigNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The libvirt QEMU driver config '{path}' does not exist.", path,
                "Install libvirt-daemon-system (it ships /etc/libvirt/qemu.conf) or give -Path.");
        }
        try
        {
            Original = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VirtioFsException(ErrorIds.QemuConfigPermissionDenied, VirtioFsErrorKind.PermissionDenied,
                $"Cannot read '{path}': permission denied (the stock file is mode 0600).", path, "Run as root.", e);
        }
        Document = QemuConfigDocument.Parse(Original, path);
    }

    public string Path { get; }

    public byte[] Original { get; }

    public QemuConfigDocument Document { get; }

    public string BackupPath => Path + ".bak";

    public VirtioFsQemuConfigSetting Setting(string name)
    {
        var key = QemuConfigKeys.Get(name);
        var entry = Document.Find(name);
        var commented = Document.FindCommentedDefault(name);
        var value = entry?.Value ?? key?.Default;
        bool isDefault = entry is null || (key?.Default is not null && entry.Value.Equals(key.Default));
        return new VirtioFsQemuConfigSetting(name, value?.ToObject(), entry is not null, isDefault,
            key?.Default?.ToObject(), entry?.StartLine ?? commented?.StartLine, Path, key?.Description);
    }

    /// <summary>Known keys first, then any other key the file sets.</summary>
    public IEnumerable<string> Names() =>
        QemuConfigKeys.Known.Select(k => k.Name)
            .Concat(Document.Entries.Select(e => e.Name))
            .Concat(Document.CommentedDefaults.Select(c => c.Name))
            .Distinct(StringComparer.Ordinal);

    /// <summary>Applies the settings in memory; returns the new document and the changes (empty when nothing changes).</summary>
    public (QemuConfigDocument Document, IReadOnlyList<VirtioFsQemuConfigChange> Changes) Plan(
        IEnumerable<(string Name, ConfValue Value)> settings)
    {
        var doc = Document;
        var changes = new List<VirtioFsQemuConfigChange>();
        foreach (var (name, value) in settings)
        {
            var (next, change) = doc.With(name, value);
            doc = next;
            if (change is not null)
            {
                changes.Add(change);
            }
        }
        return (doc, changes);
    }

    /// <summary>Writes the planned document, unless the file changed on disk since it was read.</summary>
    public void Commit(QemuConfigDocument planned)
    {
        // One read for both the check and the .bak, so the backup is exactly what was checked. False also
        // when the file went away meanwhile: that too is a change not to undo.
        if (!AtomicFile.ReplaceIfUnchanged(Path, Original, planned.ToBytes(), BackupPath))
        {
            throw new VirtioFsException(ErrorIds.QemuConfigChangedMeanwhile, VirtioFsErrorKind.InvalidOperation,
                $"'{Path}' changed while it was being edited; nothing was written.", Path, "Run the command again.");
        }
    }
}
