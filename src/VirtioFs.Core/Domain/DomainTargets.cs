// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>What a live domain should do with the device after the persistent definition changed.</summary>
internal enum LiveAction
{
    None,
    Attach,
    Detach,
}

/// <summary>What a commit did, for the cmdlet to report.</summary>
internal sealed class CommitResult
{
    public List<string> Messages { get; } = new();

    public List<string> Warnings { get; } = new();

    public bool AppliedLive { get; set; }
}

/// <summary>Where a domain definition lives: a file or a libvirt connection.</summary>
internal interface IDomainTarget
{
    /// <summary>For messages and -WhatIf: the file path or "domain 'x' on uri".</summary>
    string Label { get; }

    HostContext Host { get; }

    DomainDocument Load();

    CommitResult Commit(DomainEdit edit, LiveAction live);

    /// <summary>Sets the Path/ConnectionUri of objects read from this target.</summary>
    void Stamp(VirtioFsShare share);

    void Stamp(VirtioFsSharedMemory memory);
}

/// <summary>A domain XML file, written atomically with a .bak of the previous version.</summary>
internal sealed class FileDomainTarget : IDomainTarget
{
    private static readonly byte[] Utf8Bom = { 0xEF, 0xBB, 0xBF };

    // Throws on bytes that are not UTF-8: decoding them to U+FFFD and writing that back would
    // silently corrupt the file.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly bool _checkHostPaths;
    private byte[]? _loadedBytes;

    public FileDomainTarget(string path, bool checkHostPaths)
    {
        FullPath = System.IO.Path.GetFullPath(path);
        _checkHostPaths = checkHostPaths;
    }

    public string FullPath { get; }

    public string Label => FullPath;

    public HostContext Host => new(_checkHostPaths, libvirtVersion: null);

    public DomainDocument Load()
    {
        if (Directory.Exists(FullPath))
        {
            throw new VirtioFsException(ErrorIds.DomainFileIsDirectory, ErrorKind.InvalidArgument,
                $"'{FullPath}' is a directory, not a domain XML file.", FullPath);
        }
        if (!File.Exists(FullPath))
        {
            throw new VirtioFsException(ErrorIds.DomainFileNotFound, ErrorKind.ObjectNotFound,
                $"The domain XML file '{FullPath}' does not exist.", FullPath,
                "Export a domain with 'virsh dumpxml --inactive NAME > FILE', or use -Domain for a libvirt domain.");
        }
        var bytes = File.ReadAllBytes(FullPath);
        _loadedBytes = bytes;
        int start = HasBom(bytes) ? Utf8Bom.Length : 0;
        string xml;
        try
        {
            xml = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new VirtioFsException(ErrorIds.DomainFileNotUtf8, ErrorKind.InvalidData,
                $"'{FullPath}' is not UTF-8 text, as libvirt writes domain XML; it was left as it is.", FullPath,
                "Convert it (iconv -t UTF-8 FILE) or export it again with 'virsh dumpxml --inactive NAME > FILE'.", e);
        }
        return DomainDocument.Parse(xml, FullPath);
    }

    public CommitResult Commit(DomainEdit edit, LiveAction live)
    {
        var result = new CommitResult();
        // An editor or another script may have written the file since we read it: do not undo their work.
        if (_loadedBytes is not null && !(File.Exists(FullPath) && File.ReadAllBytes(FullPath).AsSpan().SequenceEqual(_loadedBytes)))
        {
            throw new VirtioFsException(ErrorIds.DomainChangedConcurrently, ErrorKind.InvalidOperation,
                $"'{FullPath}' changed while we were editing it; nothing was written.", FullPath,
                "Run the command again.");
        }
        // The byte-order mark is part of what we do not own: keep it when the file had one.
        var backup = AtomicFile.Replace(FullPath, edit.NewXml, keepBackup: true, byteOrderMark: _loadedBytes is not null && HasBom(_loadedBytes));
        result.Messages.Add(backup is null ? $"Wrote {FullPath}." : $"Wrote {FullPath}; the previous version is in {backup}.");
        return result;
    }

    private static bool HasBom(byte[] bytes) => bytes.AsSpan().StartsWith(Utf8Bom);

    public void Stamp(VirtioFsShare share) => share.Path = FullPath;

