// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Declares that a mapping belongs in domains (names or wildcards) on hosts (libvirt URIs). Each host must
/// have a directory in the mapping. Sync-VirtioFsMapping then makes it so; adding what is declared already
/// changes nothing.
/// </summary>
[Cmdlet(VerbsCommon.Add, "VirtioFsMappingAssignment", SupportsShouldProcess = true)]
[OutputType(typeof(VirtioFsMappingAssignment))]
public sealed class AddVirtioFsMappingAssignmentCommand : MappingCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Mapping")]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Domain names or wildcard patterns (case-sensitive, as libvirt's names).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Domain { get; set; } = Array.Empty<string>();

    /// <summary>The hosts, as the libvirt URIs that reach them.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] ConnectionUri { get; set; } = Array.Empty<string>();

    /// <summary>Writes the assignments (new or already there) to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            foreach (string uri in ConnectionUri)
            {
                MappingStore.ValidateConnectionUri(uri);
            }
            string file = MappingFile;
            var wanted = new List<MappingAssignment>();
            var result = EditMappings($"Assign mapping '{Name}' to {string.Join(", ", Domain)} on {string.Join(", ", ConnectionUri)}", doc =>
            {
                wanted.Clear();
                var mapping = doc.Get(Name, file);
                foreach (string uri in ConnectionUri)
                {
                    MappingHosts.Resolve(mapping, uri);
                    foreach (string domain in Domain)
                    {
                        var a = new MappingAssignment(mapping.Name, uri, domain);
                        wanted.Add(doc.Assignments.FirstOrDefault(a.SameAs) ?? a);
                        if (!doc.Assignments.Any(a.SameAs))
                        {
                            doc.Assignments.Add(a);
                        }
                    }
                }
            });
            if (result is not null && PassThru)
            {
                foreach (var a in wanted)
                {
                    WriteObject(new VirtioFsMappingAssignment(a.Mapping, a.ConnectionUri, a.Domain, file));
                }
            }
        });
    }
}
