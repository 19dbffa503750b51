// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>Tab completion of -Domain from the libvirt connection named by -ConnectionUri.</summary>
public sealed class DomainNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        // Of several hosts, the first one's domains: each completion opens a connection, and over ssh that takes a while.
        string? uri = CompletionSupport.First(fakeBoundParameters["ConnectionUri"]);
        var pattern = CompletionSupport.Pattern(wordToComplete);
        List<string> names;
        try
        {
            using var conn = LibvirtConnection.Open(LibvirtCmdlet.EffectiveUri(uri));
            names = conn.ListDomains().Select(d => { using (d) { return d.Name; } }).ToList();
        }
        catch (Exception)
        {
            // Completion must never throw at the user; no libvirt simply means no suggestions.
            return Array.Empty<CompletionResult>();
        }
        return names.Where(pattern.IsMatch).OrderBy(n => n, StringComparer.Ordinal).Select(CompletionSupport.Result).ToList();
    }
}
