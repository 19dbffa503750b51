// SPDX-License-Identifier: MIT
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.Mappings;

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

    /// <summary>A directory mapping: its directory for the domain's host is the source, its name the default tag, its options the defaults.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Mapping { get; set; }

    /// <summary>The mapping file -Mapping reads; default as Get-VirtioFsMapping's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    /// <summary>With -Path (a domain XML file): the mapping's host key to take the directory of; default localhost.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? MappingHost { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            var settings = InputObject is null ? GivenSettings() : MergeOver(InputObject);
            var mark = Mapping is null ? null : FromMapping(settings);
            settings.Tag = Tag ?? mark?.Mapping ?? InputObject?.Tag;
            string access = IsBound(nameof(AccessMode)) || InputObject is null
                ? AccessMode.ToLowerInvariant() : InputObject.AccessMode;
            var target = OpenTarget(SkipSourceCheck);
            var pageKiB = HugePageSizeKiB();
            if (Apply(target, doc => Marked(ShareEditor.Add(doc, settings, access, SharedMemory, pageKiB, target.Host), settings.Tag!, mark),
                    $"Add virtio-fs share '{settings.Tag}'", LiveAction.Attach) is null)
            {
                return;
            }
            var share = ShareEditor.List(target.Load()).First(s => s.Tag == settings.Tag);
            target.Stamp(share);
            WriteObject(share);
        });
    }

    /// <summary>
    /// Fills the source and the options not given from -Mapping, for the host this share is for: the domain's
    /// connection (-ConnectionUri or the default URI), or for a file -MappingHost (default localhost).
    /// </summary>
    private ShareMark FromMapping(ShareSettings settings)
    {
        if (settings.Source is not null || settings.SocketPath is not null || InputObject is not null)
        {
            throw new VirtioFsException(ErrorIds.MappingWithSource, VirtioFsErrorKind.InvalidArgument,
                $"-Mapping '{Mapping}' gives the share's source; it cannot be combined with -Source, -SocketPath or a piped share.", Mapping,
                "Leave out -Source/-SocketPath (explicit options such as -Cache still override the mapping's), or leave out -Mapping.");
        }
        string file = MappingPath is null ? MappingStore.DefaultPath() : ResolveFileSystemPath(MappingPath, mustExist: false);
        string host = ParameterSetName == PathSet ? MappingHost ?? MappingHosts.LocalHost : EffectiveUri(ConnectionUri);
        return MappingResolver.Fill(settings, file, Mapping!, host);
    }

    /// <summary>A share made from a mapping says so in the domain's metadata, in the same define.</summary>
    private static DomainEdit Marked(DomainEdit edit, string tag, ShareMark? mark) =>
        mark is null ? edit : MappingSyncEdit.Marked(edit, tag, mark);

    /// <summary>-HugePageSize in KiB (null when not given); a size that is not one fails with InvalidPageSize.</summary>
    private ulong? HugePageSizeKiB() => HugePageSize is null ? null : (ulong)HugePages.PageSize.ParseKiB(HugePageSize);
}
