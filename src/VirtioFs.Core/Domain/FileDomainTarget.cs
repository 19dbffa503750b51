// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Text;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>A domain XML file, written atomically with a .bak of the previous version.</summary>
internal sealed class FileDomainTarget : IDomainTarget
{
    private static readonly byte[] Utf8Bom = { 0xEF, 0xBB, 0xBF };

    // Throws on bytes that are not UTF-8: decoding them to U+FFFD and writing that back would
    // silently corrupt the file.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly bool _checkHostPaths;
    private byte[]? _loadedBytes;

    // What the last Edit wrote, bytes and document. A cmdlet reads the domain back right after changing it
    // (to report the share as it now is); when the file still holds exactly these bytes, the document they
    // were written from is that reading, and parsing them again would only cost time. Used once.
    private (byte[] Bytes, DomainDocument Document)? _written;

    public FileDomainTarget(string path, bool checkHostPaths)
    {
        FullPath = System.IO.Path.GetFullPath(path);
        _checkHostPaths = checkHostPaths;
    }

    public string FullPath { get; }

    public string Label => FullPath;

    private HostContext? _host;

    public HostContext Host => _host ??= new HostContext(_checkHostPaths, libvirtVersion: null);

    public DomainDocument Load()
    {
        // A readable regular file is read at once; only when that fails is it asked why, as before.
        var bytes = UnixFile.TryReadAllBytes(FullPath);
        if (bytes is null)
        {
            if (Directory.Exists(FullPath))
            {
                throw new VirtioFsException(ErrorIds.DomainFileIsDirectory, VirtioFsErrorKind.InvalidArgument,
                    $"'{FullPath}' is a directory, not a domain XML file.", FullPath);
            }
            if (!File.Exists(FullPath))
            {
                throw new VirtioFsException(ErrorIds.DomainFileNotFound, VirtioFsErrorKind.ObjectNotFound,
                    $"The domain XML file '{FullPath}' does not exist.", FullPath,
                    "Export a domain with 'virsh dumpxml --inactive NAME > FILE', or use -Domain for a libvirt domain.");
            }
            bytes = File.ReadAllBytes(FullPath);
        }
        _loadedBytes = bytes;
        if (_written is { } written)
        {
            _written = null;
            if (bytes.AsSpan().SequenceEqual(written.Bytes))
            {
                return written.Document;
            }
        }
        int start = HasBom(bytes) ? Utf8Bom.Length : 0;
        string xml;
        try
        {
            xml = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new VirtioFsException(ErrorIds.DomainFileNotUtf8, VirtioFsErrorKind.InvalidData,
                $"'{FullPath}' is not UTF-8 text, as libvirt writes domain XML; it was left as it is.", FullPath,
                "Convert it (iconv -t UTF-8 FILE) or export it again with 'virsh dumpxml --inactive NAME > FILE'.", e);
        }
        return DomainDocument.Parse(xml, FullPath);
    }

    // readBack: a file is read back by Load, which knows what it just wrote (see _written).
    public CommitResult? Edit(Func<DomainDocument, DomainEdit> change, Func<DomainEdit, bool> approve, LiveAction live, CancellationToken ct, bool readBack = false)
    {
        using var writers = FileLock.ForWriting(FullPath, ct);
        var edit = change(Load());
        var result = new CommitResult(edit);
        if (!edit.HasChanges)
        {
            return result;
        }
        if (!approve(edit))
        {
            return null;
        }
        ct.ThrowIfCancellationRequested();
        var read = _loadedBytes!;
        // The byte-order mark is part of what we do not own: keep it when the file had one.
        var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: HasBom(read));
        byte[] bytes = [.. encoding.GetPreamble(), .. encoding.GetBytes(edit.NewXml)];
        // Writers that do not take the lock (an editor, virsh) may have written the file since we read it:
        // do not undo their work. What we read is also what the backup gets.
        string backup = FullPath + ".bak";
        if (!AtomicFile.ReplaceIfUnchanged(FullPath, read, bytes, backup))
        {
            throw new VirtioFsException(ErrorIds.DomainChangedConcurrently, VirtioFsErrorKind.InvalidOperation,
                $"'{FullPath}' changed while we were editing it; nothing was written.", FullPath,
                "Run the command again.");
        }
        _written = (bytes, edit.After);
        result.Messages.Add($"Wrote {FullPath}; the previous version is in {backup}.");
        return result;
    }

    private static bool HasBom(byte[] bytes) => bytes.AsSpan().StartsWith(Utf8Bom);

    public void Stamp(VirtioFsShare share) => share.Path = FullPath;

    public void Stamp(VirtioFsSharedMemory memory) => memory.Path = FullPath;
}
