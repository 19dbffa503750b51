// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Mappings;

namespace VirtioFs.Internal;

/// <summary>
/// Base of the cmdlets that read or change the mapping file: -MappingPath (default $env:VIRTIOFS_MAPPING_PATH,
/// else $XDG_CONFIG_HOME/virtiofs/mappings.json, else ~/.config/virtiofs/mappings.json), and every change
/// through MappingStore.Edit with the file's unified diff shown by -WhatIf and -Confirm.
/// </summary>
public abstract class MappingCmdlet : VirtioFsCmdlet
{
    /// <summary>The mapping file; binds MappingPath from the objects the mapping cmdlets write.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>The file this command works on, resolved against the PowerShell location.</summary>
    internal string MappingFile => MappingFileOf(MappingPath);

    /// <summary>
    /// Changes the mapping file: <paramref name="change"/> edits a copy (throwing, with nothing written, when the
    /// change is invalid); ShouldProcess shows the diff. Null when declined or -WhatIf; otherwise the result
    /// (Written is false when nothing needed to change).
    /// </summary>
    internal MappingEditResult? EditMappings(string action, Action<MappingDocument> change)
    {
        string file = MappingFile;
        var result = MappingStore.Edit(file, change, diff =>
            ShouldProcess($"{action} in {file}:{Environment.NewLine}{diff}", $"{action} in {file}? The change:{Environment.NewLine}{diff}", action),
            CancelToken);
        if (result is { Written: false })
        {
            WriteVerbose($"{file}: nothing to change.");
        }
        else if (result is { Written: true })
        {
            WriteVerbose($"Wrote {file}.");
        }
        return result;
    }

    /// <summary>
    /// The host-to-directory pairs of a -Path hashtable, each key and directory checked (MappingHostKeyInvalid,
    /// SourceNotAbsolute) and no host twice: a Dictionary may hold keys that differ only in case.
    /// </summary>
    internal static List<(string Host, string Directory)> HostPaths(IDictionary paths)
    {
        var result = new List<(string, string)>();
        var seen = new HashSet<string>(MappingHosts.KeyComparer);
        foreach (DictionaryEntry e in paths)
        {
            string? host = Text(e.Key);
            MappingHosts.ValidateKey(host);
            if (!seen.Add(host!))
            {
                throw new VirtioFsException(ErrorIds.MappingHostKeyInvalid, VirtioFsErrorKind.InvalidArgument,
                    $"Host '{host}' is given twice in -Path (host keys are compared ignoring case).", host, "Give each host once.");
            }
            string? directory = Text(e.Value);
            MappingStore.ValidateDirectory(directory, host!);
            result.Add((host!, directory!));
        }
        return result;
    }

    /// <summary>A mapping must name a directory for at least one host, or no share could be made from it.</summary>
    internal static VirtioFsException NoPath(string name) =>
        new(ErrorIds.MappingHasNoPath, VirtioFsErrorKind.InvalidArgument,
            $"Mapping '{name}' would have no directory for any host; a share is made from a host's directory.", name,
            "Give at least one host and directory, e.g. -Path @{ localhost = '/srv/data' }, or remove the mapping with Remove-VirtioFsMapping.");

    private static string? Text(object? value) => (value is PSObject p ? p.BaseObject : value) switch
    {
        null => null,
        string s => s,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture),
    };
}
