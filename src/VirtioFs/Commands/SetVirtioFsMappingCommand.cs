// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Changes a mapping: adds or replaces host directories (-Path), removes hosts (-RemoveHost), sets options
/// (switches as given: -Xattr:$false stores false), removes options (-Reset) and the description. Anything
/// not given stays. Shares already made are changed by Sync-VirtioFsMapping, not here.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VirtioFsMapping", SupportsShouldProcess = true)]
[OutputType(typeof(VirtioFsMapping))]
public sealed class SetVirtioFsMappingCommand : MappingOptionsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Hosts to add, or whose directory changes: host key to directory.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNull]
    public IDictionary? Path { get; set; }

    /// <summary>Host keys to remove (as the mapping spells them, ignoring case).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] RemoveHost { get; set; } = Array.Empty<string>();

    /// <summary>The new description; an empty string removes it.</summary>
    [Parameter]
    [AllowEmptyString]
    [AllowNull]
    public string? Description { get; set; }

    /// <summary>Options to remove from the mapping, so shares made from it get libvirt's default.</summary>
    [Parameter]
    [ValidateResettableOption]
    [ArgumentCompleter(typeof(ResettableOptionCompleter))]
    public string[] Reset { get; set; } = Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            RefuseSetAndReset(Reset);
            var paths = Path is null ? [] : HostPaths(Path);
            var options = GivenOptions();
            string file = MappingFile;
            var result = EditMappings($"Change mapping '{Name}'", doc =>
            {
                var entry = doc.Get(Name, file);
                foreach (var (host, directory) in paths)
                {
                    entry.Paths[host] = directory;
                }
                foreach (string host in RemoveHost)
                {
                    if (!entry.Paths.Remove(host))
                    {
                        throw MappingHosts.Missing(entry, host);
                    }
                }
                if (entry.Paths.Count == 0)
                {
                    throw NoPath(entry.Name);
                }
                if (IsBound(nameof(Description)))
                {
                    entry.Description = string.IsNullOrEmpty(Description) ? null : Description;
                }
                foreach (var (option, value) in options)
                {
                    entry.Options[option.Name] = value;
                }
                foreach (string r in Reset)
                {
                    entry.Options.Remove(ShareOptions.Find(r)!.Name);
                }
                // The declaration must stay possible: every host it assigns this mapping to keeps a directory.
                foreach (var a in doc.AssignmentsOf(entry.Name))
                {
                    if (MappingHosts.Find(entry, a.ConnectionUri) is null)
                    {
                        throw new VirtioFsException(ErrorIds.MappingAssigned, VirtioFsErrorKind.InvalidOperation,
                            $"The declaration assigns mapping '{entry.Name}' to domain '{a.Domain}' on {a.ConnectionUri}, which would have no directory; nothing was written.",
                            a.ConnectionUri, $"Remove the assignment first (Remove-VirtioFsMappingAssignment -Name '{entry.Name}' -ConnectionUri '{a.ConnectionUri}'), then Sync-VirtioFsMapping -Prune.");
                    }
                }
            });
            if (result is not null && PassThru)
            {
                WriteObject(result.After.Get(Name, file).ToPublic(file));
            }
        });
    }
}
