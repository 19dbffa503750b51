// SPDX-License-Identifier: MIT
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Adds a directory mapping to the mapping file: a name (the shares' mount tag), a directory per host, and
/// share options for every share made from it. -WhatIf shows the file's diff.
/// </summary>
[Cmdlet(VerbsCommon.New, "VirtioFsMapping", SupportsShouldProcess = true)]
[OutputType(typeof(VirtioFsMapping))]
public sealed class NewVirtioFsMappingCommand : MappingOptionsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Host key to directory, e.g. @{ kvm1 = '/srv/data'; localhost = '/data' }.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public IDictionary Path { get; set; } = new Hashtable();

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? Description { get; set; }

    /// <summary>A mapping to copy (Get-VirtioFsMapping output, e.g. from another file): its options and description unless given.</summary>
    [Parameter(ValueFromPipeline = true)]
    public VirtioFsMapping? InputObject { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            MappingNames.Validate(Name);
            var entry = new MappingEntry(Name) { Description = string.IsNullOrEmpty(Description) ? InputObject?.Description : Description };
            foreach (var (host, directory) in HostPaths(Path))
            {
                entry.Paths[host] = directory;
            }
            if (entry.Paths.Count == 0)
            {
                throw NoPath(Name);
            }
            foreach (var o in InputObject?.Options ?? new Dictionary<string, object>())
            {
                if (ShareOptions.Find(o.Key) is { } option)
                {
                    entry.Options[option.Name] = MappingOptionValues.Normalize(option, o.Value);
                }
            }
            foreach (var (option, value) in GivenOptions())
            {
                entry.Options[option.Name] = value;
            }
            string file = MappingFile;
            var result = EditMappings($"Add mapping '{Name}'", doc =>
            {
                if (doc.Find(Name) is { } existing)
                {
                    throw new VirtioFsException(ErrorIds.MappingExists, VirtioFsErrorKind.ResourceExists,
                        $"{file} already has a mapping '{existing.Name}'; names are compared ignoring case.", Name,
                        "Change it with Set-VirtioFsMapping, or choose another -Name.");
                }
                doc.Mappings[Name] = entry;
            });
            if (result is not null)
            {
                WriteObject(result.After.Get(Name, file).ToPublic(file));
            }
        });
    }
}
