// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Removes a virtio-fs share; a running libvirt guest gets it hot-unplugged.</summary>
[Cmdlet(VerbsCommon.Remove, "VirtioFsShare", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsShare))]
public sealed class RemoveVirtioFsShareCommand : DomainEditCmdlet
{
    [Parameter(Mandatory = true, ParameterSetName = PathSet, Position = 1)]
    [Parameter(Mandatory = true, ParameterSetName = DomainSet, Position = 1)]
    [ArgumentCompleter(typeof(ShareTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Tag { get; set; } = System.Array.Empty<string>();

    /// <summary>The share to remove, from Get-VirtioFsShare.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "InputObject", ValueFromPipeline = true)]
    public VirtioFsShare? InputObject { get; set; }

    /// <summary>Writes the removed share to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            var share = InputObject;
            ForInput(() => RemoveOne(TargetOf(share.Path, share.Domain, share.ConnectionUri, skipSourceCheck: true), share.Tag));
            return;
        }
        string[] tags = Tag;
        ForEachTarget(uri =>
        {
            foreach (string tag in tags)
            {
                ForInput(() => RemoveOne(OpenTarget(uri, skipSourceCheck: true), tag));
            }
        });
    }

    private void RemoveOne(IDomainTarget target, string tag)
    {
        VirtioFsShare? removed = null;
        var committed = Apply(target, doc =>
        {
            removed = ShareEditor.Describe(doc, ShareEditor.Find(doc, tag), sharedMemoryReady: false);
            return ShareEditor.Remove(doc, tag);
        }, $"Remove virtio-fs share '{tag}'", LiveAction.Detach);
        if (committed is not null && PassThru && removed is not null)
        {
            target.Stamp(removed);
            WriteObject(removed);
        }
    }
}
