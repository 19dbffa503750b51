// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>
/// Removes mappings from the mapping file. A mapping the declaration still assigns is refused unless -Force,
/// which removes its assignments too; shares already made from it stay in their domains (see the help).
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VirtioFsMapping", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(VirtioFsMapping))]
public sealed class RemoveVirtioFsMappingCommand : MappingCmdlet
{
    /// <summary>Mapping names (wildcards, ignoring case).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Also removes the mapping's assignments from the declaration.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the removed mappings to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string name in Name)
        {
            ForInput(() => RemoveMatching(name));
        }
    }

    private void RemoveMatching(string name)
    {
        string file = MappingFile;
        var removed = new List<VirtioFsMapping>();
        var result = EditMappings($"Remove mapping '{name}'", doc =>
        {
            removed.Clear();
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var targets = WildcardPattern.ContainsWildcardCharacters(name)
                ? doc.Mappings.Values.Where(m => pattern.IsMatch(m.Name)).ToList()
                : [doc.Get(name, file)];
            foreach (var m in targets)
            {
                var assigned = doc.AssignmentsOf(m.Name).ToList();
                if (assigned.Count > 0 && !Force)
                {
                    throw new VirtioFsException(ErrorIds.MappingAssigned, VirtioFsErrorKind.InvalidOperation,
                        $"The declaration still assigns mapping '{m.Name}' ({assigned.Count} assignment(s), e.g. domain '{assigned[0].Domain}' on {assigned[0].ConnectionUri}); nothing was written.",
                        m.Name, $"Remove its assignments (Remove-VirtioFsMappingAssignment -Name '{m.Name}') and run Sync-VirtioFsMapping -Prune to remove its shares, then remove the mapping; or -Force to remove the mapping and its assignments and leave the shares.");
                }
                doc.Assignments.RemoveAll(a => assigned.Contains(a));
                doc.Mappings.Remove(m.Name);
                removed.Add(m.ToPublic(file));
            }
        });
        if (result is not null && PassThru)
        {
            WriteObject(removed, enumerateCollection: true);
        }
    }
}
