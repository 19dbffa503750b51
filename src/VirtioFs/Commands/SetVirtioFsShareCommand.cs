// SPDX-License-Identifier: MIT
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Changes options of an existing virtio-fs share; everything not given stays as it is.</summary>
[Cmdlet(VerbsCommon.Set, "VirtioFsShare", SupportsShouldProcess = true, DefaultParameterSetName = DomainSet)]
[OutputType(typeof(VirtioFsShare))]
public sealed class SetVirtioFsShareCommand : ShareOptionsCmdlet
{
    /// <summary>The share to change, from Get-VirtioFsShare.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "InputObject", ValueFromPipeline = true)]
    public VirtioFsShare? InputObject { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PathSet, Position = 1)]
    [Parameter(Mandatory = true, ParameterSetName = DomainSet, Position = 1)]
    [ArgumentCompleter(typeof(ShareTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string Tag { get; set; } = string.Empty;

    /// <summary>Renames the mount tag.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewTag { get; set; }

    /// <summary>Options to remove, so libvirt's default applies again.</summary>
    [Parameter]
    [ValidateResettableOption]
    [ArgumentCompleter(typeof(ResettableOptionCompleter))]
    public string[] Reset { get; set; } = System.Array.Empty<string>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            var settings = GivenSettings();
            settings.Tag = NewTag;
            foreach (string r in Reset)
            {
                settings.Reset.Add(r);
            }
            RefuseSetAndReset(Reset);
            var memory = SharedMemory;
            bool skipSourceCheck = SkipSourceCheck;
            if (InputObject is { } share)
            {
                Change(TargetOf(share.Path, share.Domain, share.ConnectionUri, skipSourceCheck), share.Tag, settings, memory);
                return;
            }
            string tag = Tag;
            ForEachTarget(uri => Change(OpenTarget(uri, skipSourceCheck), tag, settings, memory));
        });
    }

    private void Change(IDomainTarget target, string tag, ShareSettings settings, VirtioFsSharedMemoryChoice memory)
    {
        var committed = Apply(target, doc => ShareEditor.Update(doc, tag, settings, memory, target.Host),
            $"Change virtio-fs share '{tag}'", LiveAction.None, readBack: PassThru);
        if (committed is null || !PassThru)
        {
            return;
        }
        var share = ShareEditor.List(committed.Written ?? target.Load()).First(s => s.Tag == (settings.Tag ?? tag));
        target.Stamp(share);
        WriteObject(share);
    }
}
