// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>
/// Makes a domain's memory shareable with virtiofsd while keeping what the admin already chose:
/// hugepages stay hugepages, NUMA cells stay cells (each gets memAccess='shared', the case
/// virt-manager refuses), other memoryBacking children (nosharepages, locked, ...) are untouched.
/// </summary>
internal static class SharedMemoryEnabler
{
    /// <summary>
    /// Applies <paramref name="choice"/>; returns a description of each change (empty when nothing
    /// was needed).
    /// </summary>
    public static IReadOnlyList<string> Apply(DomainDocument domain, VirtioFsSharedMemoryChoice choice, ulong? hugePageSizeKiB = null)
    {
        var state = SharedMemoryInspector.Inspect(domain);
        var changes = new List<string>();
        switch (choice)
        {
            case VirtioFsSharedMemoryChoice.Keep:
                if (!state.VirtioFsReady)
                {
                    throw new VirtioFsException(ErrorIds.SharedMemoryMissing, VirtioFsErrorKind.InvalidOperation,
                        $"Domain '{domain.Name}' has no shared memory and -SharedMemory Keep forbids adding it: {state.Reason}",
                        domain.Name, "Run Enable-VirtioFsSharedMemory first, or omit -SharedMemory Keep so the memory is made shared.");
                }
                return changes;
            case VirtioFsSharedMemoryChoice.Auto:
                if (state.VirtioFsReady)
                {
                    return changes;
                }
                // Keep the admin's backing where it can be shared; otherwise memfd, the most robust choice.
                var auto = state.Backing switch
                {
                    VirtioFsSharedMemoryBacking.HugePages => VirtioFsSharedMemoryBacking.HugePages,
                    VirtioFsSharedMemoryBacking.File => VirtioFsSharedMemoryBacking.File,
                    _ => VirtioFsSharedMemoryBacking.Memfd,
                };
                return Enable(domain, state, auto, hugePageSizeKiB);
            case VirtioFsSharedMemoryChoice.Memfd:
                return Enable(domain, state, VirtioFsSharedMemoryBacking.Memfd, hugePageSizeKiB);
            case VirtioFsSharedMemoryChoice.File:
                return Enable(domain, state, VirtioFsSharedMemoryBacking.File, hugePageSizeKiB);
            default:
                return Enable(domain, state, VirtioFsSharedMemoryBacking.HugePages, hugePageSizeKiB);
        }
    }

    private static IReadOnlyList<string> Enable(DomainDocument domain, VirtioFsSharedMemory state,
        VirtioFsSharedMemoryBacking backing, ulong? hugePageSizeKiB)
    {
        var changes = new List<string>();
        if (state.Backing == VirtioFsSharedMemoryBacking.HugePages && backing != VirtioFsSharedMemoryBacking.HugePages)
        {
            // Dropping hugepages silently would change the guest's performance profile and pool needs.
            throw new VirtioFsException(ErrorIds.HugePagesInUse, VirtioFsErrorKind.InvalidOperation,
                $"Domain '{domain.Name}' is backed by hugepages; refusing to switch it to {backing}.",
                domain.Name, "Use -Backing HugePages (keeps the pages and makes them shared), or remove <hugepages> first.");
        }

        var root = domain.Root;
        var mb = root.Element("memoryBacking");
        if (mb is null)
        {
            mb = new XElement("memoryBacking");
            XmlLayout.InsertOrdered(root, mb, XmlLayout.DomainOrder);
            changes.Add("added <memoryBacking>");
        }

        if (backing == VirtioFsSharedMemoryBacking.HugePages)
        {
            var hp = mb.Element("hugepages");
            if (hp is null)
            {
                hp = new XElement("hugepages");
                if (hugePageSizeKiB is not null)
                {
                    hp.Add(new XElement("page", new XAttribute("size", hugePageSizeKiB.Value.ToString(CultureInfo.InvariantCulture)), new XAttribute("unit", "KiB")));
                }
                XmlLayout.InsertOrdered(mb, hp, XmlLayout.MemoryBackingOrder);
                changes.Add(hugePageSizeKiB is null ? "added <hugepages/> (host default page size)" : $"added <hugepages> with {hugePageSizeKiB} KiB pages");
            }
            // memfd/anonymous sources conflict with the hugetlbfs file backing libvirt uses for hugepages.
            if (mb.Element("source") is { } src && (string?)src.Attribute("type") is "anonymous")
            {
                XmlLayout.Remove(src);
                changes.Add("removed <source type='anonymous'/> (not shareable)");
            }
        }
        else
        {
            string type = backing == VirtioFsSharedMemoryBacking.File ? "file" : "memfd";
            var source = mb.Element("source");
            if (source is null)
            {
                source = new XElement("source", new XAttribute("type", type));
                XmlLayout.InsertOrdered(mb, source, XmlLayout.MemoryBackingOrder);
                changes.Add($"added <source type='{type}'/>");
            }
            else if ((string?)source.Attribute("type") != type)
            {
                changes.Add($"changed <source type='{(string?)source.Attribute("type")}'/> to '{type}'");
                source.SetAttributeValue("type", type);
            }
        }

        var access = mb.Element("access");
        if (access is null)
        {
            access = new XElement("access", new XAttribute("mode", "shared"));
            XmlLayout.InsertOrdered(mb, access, XmlLayout.MemoryBackingOrder);
            changes.Add("added <access mode='shared'/>");
        }
        else if ((string?)access.Attribute("mode") != "shared")
        {
            changes.Add($"changed <access mode='{(string?)access.Attribute("mode")}'/> to 'shared'");
            access.SetAttributeValue("mode", "shared");
        }

        // With NUMA cells libvirt decides per cell; a cell marked private would stay private.
        var numa = root.Element("cpu")?.Element("numa");
        if (numa is not null)
        {
            foreach (var cell in numa.Elements("cell"))
            {
                string? mode = (string?)cell.Attribute("memAccess");
                if (mode != "shared")
                {
                    cell.SetAttributeValue("memAccess", "shared");
                    changes.Add($"set memAccess='shared' on NUMA cell {(string?)cell.Attribute("id") ?? "?"}");
                }
            }
        }
        return changes;
    }
}
