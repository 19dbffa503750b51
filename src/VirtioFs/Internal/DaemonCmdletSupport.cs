// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Daemon;
using VirtioFs.Errors;

namespace VirtioFs.Internal;

/// <summary>Shared by the *-VirtioFsDaemon cmdlets: the host view and name lookup with wildcards.</summary>
internal static class DaemonCmdletSupport
{
    /// <summary>The real host; the runtime directory honours $VIRTIOFS_RUNTIME_DIR at each call.</summary>
    public static DaemonSupervisor Supervisor() => new(new DaemonHost());

    /// <summary>Daemons matching any of the names (wildcards allowed); one error per literal name that matches nothing.</summary>
    public static List<VirtioFsDaemon> Resolve(DaemonSupervisor s, IEnumerable<string> names, Action<VirtioFsException> onMissing)
    {
        var all = s.List().ToList();
        var result = new List<VirtioFsDaemon>();
        foreach (var name in names)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var hits = all.Where(d => pattern.IsMatch(d.Name)).ToList();
            if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                onMissing(NotFound(name));
            }
            foreach (var d in hits)
            {
                if (!result.Any(r => r.Name == d.Name && r.ProcessId == d.ProcessId))
                {
                    result.Add(d);
                }
            }
        }
        return result;
    }

    public static VirtioFsException NotFound(string name) =>
        new(DaemonErrorIds.NotFound, ErrorKind.ObjectNotFound, $"No virtiofsd named '{name}' was found.", name,
            "List the daemons with Get-VirtioFsDaemon.");

    /// <summary>Re-reads a piped daemon so its state is current (it may have exited since it was listed).</summary>
    public static VirtioFsDaemon Refresh(DaemonSupervisor s, VirtioFsDaemon d) =>
        s.List().FirstOrDefault(x => x.Name == d.Name && (x.ManagedBy == VirtioFsDaemonManager.VirtioFs || x.ProcessId == d.ProcessId))
        ?? throw NotFound(d.Name);
}

/// <summary>Completes -Name from the daemons on this host.</summary>
public sealed class DaemonNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
    {
        var pattern = WildcardPattern.Get((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        IEnumerable<VirtioFsDaemon> daemons;
        try
        {
            daemons = DaemonCmdletSupport.Supervisor().List().ToList();
        }
        catch (Exception)
        {
            yield break; // completion must never throw at the user
        }
        foreach (var d in daemons.Where(d => pattern.IsMatch(d.Name)).OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var text = d.Name.Any(c => char.IsWhiteSpace(c) || c is '\'' or '$' or '`') ? "'" + d.Name.Replace("'", "''") + "'" : d.Name;
            yield return new CompletionResult(text, d.Name, CompletionResultType.ParameterValue,
                $"{d.Name}: pid {d.ProcessId}, {d.State}, {d.SharedDirectory}");
        }
    }
}
