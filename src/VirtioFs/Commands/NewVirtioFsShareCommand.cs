// SPDX-License-Identifier: MIT
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>
/// Adds a virtio-fs share to a domain (XML file or libvirt domain), with the shared memory it
/// needs, after validating everything; -WhatIf shows the diff.
/// </summary>
[Cmdlet(VerbsCommon.New, "VirtioFsShare", SupportsShouldProcess = true, DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsShare))]
public sealed class NewVirtioFsShareCommand : ShareOptionsCmdlet
{
    /// <summary>The mount tag the guest uses (at most 36 bytes).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, Position = 1)]
    [AllowEmptyString]
    public string? Tag { get; set; }

    /// <summary>An existing share to copy (Get-VirtioFsShare output); explicit parameters override it.</summary>
    [Parameter(ValueFromPipeline = true)]
    public VirtioFsShare? InputObject { get; set; }

    [Parameter]
    [ValidateSet("passthrough", "mapped", "squash", IgnoreCase = true)]
    public string AccessMode { get; set; } = "passthrough";

    /// <summary>Page size for hugepage backing when the domain has no hugepages yet: 2M, 1G, or KiB such as 2048.</summary>
    [Parameter]
    [Alias("HugePageSizeKiB")]
    [SizeTransformation]
    [ArgumentCompleter(typeof(PageSizeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? HugePageSize { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            var settings = InputObject is null ? GivenSettings() : MergeOver(InputObject);
            settings.Tag = Tag ?? InputObject?.Tag;
            string access = IsBound(nameof(AccessMode)) || InputObject is null
                ? AccessMode.ToLowerInvariant() : InputObject.AccessMode;
            var target = OpenTarget(SkipSourceCheck);
            var pageKiB = HugePageSizeKiB();
            if (Apply(target, doc => ShareEditor.Add(doc, settings, access, SharedMemory, pageKiB, target.Host),
                    $"Add virtio-fs share '{settings.Tag}'", LiveAction.Attach) is null)
            {
                return;
            }
            var share = ShareEditor.List(target.Load()).First(s => s.Tag == settings.Tag);
            target.Stamp(share);
            WriteObject(share);
        });
    }

    /// <summary>-HugePageSize in KiB (null when not given); a size that is not one fails with InvalidPageSize.</summary>
    private ulong? HugePageSizeKiB() => HugePageSize is null ? null : (ulong)HugePages.PageSize.ParseKiB(HugePageSize);
}
