// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Reads the virtio-fs shares of domain XML files or libvirt domains.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsShare", DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsShare))]
public sealed class GetVirtioFsShareCommand : DomainReaderCmdlet
{
    /// <summary>Only shares whose tag matches (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ShareTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    private protected override string Activity => "Reading virtio-fs shares";

    private protected override void Emit(IDomainTarget target)
    {
        foreach (var share in ShareEditor.List(target.Load()))
        {
            if (Tag is null || WildcardMatch.Any(Tag, share.Tag))
            {
                target.Stamp(share);
                WriteObject(share);
            }
        }
    }
}
