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

    /// <summary>Resize the pool of the host behind this libvirt URI (virNodeAllocPages) instead of this host's sysfs; null or empty (a local pool piped in) is sysfs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? ConnectionUri
    {
        get => _connectionUri;
        set => _connectionUri = string.IsNullOrEmpty(value) ? null : value; // a local pool pipes in with null: sysfs
    }

    /// <summary>Keep what the kernel gave when it is fewer pages than asked, with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowPartial { get; set; }

    /// <summary>Also make the pool survive a reboot (sysctl.d, a boot unit, kernel command-line advice for 1 GiB pages).</summary>
    [Parameter]
    public SwitchParameter Persist { get; set; }

    private string? _connectionUri;

    protected override void ProcessRecord()
    {
        try
        {
            Run();
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
        }
    }

    private void Run()
    {
        // Kept lean: this runs in the allocation's wall time, which should stay close to a bare write.
        if (ConnectionUri is not null && Persist.IsPresent)
        {
            throw new VirtioFsException(ErrorIds.PersistNotRemote, VirtioFsErrorKind.InvalidArgument,
                $"-Persist writes boot-time files on this host and cannot do so through libvirt ({ConnectionUri}); nothing was changed.",
                ConnectionUri, "Run Set-VirtioFsHugePage -Persist on that host itself, or leave out -Persist.");
        }
        IHugePageHost sysfs = HugePageHosts.For(ConnectionUri is null ? null : Connect(ConnectionUri), HugePagePurpose.Pools);
        long? defaultSize = null;
        long DefaultKiB() => defaultSize ??= sysfs.DefaultPageSizeKiB();
        long kib = PageSize is null ? DefaultKiB() : HugePages.PageSize.ParseKiB(PageSize);
        if (!sysfs.IsOffered(kib))
        {
            HugePages.PageSize.ParseOffered(PageSize ?? kib.ToString(System.Globalization.CultureInfo.InvariantCulture),
                sysfs.OfferedPageSizesKiB()); // throws, listing the offered sizes
        }
        if (NumaNode >= 0 && !sysfs.NumaNodes().Contains(NumaNode))
        {
            throw new VirtioFsException(ErrorIds.NumaNodeNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"NUMA node {NumaNode} does not exist or has no hugepages; nodes: {string.Join(", ", sysfs.NumaNodes())}.",
                NumaNode, "See the nodes with Get-VirtioFsHugePage.");
        }
        // From the read of the current count to the last write, no other command changes these pools.
        using var poolWriters = HugePageHosts.LockPools(sysfs, CancelToken);
        var current = sysfs.ReadCount(kib, NumaNode);
        long target = ParameterSetName == AddSet ? current + Add : Count;
        if (target < 0)
        {
            throw new VirtioFsException(ErrorIds.NegativePageCount, VirtioFsErrorKind.InvalidArgument,
                $"The pool holds {current} pages; adding {Add} would leave {target}.", Add,
                $"Use -Add -{current} or more, or -Count 0.");
        }
        var request = new HugePageRequest(kib, NumaNode, target) { AllowPartial = AllowPartial.IsPresent };
        var where = (NumaNode < 0 ? "host-wide" : $"NUMA node {NumaNode}") + (ConnectionUri is null ? string.Empty : $" on {ConnectionUri}");
        var poolText = $"{HugePages.PageSize.Format(kib)} hugepage pool ({where})";

        bool declined = false;
        if (target != current &&
            ShouldProcess(poolText, $"Set the page count from {current} to {target} ({sysfs.PoolLocation(kib, NumaNode)})"))
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
            var persistTarget = HugePagePersistence.Target(kib, NumaNode, DefaultKiB());
            var count = sysfs.ReadCount(kib, NumaNode);
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
                var persisted = new HugePagePersistence().Persist(kib, NumaNode, count, DefaultKiB());
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
            WriteObject(sysfs.ReadPool(kib, NumaNode)); // -WhatIf: nothing changed, nothing to show
        }
    }

    /// <summary>Tells the user what was written, on the host and in the information stream (6>).</summary>
    private void Say(string message)
    {
        WriteInformation(new HostInformationMessage { Message = message }, ["PSHOST"]);
    }
}
