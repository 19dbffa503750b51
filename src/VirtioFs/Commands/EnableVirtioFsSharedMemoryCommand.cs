// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Makes a domain's memory shareable with virtiofsd (memfd by default).</summary>
[Cmdlet(VerbsLifecycle.Enable, "VirtioFsSharedMemory", SupportsShouldProcess = true, DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsSharedMemory))]
public sealed class EnableVirtioFsSharedMemoryCommand : DomainCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = DomainSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = string.Empty;

    [Parameter(ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }

    /// <summary>Memfd (default), File (memory_backing_dir) or HugePages.</summary>
    [Parameter(Position = 1)]
    [ValidateSet("Memfd", "File", "HugePages")]
    public string Backing { get; set; } = "Memfd";

    /// <summary>Page size in KiB for -Backing HugePages when the domain has no hugepages yet.</summary>
    [Parameter]
    public ulong? HugePageSizeKiB { get; set; }

    /// <summary>Writes the resulting memory state to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            var target = ParameterSetName == PathSet ? FileTarget(Path, skipSourceCheck: true) : LibvirtTarget(Domain, ConnectionUri, skipSourceCheck: true);
            var doc = target.Load();
            var choice = Backing switch
            {
                "File" => SharedMemoryChoice.File,
                "HugePages" => SharedMemoryChoice.HugePages,
                _ => SharedMemoryChoice.Memfd,
            };
            var edit = ShareEditor.EnableSharedMemory(doc, choice, HugePageSizeKiB);
            if (Apply(target, edit, $"Enable shared memory ({Backing})", LiveAction.None) is null || !PassThru)
            {
                return;
            }
            var state = SharedMemoryInspector.Inspect(target.Load());
            target.Stamp(state);
            WriteObject(state);
        });
    }
}
