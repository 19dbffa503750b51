// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>
/// One share Sync-VirtioFsMapping looked at, and what it did: every share the declaration puts on a host
/// (Action None when it already matched) and every extra managed share. <see cref="Changed"/> is true only
/// when the domain was written, so a second run reports Changed = False for every share.
/// </summary>
public sealed class VirtioFsMappingSyncResult
{
    internal VirtioFsMappingSyncResult(string connectionUri, string host, string domain, string tag, string mapping, VirtioFsMappingSyncAction action)
    {
        ConnectionUri = connectionUri;
        Host = host;
        Domain = domain;
        Tag = tag;
        Mapping = mapping;
        Action = action;
    }

    public string ConnectionUri { get; }

    /// <summary>The host as the mapping keys name it: the URI's host part, or localhost.</summary>
    public string Host { get; }

    public string Domain { get; }

    public string Tag { get; }

    public string Mapping { get; }

    public VirtioFsMappingSyncAction Action { get; }

    public bool Changed => Action is VirtioFsMappingSyncAction.Added or VirtioFsMappingSyncAction.Changed or VirtioFsMappingSyncAction.Removed;

    /// <summary>What was (or, for Kept, would be) changed: "Property: before -> after" lines.</summary>
    public IReadOnlyList<string> Differences { get; internal set; } = Array.Empty<string>();

    public override string ToString() => $"{Action} {Domain}:{Tag} on {Host}";
}
