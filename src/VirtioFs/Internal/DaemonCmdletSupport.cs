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
        new(ErrorIds.DaemonNotFound, VirtioFsErrorKind.ObjectNotFound, $"No virtiofsd named '{name}' was found.", name,
            "List the daemons with Get-VirtioFsDaemon.");

    /// <summary>Re-reads a piped daemon so its state is current (it may have exited since it was listed).</summary>
    public static VirtioFsDaemon Refresh(DaemonSupervisor s, VirtioFsDaemon d) =>
        s.List().FirstOrDefault(x => x.Name == d.Name && (x.ManagedBy == VirtioFsDaemonManager.VirtioFs || x.ProcessId == d.ProcessId))
        ?? throw NotFound(d.Name);
}
