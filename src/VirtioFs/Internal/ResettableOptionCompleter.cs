// SPDX-License-Identifier: MIT
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.Domain;

namespace VirtioFs.Internal;

/// <summary>Completes Set-VirtioFsShare -Reset with the options the table says may be reset.</summary>
public sealed class ResettableOptionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionSupport.Pattern(wordToComplete);
        return ShareOptions.ResettableNames.Where(n => pattern.IsMatch(n))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, $"-{n} ({ShareOptions.Find(n)!.XmlName})"))
            .ToList();
    }
}
