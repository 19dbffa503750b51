// SPDX-License-Identifier: MIT
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.HugePages;

namespace VirtioFs.Internal;

/// <summary>Completes -PageSize with the sizes this kernel offers (2M, 1G).</summary>
public sealed class PageSizeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionSupport.Pattern(wordToComplete);
        return new HugePageSysfs().OfferedPageSizesKiB()
            .Select(PageSize.FormatKernel)
            .Where(s => pattern.IsMatch(s))
            .Select(s => new CompletionResult(s, s, CompletionResultType.ParameterValue, PageSize.Format(PageSize.ParseKiB(s))))
            .ToList();
    }
}
