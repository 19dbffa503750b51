// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>How one share of a domain compares with the declaration; <see cref="Kind"/> is null when it matches.</summary>
internal sealed class ShareDrift
{
    public ShareDrift(string tag, string mapping, VirtioFsMappingDriftKind? kind)
    {
        Tag = tag;
        Mapping = mapping;
        Kind = kind;
    }

    public string Tag { get; }

    public string Mapping { get; }

    public VirtioFsMappingDriftKind? Kind { get; }

    public DeclaredShare? Declared { get; init; }

    /// <summary>The marker a declared share should carry.</summary>
    public ShareMark? Mark { get; init; }

    public VirtioFsShare? Actual { get; init; }

    public List<string> Differences { get; } = new();

    /// <summary>For Different: only the source and options that differ, as Set-VirtioFsShare would be asked.</summary>
    public ShareSettings? Changes { get; init; }

    /// <summary>For Different: whether anything but the managed marker differs.</summary>
    public bool ShareDiffers => Changes is not null && (Changes.Source is not null || HasAskedOption(Changes));

    /// <summary>The drift as Test-VirtioFsMapping reports it; null when the share matches.</summary>
    public VirtioFsMappingDrift? ToPublic(string uri, string host, string domain)
    {
        if (Kind is not { } kind)
        {
            return null;
        }
        VirtioFsShare? expected = null;
        if (Declared is not null)
        {
            expected = FilesystemElement.Read(FilesystemElement.Create(Declared.Settings()));
            expected.Domain = domain;
            expected.ConnectionUri = uri;
        }
        if (Actual is not null)
        {
            Actual.ConnectionUri = uri;
        }
        return new VirtioFsMappingDrift(uri, host, domain, Tag, Mapping, kind)
        {
            Expected = expected,
            Actual = Actual,
            Differences = Differences.ToArray(),
        };
    }

    /// <summary>What Sync-VirtioFsMapping did about this share.</summary>
    public VirtioFsMappingSyncResult ToResult(string uri, string host, string domain, VirtioFsMappingSyncAction action) =>
        new(uri, host, domain, Tag, Mapping, action) { Differences = Differences.ToArray() };

    private static bool HasAskedOption(ShareSettings s)
    {
        foreach (var option in ShareOptions.Settable)
        {
            if (option.IsAsked(s))
            {
                return true;
            }
        }
        return false;
    }
}
