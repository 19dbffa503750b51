// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>
/// One entry of the desired-state declaration: the mapping <see cref="Mapping"/> belongs in the domains
/// <see cref="Domain"/> (a name or a wildcard pattern) on the host at <see cref="ConnectionUri"/>.
/// Binds by property name to Remove-VirtioFsMappingAssignment, Test- and Sync-VirtioFsMapping.
/// </summary>
public sealed class VirtioFsMappingAssignment
{
    internal VirtioFsMappingAssignment(string mapping, string connectionUri, string domain, string mappingPath)
    {
        Mapping = mapping;
        ConnectionUri = connectionUri;
        Domain = domain;
        MappingPath = mappingPath;
    }

    public string Mapping { get; }

    public string ConnectionUri { get; }

    /// <summary>A domain name, or a pattern with * ? [..] matched against the host's domain names (case-sensitive).</summary>
    public string Domain { get; }

    /// <summary>The mapping file that holds the declaration.</summary>
    public string MappingPath { get; }

    public override string ToString() => $"{Mapping} -> {Domain} on {ConnectionUri}";
}