    public void Stamp(VirtioFsSharedMemory memory) => memory.Path = FullPath;
}

/// <summary>
/// A domain defined in libvirt. Changes go in as one validated define of the whole definition;
/// a running guest gets the device hot-plugged (or unplugged) when that can work.
/// </summary>
internal sealed class LibvirtDomainTarget : IDomainTarget
{
    private readonly LibvirtConnection _connection;
    private readonly string _nameOrUuid;
    private readonly bool _skipSourceCheck;
    private string? _loadedXml;

    public LibvirtDomainTarget(LibvirtConnection connection, string nameOrUuid, bool skipSourceCheck)
    {
        _connection = connection;
        _nameOrUuid = nameOrUuid;
        _skipSourceCheck = skipSourceCheck;
    }

    public string Label => $"domain '{_nameOrUuid}' on {_connection.Uri}";

    public LibvirtConnection Connection => _connection;

    /// <summary>Whether the domain runs now.</summary>
    public bool IsActive()
    {
        using var dom = _connection.LookupDomain(_nameOrUuid);
        return dom.IsActive;
    }

    /// <summary>The running guest's definition (its live XML), with what was hot-plugged.</summary>
    public DomainDocument LoadLive()
    {
        using var dom = _connection.LookupDomain(_nameOrUuid);
        return DomainDocument.Parse(dom.GetLiveXml(), $"running {Label}");
    }

    public HostContext Host => new(_connection.IsLocal && !_skipSourceCheck, _connection.LibraryVersion);

    public DomainDocument Load()
    {
        using var dom = _connection.LookupDomain(_nameOrUuid);
        _loadedXml = dom.GetInactiveXml();
        return DomainDocument.Parse(_loadedXml, Label);
    }

    public CommitResult Commit(DomainEdit edit, LiveAction live)
    {
        var result = new CommitResult();
        using var dom = _connection.LookupDomain(_nameOrUuid);
        // Someone else (virsh edit, virt-manager) may have changed it since we read it: do not undo their work.
        if (_loadedXml is not null && dom.GetInactiveXml() != _loadedXml)
        {
            throw new VirtioFsException(ErrorIds.DomainChangedConcurrently, ErrorKind.InvalidOperation,
                $"Domain '{dom.Name}' changed in libvirt while we were editing it; nothing was written.", dom.Name,
                "Run the command again.");
        }
        _connection.Define(edit.NewXml, dom.Name);
        result.Messages.Add($"Defined domain '{dom.Name}' on {_connection.Uri}.");
        if (!dom.IsActive)
        {
            return result;
        }
        if (live == LiveAction.None)
        {
            result.Warnings.Add($"Domain '{dom.Name}' is running: the change applies at its next boot (virtio-fs settings cannot change live).");
            return result;
        }
        if (edit.MemoryChanged)
        {
            result.Warnings.Add($"Domain '{dom.Name}' is running without shared memory, which cannot change live: the share applies at its next boot (shut it down and start it; a reboot from inside the guest is not enough).");
            return result;
        }
        if (live == LiveAction.Attach)
        {
            var liveDoc = DomainDocument.Parse(dom.GetLiveXml(), Label);
            if (!SharedMemoryInspector.Inspect(liveDoc).VirtioFsReady)
            {
                result.Warnings.Add($"Domain '{dom.Name}' runs without shared memory (its definition has it now): the share applies at its next boot.");
                return result;
            }
        }
        try
        {
            if (live == LiveAction.Attach)
            {
                dom.AttachLive(edit.DeviceXml);
                result.Messages.Add($"Hot-plugged the share into running domain '{dom.Name}'.");
            }
            else
            {
                dom.DetachLive(edit.DeviceXml);
                result.Messages.Add($"Hot-unplugged the share from running domain '{dom.Name}'.");
            }
            result.AppliedLive = true;
        }
        catch (VirtioFsException e)
        {
            result.Warnings.Add($"{e.Message}. The definition is changed; it applies at the next boot.");
        }
        return result;
    }

    public void Stamp(VirtioFsShare share) => share.ConnectionUri = _connection.Uri;

    public void Stamp(VirtioFsSharedMemory memory) => memory.ConnectionUri = _connection.Uri;
}
