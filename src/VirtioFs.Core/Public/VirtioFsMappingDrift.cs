// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>
/// One difference Test-VirtioFsMapping found between the declaration and a domain: per host, domain and
/// tag. <see cref="Expected"/> is the share the declaration asks for (null for Extra), <see cref="Actual"/>
/// the share the domain has (null for Missing); <see cref="Differences"/> says what Sync-VirtioFsMapping
/// would change, one "Property: actual -> expected" line each.
/// </summary>
public sealed class VirtioFsMappingDrift
{
    internal VirtioFsMappingDrift(string connectionUri, string host, string domain, string tag, string mapping, VirtioFsMappingDriftKind kind)
    {
        ConnectionUri = connectionUri;
        Host = host;
        Domain = domain;
        Tag = tag;
        Mapping = mapping;
        Kind = kind;
    }

    public string ConnectionUri { get; }

    /// <summary>The host as the mapping keys name it: the URI's host part, or localhost.</summary>
    public string Host { get; }

    public string Domain { get; }

    public string Tag { get; }

    public string Mapping { get; }

    public VirtioFsMappingDriftKind Kind { get; }

    public VirtioFsShare? Expected { get; internal set; }

    public VirtioFsShare? Actual { get; internal set; }

    public IReadOnlyList<string> Differences { get; internal set; } = Array.Empty<string>();

    public override string ToString() => $"{Kind} {Domain}:{Tag} on {Host}";
}
