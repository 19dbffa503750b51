// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>
/// Resizes one hugepage pool, reads back what the kernel really gave, compacts and retries when
/// short, and rolls back (or, with -AllowPartial, keeps the short pool with a warning).
/// </summary>
[Cmdlet(VerbsCommon.Set, "VirtioFsHugePage", SupportsShouldProcess = true, DefaultParameterSetName = CountSet)]
[OutputType(typeof(VirtioFsHugePagePool))]
public sealed class SetVirtioFsHugePageCommand : LibvirtCmdlet
{
    private const string CountSet = "Count";
    private const string AddSet = "Add";

    /// <summary>The number of pages the pool should hold.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CountSet)]
    [ValidateRange(0, long.MaxValue)]
    public long Count { get; set; }

    /// <summary>Pages to add to the pool (negative to release).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AddSet)]
    public long Add { get; set; }

    /// <summary>Page size (2M, 2MiB, 2048KB, 1G ...); default: the kernel's default hugepage size.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SizeTransformation]
    [ArgumentCompleter(typeof(PageSizeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? PageSize { get; set; }

    /// <summary>NUMA node whose pool to resize; -1 (default) for the host-wide pool.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(-1, int.MaxValue)]
    public int NumaNode { get; set; } = -1;

    /// <summary>
    /// Resize the pool of the hosts behind these libvirt URIs (virNodeAllocPages), at once (see -ThrottleLimit),
    /// instead of this host's sysfs; null or empty (a local pool piped in) is sysfs.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? ConnectionUri { get; set; }

    /// <summary>Keep what the kernel gave when it is fewer pages than asked, with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowPartial { get; set; }

    /// <summary>Also make the pool survive a reboot (sysctl.d, a boot unit, kernel command-line advice for 1 GiB pages).</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    protected override void ProcessRecord()
    {
        // This record's values: piped pools bind PageSize and NumaNode, and the hosts may still run when the next comes.
        string? pageSize = PageSize;
        int numaNode = NumaNode;
        var uris = ConnectionUri?.Where(u => !string.IsNullOrEmpty(u)).ToArray() ?? [];
        if (uris.Length > 0 && Persist.IsPresent)
        {
            ThrowCoreError(new VirtioFsException(ErrorIds.PersistNotRemote, VirtioFsErrorKind.InvalidArgument,
                $"-Persist writes boot-time files on this host and cannot do so through libvirt ({string.Join(", ", uris)}); nothing was changed.",
                uris[0], "Run Set-VirtioFsHugePage -Persist on that host itself, or leave out -Persist."));
        }
        // One host fails the command as before; of several, each failure is that host's error and the others go on.
        ForEachHost(uris, uri => Run(uri, pageSize, numaNode), stopOnErrorOfOne: true);
    }

    private void Run(string? uri, string? pageSize, int numaNode)
    {
        // Kept lean: this runs in the allocation's wall time, which should stay close to a bare write.
        IHugePageHost sysfs = HugePageHosts.For(uri is null ? null : Connect(uri), HugePagePurpose.Pools);
        long? defaultSize = null;
        long DefaultKiB() => defaultSize ??= sysfs.DefaultPageSizeKiB();
        long kib = pageSize is null ? DefaultKiB() : HugePages.PageSize.ParseKiB(pageSize);
        if (!sysfs.IsOffered(kib))
        {
            HugePages.PageSize.ParseOffered(pageSize ?? kib.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sysfs.OfferedPageSizesKiB()); // throws, listing the offered sizes
        }
        if (numaNode >= 0 && !sysfs.NumaNodes().Contains(numaNode))
        {
            throw new VirtioFsException(ErrorIds.NumaNodeNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"NUMA node {numaNode} does not exist or has no hugepages; nodes: {string.Join(", ", sysfs.NumaNodes())}.",
                numaNode, "See the nodes with Get-VirtioFsHugePage.");
        }
        // From the read of the current count to the last write, no other command changes these pools.
        using var poolWriters = HugePageHosts.LockPools(sysfs, CancelToken);
        var current = sysfs.ReadCount(kib, numaNode);
        long target = ParameterSetName == AddSet ? current + Add : Count;
        if (target < 0)
        {
            throw new VirtioFsException(ErrorIds.NegativePageCount, VirtioFsErrorKind.InvalidArgument,
                $"The pool holds {current} pages; adding {Add} would leave {target}.", Add,
                $"Use -Add -{current} or more, or -Count 0.");
        }
        var request = new HugePageRequest(kib, numaNode, target) { AllowPartial = AllowPartial.IsPresent };
        var where = (numaNode < 0 ? "host-wide" : $"NUMA node {numaNode}") + (uri is null ? string.Empty : $" on {uri}");
        var poolText = $"{HugePages.PageSize.Format(kib)} hugepage pool ({where})";

        bool declined = false;
        if (target != current &&
            ShouldProcess(poolText, $"Set the page count from {current} to {target} ({sysfs.PoolLocation(kib, numaNode)})"))
        {
            var progress = new HugePageProgressWriter(this, $"Allocating {request.PoolName}",
                Math.Abs(target - current) >= request.EffectiveStepThreshold);
            var result = new HugePageAllocator(sysfs).Allocate(request, progress, CancelToken, knownPrevious: current);
            progress.Complete();
            if (result.IsShort)
            {
                WriteWarning($"The kernel gave only {result.Actual} of {result.Requested} {request.PoolName}; " +
                             "keeping them because of -AllowPartial. Free memory and run again to get the rest.");
            }
            WriteVerbose($"{request.PoolName}: {result.Previous} -> {result.Actual} (asked {result.Requested}, " +
                         $"{result.CompactionRounds} compaction round(s)).");
        }
        else if (target == current)
        {
            WriteVerbose($"{request.PoolName} already holds {target} pages; nothing to do.");
        }
        else
        {
            declined = true;
        }

        if (Persist.IsPresent)
        {
            var persistTarget = HugePagePersistence.Target(kib, numaNode, DefaultKiB());
            var count = sysfs.ReadCount(kib, numaNode);
            if (IsBound("WhatIf") && target != current)
            {
                count = target; // show what a real run would persist
            }
            if (!ShouldProcess(persistTarget, $"Make the {poolText} of {count} pages survive a reboot"))
            {
                declined = true;
            }
            else
            {
                var persisted = new HugePagePersistence().Persist(kib, numaNode, count, DefaultKiB());
                foreach (var f in persisted.Written)
                {
                    Say($"Wrote {f}");
                }
                foreach (var f in persisted.Unchanged)
                {
                    Say($"Unchanged {f} (already persists {count} pages)");
                }
                foreach (var f in persisted.Removed)
                {
                    Say($"Removed {f} (0 pages need no boot-time setting)");
                }
                if (persisted.KernelCommandLine is { } cmdline)
                {
                    WriteWarning($"{HugePages.PageSize.Format(kib)} pages are rarely free after boot; for a reliable pool add " +
                                 $"'{cmdline}' to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub).");
                }
            }
        }

        if (!declined)
        {
            WriteObject(sysfs.ReadPool(kib, numaNode)); // -WhatIf: nothing changed, nothing to show
        }
    }

    /// <summary>Tells the user what was written, on the host and in the information stream (6>).</summary>
    private void Say(string message)
    {
        WriteInformation(new HostInformationMessage { Message = message }, ["PSHOST"]);
    }
}
