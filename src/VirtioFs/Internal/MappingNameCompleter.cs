// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.Mappings;

namespace VirtioFs.Internal;

/// <summary>Tab completion of mapping names from the file named by -MappingPath (or the default file).</summary>
public sealed class MappingNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionSupport.Pattern(wordToComplete);
        try
        {
            string file = fakeBoundParameters["MappingPath"] is string { Length: > 0 } given
                ? CompletionSupport.ResolveAgainstLocation(given)
                : MappingStore.DefaultPath();
            return MappingStore.Load(file).Mappings.Values
                .Where(m => pattern.IsMatch(m.Name))
                .OrderBy(m => m.Name, StringComparer.Ordinal)
                .Select(m => new CompletionResult(CompletionSupport.Quote(m.Name), m.Name, CompletionResultType.ParameterValue,
                    m.Description is { Length: > 0 } d ? $"{m.Name}: {d}" : $"{m.Name} ({string.Join(", ", m.Paths.Keys)})"))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never throw at the user: a missing or broken file means no suggestions.
            return Array.Empty<CompletionResult>();
        }
    }
}
