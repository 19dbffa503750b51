// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Reads a domain's memory backing and says whether virtio-fs can work with it.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsSharedMemory", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsSharedMemory))]
public sealed class GetVirtioFsSharedMemoryCommand : DomainReaderCmdlet
{
    private protected override string Activity => "Reading memory backing";

    private protected override void Emit(IDomainTarget target)
    {
        var state = SharedMemoryInspector.Inspect(target.Load());
        target.Stamp(state);
        WriteObject(state);
    }
}
