// SPDX-License-Identifier: MIT
using System;
using System.Management.Automation;
using VirtioFs.Domain;

namespace VirtioFs.Internal;

/// <summary>
/// Base of the cmdlets that read domains and report on each: Get-VirtioFsShare, Get-VirtioFsSharedMemory and
/// Test-VirtioFsDomain. Domain XML files (wildcards, or FileInfo from Get-ChildItem) or libvirt domains
/// (names, UUIDs, wildcards, or all), bound the same way in each.
/// </summary>
public abstract class DomainReaderCmdlet : LibvirtCmdlet
{
    /// <summary>Domain XML files; wildcards allowed; binds FullName from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Domain names or UUIDs (wildcards allowed); all domains when omitted.</summary>
    [Parameter(ParameterSetName = DomainSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Domain { get; set; }

    /// <summary>
    /// libvirt URIs, one per host, read at once (see -ThrottleLimit); default $env:LIBVIRT_DEFAULT_URI, else
    /// qemu:///system. A piped object's empty URI means the default.
    /// </summary>
    [Parameter(ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? ConnectionUri { get; set; }

    /// <summary>Shown by Write-Progress while many domains are read.</summary>
    private protected abstract string Activity { get; }

    /// <summary>Whether the files read by -Path are for this host (their source directories can be checked here).</summary>
    private protected virtual bool CheckHostPathsOfFiles => false;

    /// <summary>Writes what this cmdlet reports about one domain.</summary>
    private protected abstract void Emit(IDomainTarget target);

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            ReadDomains(Path, null, null, CheckHostPathsOfFiles, Activity, Emit);
            return;
        }
        string[]? domains = Domain; // this record's: the next one may bind others while the hosts run
        ForEachHost(ConnectionUri, uri => ReadDomains([], domains, uri, CheckHostPathsOfFiles, Activity, Emit));
    }
}
