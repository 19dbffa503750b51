// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Reads the virtio-fs shares of domain XML files or libvirt domains.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsShare", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsShare))]
public sealed class GetVirtioFsShareCommand : DomainCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = System.Array.Empty<string>();

    /// <summary>Domain names or UUIDs (wildcards allowed); all domains when omitted.</summary>
    [Parameter(ParameterSetName = DomainSet, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Domain { get; set; }

    [Parameter(ParameterSetName = DomainSet)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

    /// <summary>Only shares whose tag matches (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

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
            ForEachWithProgress(DomainSelection.Resolve(conn, Domain, this), "Reading virtio-fs shares",
                name => ForInput(() => Emit(new LibvirtDomainTarget(conn, name, skipSourceCheck: true))));
        });
    }

    private void Emit(IDomainTarget target)
    {
        var doc = target.Load();
        foreach (var share in ShareEditor.List(doc))
        {
            if (Tag is null || WildcardMatch.Any(Tag, share.Tag))
            {
                target.Stamp(share);
                WriteObject(share);
            }
        }
    }
}
