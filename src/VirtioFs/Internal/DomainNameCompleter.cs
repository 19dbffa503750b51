// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtioFs.Internal;

/// <summary>Tab completion of -Domain from the libvirt connection named by -ConnectionUri.</summary>
public sealed class DomainNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionSupport.Pattern(wordToComplete);
        List<string> names;
        try
        {
            using var conn = CompletionSupport.OpenConnection(fakeBoundParameters);
            names = DomainSelection.AllNames(conn);
        }
        catch (Exception)
        {
            // Completion must never throw at the user; no libvirt simply means no suggestions.
            return Array.Empty<CompletionResult>();
        }
        return names.Where(pattern.IsMatch).Select(CompletionSupport.Result).ToList();
    }
}
