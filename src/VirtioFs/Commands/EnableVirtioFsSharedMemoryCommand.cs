// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Makes a domain's memory shareable with virtiofsd (memfd by default).</summary>
[Cmdlet(VerbsLifecycle.Enable, "VirtioFsSharedMemory", SupportsShouldProcess = true, DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsSharedMemory))]
public sealed class EnableVirtioFsSharedMemoryCommand : DomainEditCmdlet
{
    /// <summary>The memory state of a domain, from Get-VirtioFsSharedMemory: the domain it names is changed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "InputObject", ValueFromPipeline = true)]
    public VirtioFsSharedMemory? InputObject { get; set; }

    /// <summary>Memfd (default), File (memory_backing_dir) or HugePages.</summary>
    [Parameter(Position = 1)]
    [ValidateSet("Memfd", "File", "HugePages")]
    public string Backing { get; set; } = "Memfd";

    /// <summary>Page size for hugepage backing when the domain has no hugepages yet: 2M, 1G, or KiB such as 2048.</summary>
    [Parameter]
    [Alias("HugePageSizeKiB")]
    [SizeTransformation]
    [ArgumentCompleter(typeof(PageSizeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? HugePageSize { get; set; }

    /// <summary>
    /// With -Backing HugePages: grow the host's pools by what the domain needs and is not free, before
    /// the domain is changed; when either step fails, both the pools and the domain stay as they were.
    /// </summary>
    [Parameter]
    public SwitchParameter AllocateHugePages { get; set; }

    /// <summary>Writes the resulting memory state to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            var choice = Backing switch
            {
                "File" => VirtioFsSharedMemoryChoice.File,
                "HugePages" => VirtioFsSharedMemoryChoice.HugePages,
                _ => VirtioFsSharedMemoryChoice.Memfd,
            };
            var pageKiB = HugePageSizeKiB();
            if (InputObject is { } m)
            {
                EnableOne(TargetOf(m.Path, m.Domain, m.ConnectionUri, skipSourceCheck: true), m.ConnectionUri, choice, pageKiB);
                return;
            }
            ForEachTarget(uri => EnableOne(OpenTarget(uri, skipSourceCheck: true), uri, choice, pageKiB));
        });
    }

    /// <summary>Changes one domain; <paramref name="uri"/> is its host's (null: a file, or the default URI).</summary>
    private void EnableOne(IDomainTarget target, string? uri, VirtioFsSharedMemoryChoice choice, ulong? pageKiB)
    {
        // The lock on the host's pools, taken when pages are allocated and held until the domain change is done or
        // rolled back; one per domain, since hosts run in parallel (see HugePageHosts.LockPools).
        var poolWriters = new StrongBox<Platform.FileLock?>();
        try
        {
            EnableOne(target, uri, choice, pageKiB, poolWriters);
        }
        finally
        {
            poolWriters.Value?.Dispose();
        }
    }

    private void EnableOne(IDomainTarget target, string? uri, VirtioFsSharedMemoryChoice choice, ulong? pageKiB, StrongBox<Platform.FileLock?> poolWriters)
    {
        HugePageBatch? allocated = null;
        CommitResult? committed;
        try
        {
            committed = Apply(target, doc => ShareEditor.EnableSharedMemory(doc, choice, pageKiB),
                $"Enable shared memory ({Backing})", LiveAction.None,
                prepare: edit => allocated = AllocateHugePages.IsPresent ? AllocateFor(target, uri, edit, poolWriters) : null);
        }
        catch (Exception) when (allocated is not null)
        {
            // The domain was not changed: give the pages back so the host is as it was too.
            foreach (var line in allocated.RollBack())
            {
                WriteVerbose($"Rolled back {line}.");
            }
            throw;
        }
        if (committed is { Edit.HasChanges: false } && AllocateHugePages.IsPresent)
        {
            // The memory was already right, so no approval was asked: the pages it needs still are.
            AllocateFor(target, uri, committed.Edit, poolWriters);
        }
        if (committed is null && allocated is not null)
        {
            // Declined at -Confirm: the pages were only for this change.
            foreach (var line in allocated.RollBack())
            {
                WriteVerbose($"Rolled back {line} (the domain change was declined).");
            }
        }
        if (committed is null || !PassThru)
        {
            return;
        }
        var state = SharedMemoryInspector.Inspect(target.Load());
        target.Stamp(state);
        WriteObject(state);
    }

    /// <summary>
    /// Allocates what the edited domain needs and is not free; null when nothing was allocated.
    /// Validation first (sizes offered, nodes present), so a domain the host cannot serve fails
    /// before any pool changes.
    /// </summary>
    private HugePageBatch? AllocateFor(IDomainTarget target, string? uri, DomainEdit edit, StrongBox<Platform.FileLock?> poolWriters)
    {
        if (Backing != "HugePages")
        {
            throw new VirtioFsException(ErrorIds.AllocateNeedsHugePages, VirtioFsErrorKind.InvalidArgument,
                $"-AllocateHugePages allocates hugepages and needs -Backing HugePages (not {Backing}); nothing was changed.",
                Backing, "Add -Backing HugePages, or leave out -AllocateHugePages.");
        }
        IHugePageHost host = HugePageHosts.For(target is LibvirtDomainTarget ? Connect(uri) : null, HugePagePurpose.Domain);
        var needs = HugePageRequirements.Compute(DomainDocument.Parse(edit.NewXml, target.Label), host);
        foreach (var note in needs.Notes)
        {
            WriteVerbose(note);
        }
        if (needs.Blockers.Count > 0)
        {
            throw new VirtioFsException(ErrorIds.HugePagesUnavailable, VirtioFsErrorKind.InvalidOperation,
                $"Cannot allocate hugepages for {target.Label}: {string.Join(" ", needs.Blockers)} Nothing was changed.",
                target.Label, "Choose a page size the host offers (-HugePageSize) or fix the domain's <numatune>.");
        }
        foreach (var warning in needs.Warnings)
        {
            WriteWarning(warning);
        }
        var plan = HugePageRequirements.Plan(needs.Requirements, host);
        if (plan.Count == 0)
        {
            WriteVerbose($"{target.Label}: the free hugepages already cover the domain; nothing to allocate.");
            return null;
        }
        // Held until the domain change is done or rolled back (EndOfEdit): see HugePageHosts.LockPools.
        poolWriters.Value ??= HugePageHosts.LockPools(host, CancelToken);
        var batch = new HugePageBatch(host);
        var todo = new List<HugePageRequest>();
        foreach (var request in plan)
        {
            var current = host.ReadCount(request.PageSizeKiB, request.NumaNode);
            if (ShouldProcess($"{request.PoolName}{(host.ConnectionUri is null ? string.Empty : $" on {host.ConnectionUri}")}",
                    $"Set the page count from {current} to {request.Count} for {target.Label} ({host.PoolLocation(request.PageSizeKiB, request.NumaNode)})"))
            {
                todo.Add(request);
            }
        }
        if (todo.Count == 0)
        {
            return null;
        }
        batch.Allocate(todo, r => new HugePageProgressWriter(this, $"Allocating {r.PoolName}", r.Count >= 512), CancelToken);
        foreach (var (request, result) in todo.Zip(batch.Done))
        {
            WriteVerbose($"{request.PoolName}: {result.Previous} -> {result.Actual} pages for {target.Label}.");
        }
        return batch;
    }

    /// <summary>-HugePageSize in KiB (null when not given); a size that is not one fails with InvalidPageSize.</summary>
    private ulong? HugePageSizeKiB() => HugePageSize is null ? null : (ulong)HugePages.PageSize.ParseKiB(HugePageSize);
}
