// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Reads a domain's memory backing and says whether virtio-fs can work with it.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsSharedMemory", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsSharedMemory))]
public sealed class GetVirtioFsSharedMemoryCommand : DomainCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = System.Array.Empty<string>();

    [Parameter(ParameterSetName = DomainSet, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Domain { get; set; }

    [Parameter(ParameterSetName = DomainSet)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

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
            ForEachWithProgress(DomainSelection.Resolve(conn, Domain, this), "Reading memory backing",
                name => ForInput(() => Emit(new LibvirtDomainTarget(conn, name, skipSourceCheck: true))));
        });
    }

    private void Emit(IDomainTarget target)
    {
        var state = SharedMemoryInspector.Inspect(target.Load());
        target.Stamp(state);
        WriteObject(state);
    }
}
