// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>Reads the declaration: which mappings belong in which domains on which hosts.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsMappingAssignment")]
[OutputType(typeof(VirtioFsMappingAssignment))]
public sealed class GetVirtioFsMappingAssignmentCommand : MappingCmdlet
{
    /// <summary>Only the assignments of these mappings (wildcards, ignoring case).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Mapping")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only the assignments to these hosts (URIs as the declaration spells them, ignoring case).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ConnectionUri { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            string file = MappingFile;
            var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
            foreach (var a in MappingStore.Load(file).Assignments.Order(MappingAssignment.Order))
            {
                if ((patterns is null || patterns.Any(p => p.IsMatch(a.Mapping)))
                    && (ConnectionUri is null || ConnectionUri.Contains(a.ConnectionUri, StringComparer.OrdinalIgnoreCase)))
                {
                    WriteObject(new VirtioFsMappingAssignment(a.Mapping, a.ConnectionUri, a.Domain, file));
                }
            }
        });
    }
}
