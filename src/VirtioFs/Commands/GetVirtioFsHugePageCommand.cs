// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>
/// Lists the host's hugepage pools (every page size, host-wide as NumaNode -1 and per NUMA node),
/// through sysfs or, with -ConnectionUri, through libvirt; with -Path/-Domain, what that domain
/// needs from them and whether it is free.
/// </summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsHugePage", DefaultParameterSetName = PoolSet)]
[OutputType(typeof(VirtioFsHugePagePool), ParameterSetName = [PoolSet])]
[OutputType(typeof(VirtioFsHugePageRequirement), ParameterSetName = [PathSet, DomainSet])]
public sealed class GetVirtioFsHugePageCommand : LibvirtCmdlet
{
    private const string PoolSet = "Pool";

    /// <summary>Only these page sizes (2M, 1G, 2048KB ...).</summary>
    [Parameter(Position = 0, ParameterSetName = PoolSet)]
    [SizeTransformation]
    [ArgumentCompleter(typeof(PageSizeCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] PageSize { get; set; } = [];

    /// <summary>Only these NUMA nodes; -1 selects the host-wide pools.</summary>
    [Parameter(ParameterSetName = PoolSet)]
    [ValidateRange(-1, int.MaxValue)]
    public int[] NumaNode { get; set; } = [];

    /// <summary>Domain XML files whose hugepage needs to check against this host's pools; wildcards allowed, binds FullName.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>
    /// libvirt domains (names, UUIDs, wildcards) whose hugepage needs to check against their host's pools. Bound
    /// like -Domain of Get-VirtioFsShare, except that it is mandatory here: without it the command lists pools.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = DomainSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Domain { get; set; } = [];

    /// <summary>
    /// Read the pools (and the domains) through libvirt at these URIs, one per host, at once (see -ThrottleLimit),
    /// instead of this host's sysfs. A local pool pipes in with a null URI: sysfs.
    /// </summary>
    [Parameter(ParameterSetName = PoolSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? ConnectionUri { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            ReadDomains(Path, null, null, checkHostPathsOfFiles: false, "Reading hugepage needs", WriteRequirements);
            return;
        }
        if (ParameterSetName == PoolSet)
        {
            // Without a URI the pools are this host's sysfs (null), not the default libvirt URI's.
            ForEachHost(ConnectionUri, WritePools);
            return;
        }
        string[] domains = Domain;
        ForEachHost(ConnectionUri, uri => ReadDomains([], domains, uri, checkHostPathsOfFiles: false, "Reading hugepage needs", WriteRequirements));
    }

    private void WritePools(string? uri)
    {
        IHugePageHost host = HugePageHosts.For(uri is null ? null : Connect(uri), HugePagePurpose.Pools);
        var offered = host.OfferedPageSizesKiB();
        if (offered.Count == 0)
        {
            throw new VirtioFsException(ErrorIds.HugePagesNotSupported, VirtioFsErrorKind.NotEnabled,
                host.ConnectionUri is null
                    ? "This kernel offers no hugepages (/sys/kernel/mm/hugepages is missing or empty)."
                    : $"The host at {host.ConnectionUri} offers no hugepages (its capabilities list no hugepage size).",
                host.ConnectionUri ?? "/sys/kernel/mm/hugepages", "Use a kernel built with CONFIG_HUGETLBFS.");
        }
        var sizes = new HashSet<long>(PageSize.Select(p => HugePages.PageSize.ParseOffered(p, offered)));
        var nodes = host.NumaNodes();
        foreach (var n in NumaNode.Where(n => n >= 0 && !nodes.Contains(n)))
        {
            WriteCoreError(new VirtioFsException(ErrorIds.NumaNodeNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"NUMA node {n} does not exist or has no hugepages; nodes: {string.Join(", ", nodes)}.", n));
        }
        foreach (var pool in host.ReadPools())
        {
            if ((sizes.Count == 0 || sizes.Contains(pool.PageSizeKiB)) &&
                (NumaNode.Length == 0 || NumaNode.Contains(pool.NumaNode)))
            {
                WriteObject(pool);
            }
        }
    }

    private void WriteRequirements(IDomainTarget target)
    {
        var libvirt = target as LibvirtDomainTarget;
        var host = HugePageHosts.For(libvirt?.Connection, HugePagePurpose.Domain);
        var state = libvirt?.ReadState(withLive: false);
        if (state is { IsActive: true })
        {
            WriteWarning($"{libvirt!.Label} is running: the pages it uses are not free, so the figures are what it needs to start again once shut down.");
        }
        var doc = state?.Definition ?? target.Load();
        var needs = HugePageRequirements.Compute(doc, host);
        if (!needs.UsesHugePages)
        {
            // Not an error: such a domain needs no hugepages, and a script asking about many domains goes on.
            WriteWarning($"Domain '{doc.Name}' does not use hugepages (no <memoryBacking><hugepages>): it needs none. " +
                         "Enable-VirtioFsSharedMemory -Backing HugePages -AllocateHugePages sets them up.");
            return;
        }
        foreach (var note in needs.Notes)
        {
            WriteVerbose(note);
        }
        foreach (var warning in needs.Blockers.Concat(needs.Warnings))
        {
            WriteWarning(warning);
        }
        foreach (var r in needs.Requirements)
        {
            if (target is FileDomainTarget file)
            {
                r.Path = file.FullPath;
            }
            else
            {
                r.ConnectionUri = libvirt!.Connection.Uri;
            }
            WriteObject(r);
        }
    }
}
