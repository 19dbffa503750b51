// SPDX-License-Identifier: MIT
using System.Linq;
using System.Management.Automation;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Lists virtiofsd daemons: the ones this module started and every other one in the process table.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsDaemon")]
[OutputType(typeof(VirtioFsDaemon))]
public sealed class GetVirtioFsDaemonCommand : VirtioFsCmdlet
{
    /// <summary>Daemon names; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DaemonNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Socket paths; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] SocketPath { get; set; } = [];

    /// <summary>Shared directories; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] SharedDirectory { get; set; } = [];

    protected override void ProcessRecord()
    {
        var all = DaemonCmdletSupport.Supervisor().List().ToList();
        if (Name.Length > 0)
        {
            foreach (var n in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
            {
                if (!all.Any(d => string.Equals(d.Name, n, System.StringComparison.OrdinalIgnoreCase)))
                {
                    WriteCoreError(DaemonCmdletSupport.NotFound(n));
                }
            }
        }
        foreach (var d in all)
        {
            if (Matches(Name, d.Name) && Matches(SocketPath, d.SocketPath) && Matches(SharedDirectory, d.SharedDirectory))
            {
                WriteObject(d);
            }
        }
    }

    private static bool Matches(string[] patterns, string? value) =>
        patterns.Length == 0
        || (value is not null && patterns.Any(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase).IsMatch(value)));
}
