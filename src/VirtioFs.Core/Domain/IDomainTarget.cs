// SPDX-License-Identifier: MIT
using System;
using System.Threading;

namespace VirtioFs.Domain;

/// <summary>Where a domain definition lives: a file or a libvirt connection.</summary>
internal interface IDomainTarget
{
    /// <summary>For messages and -WhatIf: the file path or "domain 'x' on uri".</summary>
    string Label { get; }

    HostContext Host { get; }

    DomainDocument Load();

    /// <summary>
    /// Reads the definition, builds the change from what it read, asks for approval and writes it, so that
    /// no other writer's edit can fall between the read and the write and be lost. A file is locked for the
    /// whole sequence; a libvirt domain is locked against this machine's other VirtioFs writers and defined
    /// only if it is still what was read, else read and changed again (a bounded number of times). Returns
    /// null when approval was refused; throws, having written nothing, when the change is invalid. With
    /// <paramref name="readBack"/> the definition as it now is comes back in CommitResult.Written, read while the
    /// target still holds what it needs for that (libvirt: the domain handle); null there means: Load it.
    /// </summary>
    CommitResult? Edit(Func<DomainDocument, DomainEdit> change, Func<DomainEdit, bool> approve, LiveAction live, CancellationToken ct, bool readBack = false);

    /// <summary>Sets the Path/ConnectionUri of objects read from this target.</summary>
    void Stamp(VirtioFsShare share);

    void Stamp(VirtioFsSharedMemory memory);
}
