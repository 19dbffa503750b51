// SPDX-License-Identifier: MIT
using System;
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

    /// <summary>
    /// An object to start from; explicit parameters override it. A share (Get-VirtioFsShare, also from another
    /// host through PowerShell remoting) is copied; a shared-memory state (Get-VirtioFsSharedMemory) gives its
    /// memory backing; a daemon (Start-VirtioFsDaemon) gives its socket; any other object gives the properties
    /// that bind by name (a list of hosts' ConnectionUri).
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

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
            // Everything this record asks for is taken now, before the hosts run: the next record rebinds.
            var piped = InputObject is null ? null : PipedTemplate.From(InputObject);
            CheckPiped(piped);
            var template = piped?.Share;
            var given = template is null ? GivenSettings() : MergeOver(template);
            string access = IsBound(nameof(AccessMode)) || template is null
                ? AccessMode.ToLowerInvariant() : template.AccessMode;
            bool memoryGiven = IsBound(nameof(SharedMemory));
            var memory = memoryGiven ? SharedMemory : piped?.Memory ?? SharedMemory;
            var pageKiB = HugePageSizeKiB() ?? (memoryGiven ? null : piped?.HugePageSizeKiB);
            bool skipSourceCheck = SkipSourceCheck;
            var forHost = ForHost(given, template);
            ForEachTarget(uri =>
            {
                var (settings, mark) = forHost(uri);
                var target = OpenTarget(uri, skipSourceCheck);
                var committed = Apply(target, doc => Marked(ShareEditor.Add(doc, settings, access, memory, pageKiB, target.Host), settings.Tag!, mark),
                    $"Add virtio-fs share '{settings.Tag}'", LiveAction.Attach, readBack: true);
                if (committed is null)
                {
                    return;
                }
                var share = ShareEditor.List(committed.Written ?? target.Load()).First(s => s.Tag == settings.Tag);
                target.Stamp(share);
                WriteObject(share);
            });
        });
    }

    /// <summary>
    /// Refuses a piped object that gives nothing (a string, a number), and one that came through PowerShell
    /// remoting with a URI that names that computer's own libvirt: here it would name this machine's, so the
    /// share would land on the wrong host. -ConnectionUri on the command line says where it goes.
    /// </summary>
    private void CheckPiped(PipedTemplate? piped)
    {
        if (piped is null)
        {
            return;
        }
        if (!piped.IsModuleObject && !PipelineBoundParameters.Any(p => p != nameof(InputObject)))
        {
            throw new VirtioFsException(ErrorIds.InputObjectNotUsable, VirtioFsErrorKind.InvalidArgument,
                $"The piped {piped.TypeName} is not a share, shared-memory state or daemon, and has no property New-VirtioFsShare takes by name (Tag, Source, SocketPath, ConnectionUri ...); nothing was changed.",
                InputObject, "Pipe Get-VirtioFsShare, Get-VirtioFsSharedMemory or Start-VirtioFsDaemon output, or objects with a ConnectionUri property, or give the parameters directly.");
        }
        if (piped.ComputerName is { } computer && BoundFromPipeline(ConnectionUriParameter) &&
            ConnectionUri is { } uris && uris.Any(u => Libvirt.LibvirtUri.Parse(EffectiveUri(u)).IsThisHost))
        {
            throw new VirtioFsException(ErrorIds.RemoteObjectUri, VirtioFsErrorKind.InvalidArgument,
                $"The piped {piped.TypeName} came from '{computer}' through PowerShell remoting, and its ConnectionUri '{string.Join(", ", uris)}' is that computer's own libvirt; here it would mean this machine's. Nothing was changed.",
                computer, $"Say where the share goes: -ConnectionUri 'qemu+ssh://root@<host>/system' (or 'qemu:///system' for this machine) on the command line.");
        }
    }

    /// <summary>
    /// The settings and mapping mark of each host, taken from this record on the pipeline thread. Without -Mapping
    /// every host gets the same settings. With it, each host gets a copy filled from the mapping for that host:
    /// the domain's connection (one of -ConnectionUri, or the default URI), or for a file -MappingHost (default
    /// localhost). The file is read once, here; a host missing from the mapping fails only that host.
    /// </summary>
    private Func<string?, (ShareSettings Settings, ShareMark? Mark)> ForHost(ShareSettings given, VirtioFsShare? template)
    {
        if (Mapping is null)
        {
            given.Tag = Tag ?? template?.Tag;
            return _ => (given, null);
        }
        if (given.Source is not null || given.SocketPath is not null || template is not null)
        {
            throw new VirtioFsException(ErrorIds.MappingWithSource, VirtioFsErrorKind.InvalidArgument,
                $"-Mapping '{Mapping}' gives the share's source; it cannot be combined with -Source, -SocketPath or a piped share.", Mapping,
                "Leave out -Source/-SocketPath (explicit options such as -Cache still override the mapping's), or leave out -Mapping.");
        }
        string file = MappingFileOf(MappingPath);
        var mapping = MappingStore.Load(file).Get(Mapping, file); // a missing file or mapping fails the record, before any host
        string? tag = Tag;
        string? fileHost = ParameterSetName == PathSet ? MappingHost ?? MappingHosts.LocalHost : null;
        return uri =>
        {
            var settings = given.Copy();
            var mark = MappingResolver.Fill(settings, mapping, fileHost ?? EffectiveUri(uri));
            settings.Tag = tag ?? mark.Mapping;
            return (settings, mark);
        };
    }

    /// <summary>A share made from a mapping says so in the domain's metadata, in the same define.</summary>
    private static DomainEdit Marked(DomainEdit edit, string tag, ShareMark? mark) =>
        mark is null ? edit : MappingSyncEdit.Marked(edit, tag, mark);

    /// <summary>-HugePageSize in KiB (null when not given); a size that is not one fails with InvalidPageSize.</summary>
    private ulong? HugePageSizeKiB() => HugePageSize is null ? null : (ulong)HugePages.PageSize.ParseKiB(HugePageSize);
}
