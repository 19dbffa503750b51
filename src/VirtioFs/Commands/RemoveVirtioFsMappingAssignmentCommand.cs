// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Removes assignments from the declaration: those of the mapping, narrowed by -ConnectionUri and -Domain
/// (compared with what the declaration says, not as patterns). The shares stay until Sync-VirtioFsMapping -Prune.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VirtioFsMappingAssignment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveVirtioFsMappingAssignmentCommand : MappingCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Mapping")]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Only the assignments to these hosts (as the declaration spells the URIs, ignoring case); all when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? ConnectionUri { get; set; }

    /// <summary>Only these domain entries (the name or pattern exactly as declared); all when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Domain { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            string file = MappingFile;
            EditMappings($"Remove assignments of mapping '{Name}'", doc =>
            {
                int removed = doc.Assignments.RemoveAll(a =>
                    string.Equals(a.Mapping, Name, StringComparison.OrdinalIgnoreCase)
                    && (ConnectionUri is null || ConnectionUri.Contains(a.ConnectionUri, StringComparer.OrdinalIgnoreCase))
                    && (Domain is null || Domain.Contains(a.Domain, StringComparer.Ordinal)));
                if (removed == 0)
                {
                    throw new VirtioFsException(ErrorIds.MappingAssignmentNotFound, VirtioFsErrorKind.ObjectNotFound,
                        $"{file} has no assignment of mapping '{Name}'"
                        + (ConnectionUri is null ? string.Empty : $" on {string.Join(", ", ConnectionUri)}")
                        + (Domain is null ? string.Empty : $" for domain {string.Join(", ", Domain)}") + "; nothing was written.",
                        Name, "List the declaration with Get-VirtioFsMappingAssignment; URIs and domain patterns are compared as written there.");
                }
            });
        });
    }
}
