// SPDX-License-Identifier: MIT
using System;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

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
            throw new VirtioFsException(ErrorIds.DomainChangedConcurrently, VirtioFsErrorKind.InvalidOperation,
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
