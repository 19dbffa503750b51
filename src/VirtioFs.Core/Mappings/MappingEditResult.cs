// SPDX-License-Identifier: MIT
namespace VirtioFs.Mappings;

/// <summary>What MappingStore.Edit did: the file's mappings before and after, and whether it wrote the file.</summary>
internal sealed class MappingEditResult
{
    public MappingEditResult(MappingDocument before, MappingDocument after)
    {
        Before = before;
        After = after;
    }

    public MappingDocument Before { get; }

    public MappingDocument After { get; }

    /// <summary>False when the change left the mappings as they were (nothing to write).</summary>
    public bool Written { get; set; }
}
