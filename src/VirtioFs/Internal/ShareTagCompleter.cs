// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.Domain;

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
        var pattern = CompletionSupport.Pattern(wordToComplete);
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
            .Select(CompletionSupport.Result).ToList();
    }

    private static List<string> ReadTags(IDictionary bound)
    {
        DomainDocument doc;
        if (CompletionSupport.First(bound["Path"]) is { Length: > 0 } path)
        {
            doc = new FileDomainTarget(CompletionSupport.ResolveAgainstLocation(path), checkHostPaths: false).Load();
        }
        else if (CompletionSupport.First(bound["Domain"]) is { Length: > 0 } domain)
        {
            using var conn = CompletionSupport.OpenConnection(bound);
            doc = new LibvirtDomainTarget(conn, domain, skipSourceCheck: true).Load();
        }
        else
        {
            return [];
        }
        return doc.VirtioFsFilesystems.Select(FilesystemElement.TagOf).OfType<string>().ToList();
    }
}
