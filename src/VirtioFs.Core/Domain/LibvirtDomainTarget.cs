// SPDX-License-Identifier: MIT
using System;
using System.Threading;
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

    /// <summary>
    /// The definition, whether the domain runs, and (when <paramref name="withLive"/> and it runs) the running
    /// guest's definition with what was hot-plugged, all on one lookup: over ssh each lookup is a round trip, and
    /// the doctor and Get-VirtioFsHugePage ask this of every domain of every host.
    /// </summary>
    public LibvirtDomainState ReadState(bool withLive)
    {
        using var dom = _connection.LookupDomain(_nameOrUuid);
        var definition = DomainDocument.Parse(dom.GetInactiveXml(), Label);
        bool active = dom.IsActive;
        var live = withLive && active ? DomainDocument.Parse(dom.GetLiveXml(), $"running {Label}") : null;
        return new LibvirtDomainState(definition, active, live);
    }

    private HostContext? _host;

    /// <summary>
    /// What the libvirt of this connection sees and runs (LibvirtStack), not what this machine has: its paths are
    /// checked in the file system it sees; another host's through ssh when the URI is qemu+ssh, else not at all,
    /// with a warning that says why (unless -SkipSourceCheck said not to look).
    /// </summary>
    public HostContext Host => _host ??= MakeHost();

    private HostContext MakeHost()
    {
        var stack = _connection.Stack;
        if (stack.Files is not null || _skipSourceCheck)
        {
            return HostContext.Of(stack, _skipSourceCheck);
        }
        var probe = SshPathProbe.For(_connection.ParsedUri, out string whyNot);
        return new HostContext(checkHostPaths: false, stack.LibvirtVersion, stack.DaemonFor, stack.RunsDaemonAsRoot, files: null, stack.Uri)
        {
            RemotePaths = probe,
            RemotePathsUnchecked = probe is null ? whyNot : null,
        };
    }

    public DomainDocument Load()
    {
        using var dom = _connection.LookupDomain(_nameOrUuid);
        return DomainDocument.Parse(dom.GetInactiveXml(), Label);
    }

    /// <summary>How often a definition that changed under us is read and changed again before giving up.</summary>
    public const int MaxAttempts = 5;

    public CommitResult? Edit(Func<DomainDocument, DomainEdit> change, Func<DomainEdit, bool> approve, LiveAction live, CancellationToken ct, bool readBack = false)
    {
        // The handle of the first lookup serves the first attempt: it names the domain by UUID, which cannot change,
        // so a second lookup by that UUID would only be another round trip to the daemon. A retry looks it up afresh.
        LibvirtDomain? first = _connection.LookupDomain(_nameOrUuid);
        try
        {
            return EditLocked(first.Uuid, ref first, change, approve, live, ct, readBack);
        }
        finally
        {
            first?.Dispose();
        }
    }

    private CommitResult? EditLocked(string uuid, ref LibvirtDomain? first, Func<DomainDocument, DomainEdit> change,
        Func<DomainEdit, bool> approve, LiveAction live, CancellationToken ct, bool readBack)
    {
        // Our own writers on this machine take turns on the domain; libvirt has no transaction to offer.
        using var writers = NamedLock.Acquire("domain", _connection.CanonicalUri + "\n" + uuid, ErrorIds.DomainLocked,
            Label, _nameOrUuid, FileLock.ConfiguredTimeout(), ct);
        bool approved = false;
        for (int attempt = 1; ; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            using var dom = first ?? _connection.LookupDomainByUuid(uuid);
            first = null; // the using above owns it now
            string read = dom.GetInactiveXml();
            var edit = change(DomainDocument.Parse(read, Label));
            var result = new CommitResult(edit) { Retries = attempt - 1 };
            if (!edit.HasChanges)
            {
                return result;
            }
            if (!approved)
            {
                if (!approve(edit))
                {
                    return null;
                }
                approved = true;
            }
            // Someone else (virsh edit, virt-manager, another host) may have defined it since we read it: define
            // only over the definition we changed, else make the same change again on theirs.
            if (dom.GetInactiveXml() != read)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new VirtioFsException(ErrorIds.DomainChangedConcurrently, VirtioFsErrorKind.InvalidOperation,
                        $"Domain '{dom.Name}' changed in libvirt {attempt} times while we were editing it; nothing was written.", dom.Name,
                        "Find what keeps redefining it (virsh edit, virt-manager, a script), then run the command again.");
                }
                Thread.Sleep(Random.Shared.Next(10, 60) * attempt);
                continue;
            }
            _connection.Define(edit.NewXml, dom.Name);
            if (readBack)
            {
                // libvirt's own form of what it now holds (addresses it assigned, defaults it spells out), read on the
                // handle in hand rather than after a second lookup.
                result.Written = DomainDocument.Parse(dom.GetInactiveXml(), Label);
            }
            result.Messages.Add($"Defined domain '{dom.Name}' on {_connection.Uri}" + (attempt > 1 ? $" (it changed meanwhile; the edit was made again on the new definition, attempt {attempt})." : "."));
            if (!dom.IsActive)
            {
                return result;
            }
            if (live == LiveAction.None)
            {
                if (edit.OnlyMetadata)
                {
                    return result;
                }
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
                if (live is LiveAction.Attach or LiveAction.AttachDevice)
                {
                    dom.AttachLive(edit.DeviceXml);
                    result.Messages.Add($"Hot-plugged the {(live == LiveAction.AttachDevice ? "device" : "share")} into running domain '{dom.Name}'.");
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
                result.Warnings.Add($"{e.Message}. The definition is changed; it applies at the next boot (shut the guest down and start it).");
            }
            return result;
        }
    }

    public void Stamp(VirtioFsShare share) => share.ConnectionUri = _connection.Uri;

    public void Stamp(VirtioFsSharedMemory memory) => memory.ConnectionUri = _connection.Uri;
}

/// <summary>What <see cref="LibvirtDomainTarget.ReadState"/> read on one lookup.</summary>
internal sealed record LibvirtDomainState(DomainDocument Definition, bool IsActive, DomainDocument? Live);
