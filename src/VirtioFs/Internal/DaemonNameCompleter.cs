// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace VirtioFs.Internal;

/// <summary>Completes -Name from the daemons on this host.</summary>
public sealed class DaemonNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionSupport.Pattern(wordToComplete);
        List<VirtioFsDaemon> daemons;
        try
        {
            daemons = DaemonCmdletSupport.Supervisor().List().ToList();
        }
        catch (Exception)
        {
            return []; // completion must never throw at the user
        }
        return daemons.Where(d => pattern.IsMatch(d.Name)).OrderBy(d => d.Name, StringComparer.Ordinal)
            .Select(d => new CompletionResult(CompletionSupport.Quote(d.Name), d.Name, CompletionResultType.ParameterValue,
                $"{d.Name}: pid {d.ProcessId}, {d.State}, {d.SharedDirectory}"))
            .ToList();
    }
}
