// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>
/// The smallest edit that removes one share's drift, made with the engine the share cmdlets use: a missing
/// share is added as New-VirtioFsShare adds it (shared memory included), a different one gets only the
/// differing source and options as Set-VirtioFsShare would (memory left alone), an extra one is removed as
/// Remove-VirtioFsShare removes it; the managed marker changes in the same define. The drift is worked out
/// again from the document the edit is given, so a definition that changed meanwhile is edited as it is now.
/// </summary>
internal static class MappingSyncEdit
{
    public static DomainEdit Build(DomainDocument doc, string tag, MappingHostPlan plan, string domain, bool prune, HostContext host)
    {
        var drift = MappingDrift.Compare(doc, plan.For(domain), plan.Host, plan.Ours).FirstOrDefault(d => d.Tag == tag);
        switch (drift?.Kind)
        {
            case VirtioFsMappingDriftKind.Missing:
            {
                var edit = ShareEditor.Add(doc, drift.Declared!.Settings(), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, host);
                return Marked(edit, tag, drift.Mark!);
            }
            case VirtioFsMappingDriftKind.Different:
            {
                var edit = drift.ShareDiffers
                    ? ShareEditor.Update(doc, tag, drift.Changes!, VirtioFsSharedMemoryChoice.Keep, host)
                    : new DomainEdit(doc, doc.Clone(), Array.Empty<string>(), false, null) { OnlyMetadata = true };
                return Marked(edit, tag, drift.Mark!);
            }
            case VirtioFsMappingDriftKind.Extra when prune:
            {
                var edit = ShareEditor.Remove(doc, tag);
                ManagedShareMarker.Unmark(edit.After, tag);
                return new DomainEdit(edit.Before, edit.After, [.. edit.Changes, $"removed the managed marker of '{tag}'"], edit.MemoryChanged, edit.Device);
            }
            default:
                return new DomainEdit(doc, doc.Clone(), Array.Empty<string>(), false, null);
        }
    }

    /// <summary>Where the share came from goes into the same define as the share.</summary>
    public static DomainEdit Marked(DomainEdit edit, string tag, ShareMark mark)
    {
        if (!ManagedShareMarker.Mark(edit.After, tag, mark))
        {
            return edit;
        }
        IReadOnlyList<string> changes = [.. edit.Changes, $"marked '{tag}' as made from mapping '{mark.Mapping}' for host '{mark.Host}'"];
        return new DomainEdit(edit.Before, edit.After, changes, edit.MemoryChanged, edit.Device) { OnlyMetadata = edit.OnlyMetadata };
    }
}
