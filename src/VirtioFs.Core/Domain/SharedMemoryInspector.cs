// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// Reads a domain's memory backing and decides, with libvirt's own rule, whether virtio-fs can
/// work: without NUMA cells the whole RAM needs &lt;access mode='shared'/&gt;; with cells, every
/// cell must be shared (its memAccess, or the global access when memAccess is absent). On top of
/// libvirt's check we refuse anonymous memory: it is shared in name only, virtiofsd gets no fd
/// for it and the guest hangs on first I/O.
/// </summary>
internal static class SharedMemoryInspector
{
    public static VirtioFsSharedMemory Inspect(DomainDocument domain)
    {
        var backing = domain.Root.Element("memoryBacking");
        string? access = (string?)backing?.Element("access")?.Attribute("mode");
        var cells = ReadCells(domain.Root);
        var hugepages = ReadHugePages(backing);
        var kind = BackingOf(backing);
        var other = backing?.Elements()
            .Where(e => e.Name.LocalName is not ("hugepages" or "source" or "access"))
            .Select(e => e.Name.LocalName).ToList() ?? new List<string>();

        var (ready, reason) = Judge(kind, access, cells);
        return new VirtioFsSharedMemory
        {
            Domain = domain.Name,
            Backing = kind,
            AccessMode = access,
            HugePageSizes = hugepages,
            NumaCells = cells,
            OtherSettings = other,
            MemoryKiB = domain.MemoryKiB,
            VirtioFsReady = ready,
            Reason = reason,
        };
    }

    public static VirtioFsSharedMemoryBacking BackingOf(XElement? backing)
    {
        if (backing?.Element("hugepages") is not null)
        {
            return VirtioFsSharedMemoryBacking.HugePages;
        }
        return (string?)backing?.Element("source")?.Attribute("type") switch
        {
            "memfd" => VirtioFsSharedMemoryBacking.Memfd,
            "file" => VirtioFsSharedMemoryBacking.File,
            "anonymous" => VirtioFsSharedMemoryBacking.Anonymous,
            _ => VirtioFsSharedMemoryBacking.Default,
        };
    }

    private static (bool Ready, string Reason) Judge(VirtioFsSharedMemoryBacking kind, string? access, IReadOnlyList<VirtioFsNumaCell> cells)
    {
        if (kind == VirtioFsSharedMemoryBacking.Anonymous)
        {
            return (false, "Memory source is 'anonymous': it has no file descriptor virtiofsd could map; use memfd, file or hugepages.");
        }
        if (cells.Count == 0)
        {
            return access == "shared"
                ? (true, $"Guest RAM is shared ({Describe(kind)}).")
                : (false, access == "private"
                    ? "Memory access is 'private': virtiofsd cannot map guest RAM."
                    : "Memory access is not 'shared': libvirt refuses virtio-fs ('virtiofs' requires shared memory).");
        }
        var privateCells = cells.Where(c => c.MemAccess == "private" || (c.MemAccess is null && access != "shared")).ToList();
        if (privateCells.Count > 0)
        {
            return (false, $"NUMA cell(s) {string.Join(", ", privateCells.Select(c => c.Id))} are not shared: set memAccess='shared' on every cell.");
        }
        return (true, $"Every NUMA cell is shared ({Describe(kind)}).");
    }

    private static string Describe(VirtioFsSharedMemoryBacking kind) => kind switch
    {
        VirtioFsSharedMemoryBacking.Default => "libvirt's default backing: a file in memory_backing_dir",
        VirtioFsSharedMemoryBacking.Memfd => "memfd",
        VirtioFsSharedMemoryBacking.File => "file in memory_backing_dir",
        VirtioFsSharedMemoryBacking.HugePages => "hugepages",
        _ => kind.ToString(),
    };

    private static IReadOnlyList<VirtioFsNumaCell> ReadCells(XElement root)
    {
        var numa = root.Element("cpu")?.Element("numa");
        if (numa is null)
        {
            return new List<VirtioFsNumaCell>();
        }
        var list = new List<VirtioFsNumaCell>();
        int index = 0;
        foreach (var cell in numa.Elements("cell"))
        {
            int id = MemoryUnits.ParseInt((string?)cell.Attribute("id")) ?? index;
            list.Add(new VirtioFsNumaCell(id, MemoryUnits.ToKiB(cell, "memory"), (string?)cell.Attribute("memAccess"), (string?)cell.Attribute("cpus")));
            index++;
        }
        return list;
    }

    private static IReadOnlyList<VirtioFsHugePageRequest> ReadHugePages(XElement? backing)
    {
        var hugepages = backing?.Element("hugepages");
        if (hugepages is null)
        {
            return new List<VirtioFsHugePageRequest>();
        }
        var pages = hugepages.Elements("page").ToList();
        if (pages.Count == 0)
        {
            return new List<VirtioFsHugePageRequest> { new(null, null) };
        }
        return pages.Select(p => new VirtioFsHugePageRequest(MemoryUnits.ToKiB(p, "size"), (string?)p.Attribute("nodeset"))).ToList();
    }
}
