// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Internal;
using VirtioFs.Mappings;

namespace VirtioFs.Commands;

/// <summary>Reads the directory mappings of the mapping file.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsMapping")]
[OutputType(typeof(VirtioFsMapping))]
public sealed class GetVirtioFsMappingCommand : MappingCmdlet
{
    /// <summary>Mapping names (wildcards, ignoring case); all mappings when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            string file = MappingFile;
            var doc = MappingStore.Load(file);
            var all = doc.Mappings.Values.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
            if (Name is null)
            {
                all.ForEach(m => WriteObject(m.ToPublic(file)));
                return;
            }
            foreach (string name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                    all.Where(m => pattern.IsMatch(m.Name)).ToList().ForEach(m => WriteObject(m.ToPublic(file)));
                }
                else
                {
                    ForInput(() => WriteObject(doc.Get(name, file).ToPublic(file)));
                }
            }
        });
    }
}
