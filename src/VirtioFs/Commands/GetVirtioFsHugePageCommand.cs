// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Lists the host's hugepage pools: every page size, host-wide (NumaNode -1) and per NUMA node.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsHugePage")]
[OutputType(typeof(VirtioFsHugePagePool))]
public sealed class GetVirtioFsHugePageCommand : VirtioFsCmdlet
{
    /// <summary>Only these page sizes (2M, 1G, 2048KB ...).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(PageSizeCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] PageSize { get; set; } = [];

    /// <summary>Only these NUMA nodes; -1 selects the host-wide pools.</summary>
    [Parameter]
    [ValidateRange(-1, int.MaxValue)]
    public int[] NumaNode { get; set; } = [];

    protected override void EndProcessing()
    {
        var sysfs = new HugePageSysfs();
        try
        {
            var offered = sysfs.OfferedPageSizesKiB();
            if (offered.Count == 0)
            {
                ThrowCoreError(new VirtioFsException("HugePagesNotSupported", ErrorKind.NotEnabled,
                    "This kernel offers no hugepages (/sys/kernel/mm/hugepages is missing or empty).",
                    "/sys/kernel/mm/hugepages", "Use a kernel built with CONFIG_HUGETLBFS."));
            }
            var sizes = new HashSet<long>(PageSize.Select(p => HugePages.PageSize.ParseOffered(p, offered)));
            var nodes = sysfs.NumaNodes();
            foreach (var n in NumaNode.Where(n => n >= 0 && !nodes.Contains(n)))
            {
                WriteCoreError(new VirtioFsException("NumaNodeNotFound", ErrorKind.ObjectNotFound,
                    $"NUMA node {n} does not exist or has no hugepages; nodes: {string.Join(", ", nodes)}.", n));
            }
            foreach (var pool in sysfs.ReadPools())
            {
                if ((sizes.Count == 0 || sizes.Contains(pool.PageSizeKiB)) &&
                    (NumaNode.Length == 0 || NumaNode.Contains(pool.NumaNode)))
                {
                    WriteObject(pool);
                }
            }
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
        }
    }
}
