// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.Domain;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>
/// Tab completion of -Tag from the virtio-fs shares of the domain already named on the command
/// line: -Path (a domain XML file) or -Domain with -ConnectionUri.
/// </summary>
public sealed class ShareTagCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        List<string> tags;
        try
        {
            tags = ReadTags(fakeBoundParameters);
        }
        catch (Exception)
        {
            // Completion must never throw at the user: an unreadable file or no libvirt means no suggestions.
            return Array.Empty<CompletionResult>();
        }
        return tags.Where(pattern.IsMatch).Distinct(StringComparer.Ordinal).OrderBy(t => t, StringComparer.Ordinal)
            .Select(t => new CompletionResult(DomainNameCompleter.Quote(t), t, CompletionResultType.ParameterValue, t)).ToList();
    }

    private static List<string> ReadTags(IDictionary bound)
    {
        DomainDocument doc;
        if (First(bound["Path"]) is { Length: > 0 } path)
        {
            doc = new FileDomainTarget(ResolveAgainstLocation(path), checkHostPaths: false).Load();
        }
        else if (First(bound["Domain"]) is { Length: > 0 } domain)
        {
            using var conn = LibvirtConnection.Open(DomainCmdlet.EffectiveUri(bound["ConnectionUri"] as string));
            doc = new LibvirtDomainTarget(conn, domain, skipSourceCheck: true).Load();
        }
        else
        {
            return [];
        }
        return doc.VirtioFsFilesystems.Select(FilesystemElement.TagOf).OfType<string>().ToList();
    }

    /// <summary>A path as the cmdlets resolve it: relative to the PowerShell location, not the process's directory.</summary>
    internal static string ResolveAgainstLocation(string path)
    {
        string? here = FileSystemLocation();
        return here is null ? Path.GetFullPath(path) : Path.GetFullPath(path, here);
    }

    /// <summary>
    /// The session's file-system location. Completion runs inside a pipeline, where the runspace's
    /// SessionStateProxy refuses calls, so ask through a nested command on the same runspace.
    /// </summary>
    private static string? FileSystemLocation()
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("Microsoft.PowerShell.Management\\Get-Location").AddParameter("PSProvider", "FileSystem");
        return ps.Invoke().Select(o => (o.BaseObject as PathInfo)?.ProviderPath).FirstOrDefault();
    }

    /// <summary>-Path and -Domain are arrays on the readers; completion uses the first one given.</summary>
    private static string? First(object? value) => value switch
    {
        string s => s,
        IEnumerable e => e.Cast<object?>().Select(o => o?.ToString()).FirstOrDefault(),
        _ => null,
    };
}
