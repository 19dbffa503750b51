// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using VirtioFs.QemuConfig;

namespace VirtioFs.Internal;

/// <summary>
/// Tab completion of Get-VirtioFsQemuConfig -Name: the keys the config file sets or lists as
/// commented defaults (qemu.conf documents every key that way), plus the ones this module knows.
/// </summary>
public sealed class QemuConfigKeyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = CompletionSupport.Pattern(wordToComplete);
        var names = new SortedSet<string>(QemuConfigKeys.Known.Select(k => k.Name), StringComparer.Ordinal);
        try
        {
            string path = fakeBoundParameters["Path"] as string ?? QemuConfigFile.DefaultPath;
            names.UnionWith(new QemuConfigFile(CompletionSupport.ResolveAgainstLocation(path)).Names());
        }
        catch (Exception)
        {
            // Completion must never throw at the user: an unreadable file still leaves the known keys.
        }
        return names.Where(pattern.IsMatch)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n)).ToList();
    }
}
