// SPDX-License-Identifier: MIT
using System;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

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
