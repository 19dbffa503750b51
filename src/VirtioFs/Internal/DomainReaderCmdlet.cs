// SPDX-License-Identifier: MIT
using System;
using System.Management.Automation;
using VirtioFs.Domain;

namespace VirtioFs.Internal;

/// <summary>
/// The reading side shared by Get-VirtioFsShare and Get-VirtioFsSharedMemory: domain XML files
/// (wildcards, or FileInfo from Get-ChildItem) or libvirt domains (names, UUIDs, wildcards, or all).
/// </summary>
public abstract class DomainReaderCmdlet : DomainCmdlet
{
    /// <summary>Domain XML files; wildcards allowed; binds FullName from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Domain names or UUIDs (wildcards allowed); all domains when omitted.</summary>
    [Parameter(ParameterSetName = DomainSet, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Domain { get; set; }

    [Parameter(ParameterSetName = DomainSet)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

    /// <summary>Shown by Write-Progress while many domains are read.</summary>
    private protected abstract string Activity { get; }

    /// <summary>Writes what this cmdlet reports about one domain.</summary>
    private protected abstract void Emit(IDomainTarget target);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            foreach (string pattern in Path)
            {
                ForInput(() =>
                {
                    foreach (string file in ResolvePaths(pattern))
                    {
                        ForInput(() => Emit(new FileDomainTarget(file, checkHostPaths: false)));
                    }
                });
            }
            return;
        }
        ForInput(() =>
        {
            var conn = Connect(ConnectionUri);
            ForEachWithProgress(DomainSelection.Resolve(conn, Domain, this), Activity,
                name => ForInput(() => Emit(new LibvirtDomainTarget(conn, name, skipSourceCheck: true))));
        });
    }
}
