// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.HugePages;

/// <summary>The requirements of one domain and what could not be matched against the host.</summary>
internal sealed class HugePageNeeds
{
    public List<VirtioFsHugePageRequirement> Requirements { get; } = [];

    /// <summary>Why the domain cannot start on this host whatever is allocated: a size the host does not offer, a host node it lacks.</summary>
    public List<string> Blockers { get; } = [];

    /// <summary>Things the admin should know that allocation does not fix (no hugetlbfs mount).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>How the figures were derived, for -Verbose.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>False when the domain has no &lt;memoryBacking&gt;&lt;hugepages&gt;.</summary>
    public bool UsesHugePages { get; set; }
}

/// <summary>
/// Works out, with libvirt's own rules, which hugepage pool each guest NUMA cell draws from and how
/// many pages that is:
/// <list type="bullet">
/// <item>page size: the &lt;page&gt; whose nodeset holds the cell, else the &lt;page&gt; without nodeset,
/// else the cell is not hugepage-backed (qemuBuildMemoryBackendProps); a page without size, or a bare
/// &lt;hugepages/&gt;, means the host's default hugepage size;</item>
/// <item>host node: &lt;numatune&gt;&lt;memnode cellid&gt; for the cell, else &lt;numatune&gt;&lt;memory&gt;; mode
/// 'preferred' and placement 'auto' do not bind, so those cells count host-wide;</item>
/// <item>a guest without NUMA cells is one cell 0 holding &lt;memory&gt;;</item>
/// <item>each cell's memory is rounded up to whole pages (QEMU maps whole pages);</item>
/// <item>a memory DIMM present at start (&lt;devices&gt;&lt;memory model='dimm'&gt;) is a backend of its
/// own: its &lt;source&gt;&lt;pagesize&gt; or else the &lt;page&gt; rule of its target cell, and its
/// &lt;source&gt;&lt;nodemask&gt; or else the binding of its target cell. libvirt's &lt;memory&gt; counts DIMMs
/// in, so a guest without cells gets &lt;memory&gt; minus the DIMMs. Other models are left out: nvdimm
/// and virtio-pmem are backed by their own file, virtio-mem takes pages only as the guest plugs blocks.</item>
/// </list>
/// </summary>
internal static class HugePageRequirements
{
    private sealed record PageRule(long? SizeKiB, SortedSet<int>? GuestNodes);

    /// <summary>One memory backend QEMU maps: a guest cell, or a DIMM with its own page size or host nodes.</summary>
    private sealed record Backend(string Label, int CellId, long MemoryKiB, long? PageKiB, SortedSet<int>? HostNodes, bool IsDimm);

    public static HugePageNeeds Compute(DomainDocument domain, IHugePageHost host)
    {
        var needs = new HugePageNeeds();
        var hugepages = domain.Root.Element("memoryBacking")?.Element("hugepages");
        if (hugepages is null)
        {
            return needs;
        }
        needs.UsesHugePages = true;
        var rules = hugepages.Elements("page")
            .Select(p => new PageRule(
                (long?)MemoryUnits.ToKiB(p, "size"),
                p.Attribute("nodeset") is { } ns ? Nodeset.Parse(ns.Value, "hugepages page nodeset") : null))
            .ToList();
        if (rules.Count == 0)
        {
            rules.Add(new PageRule(null, null)); // <hugepages/>: all memory, default size
        }

        var numatune = domain.Root.Element("numatune");
        var globalBinding = Binding(numatune?.Element("memory"));
        SortedSet<int>? CellBinding(int cell) =>
            numatune?.Elements("memnode").FirstOrDefault(m => MemoryUnits.ParseInt((string?)m.Attribute("cellid")) == cell) is { } memnode
                ? Binding(memnode)
                : globalBinding;

        var dimms = (domain.Devices?.Elements("memory") ?? [])
            .Where(m => (string?)m.Attribute("model") == "dimm")
            .Select(m => new Backend(
                $"DIMM{((string?)m.Element("alias")?.Attribute("name") is { } alias ? $" '{alias}'" : string.Empty)} on cell {MemoryUnits.ParseInt((string?)m.Element("target")?.Element("node")) ?? 0}",
                MemoryUnits.ParseInt((string?)m.Element("target")?.Element("node")) ?? 0,
                (long)(MemoryUnits.ToKiB(m.Element("target")?.Element("size")) ?? 0),
                (long?)MemoryUnits.ToKiB(m.Element("source")?.Element("pagesize")),
                m.Element("source")?.Element("nodemask") is { } mask ? Nodeset.Parse(mask.Value, "memory device nodemask") : null,
                IsDimm: true))
            .ToList();

        var numa = domain.Root.Element("cpu")?.Element("numa");
        var hasCells = numa?.Elements("cell").Any() == true;
        var backends = hasCells
            ? numa!.Elements("cell").Select((c, i) =>
            {
                int id = MemoryUnits.ParseInt((string?)c.Attribute("id")) ?? i;
                return new Backend($"NUMA cell {id}", id, (long)(MemoryUnits.ToKiB(c, "memory") ?? 0), null, null, IsDimm: false);
            }).ToList()
            : [new Backend("memory", 0, Math.Max(0, (long)(domain.MemoryKiB ?? 0) - dimms.Sum(d => d.MemoryKiB)), null, null, IsDimm: false)];
        backends.AddRange(dimms);

        var defaultKiB = new Lazy<long>(host.DefaultPageSizeKiB);
        var groups = new Dictionary<(long Kib, string Nodes), (List<int> Cells, long Memory, long Pages, SortedSet<int>? HostNodes)>();
        foreach (var backend in backends)
        {
            long kib;
            string sizeNote = string.Empty;
            if (backend.PageKiB is long own)
            {
                // A DIMM's own <pagesize>; the system page size means plain memory.
                if (own <= 4)
                {
                    needs.Notes.Add($"Guest {backend.Label}: {MemoryUnits.Describe((ulong)backend.MemoryKiB)} in normal pages (its <pagesize>).");
                    continue;
                }
                kib = own;
            }
            else
            {
                var rule = rules.FirstOrDefault(r => r.GuestNodes?.Contains(backend.CellId) == true)
                           ?? rules.FirstOrDefault(r => r.GuestNodes is null);
                if (rule is null)
                {
                    needs.Notes.Add($"Guest {backend.Label} matches no <page> nodeset and there is no <page> without one: it uses normal memory.");
                    continue;
                }
                kib = rule.SizeKiB ?? defaultKiB.Value;
                sizeNote = rule.SizeKiB is null ? " (host default size)" : string.Empty;
            }
            var hostNodes = backend.HostNodes ?? CellBinding(backend.CellId);
            long pages = (backend.MemoryKiB + kib - 1) / kib;
            var key = (kib, hostNodes is null ? string.Empty : Nodeset.Format(hostNodes));
            if (!groups.TryGetValue(key, out var g))
            {
                g = ([], 0, 0, hostNodes);
            }
            if (hasCells && !g.Cells.Contains(backend.CellId))
            {
                g.Cells.Add(backend.CellId);
            }
            groups[key] = (g.Cells, g.Memory + backend.MemoryKiB, g.Pages + pages, hostNodes);
            needs.Notes.Add($"Guest {backend.Label}: {MemoryUnits.Describe((ulong)backend.MemoryKiB)} in {PageSize.Format(kib)} pages" +
                            $"{sizeNote} = {pages} pages, " +
                            $"{(hostNodes is null ? "host-wide" : $"host node(s) {Nodeset.Format(hostNodes)}")}.");
        }

        var pools = host.ReadPools().ToDictionary(p => (p.PageSizeKiB, p.NumaNode));
        foreach (var ((kib, _), g) in groups.OrderBy(x => x.Key.Kib).ThenBy(x => x.Key.Nodes, StringComparer.Ordinal))
        {
            long free = 0;
            if (!pools.ContainsKey((kib, -1)))
            {
                var offered = host.OfferedPageSizesKiB();
                needs.Blockers.Add($"Domain '{domain.Name}' needs {PageSize.Format(kib)} pages, which the host does not offer " +
                                   $"(offered: {(offered.Count == 0 ? "none" : string.Join(", ", offered.Select(PageSize.Format)))}); it cannot start.");
            }
            else if (g.HostNodes is null)
            {
                free = pools[(kib, -1)].Available;
            }
            else
            {
                foreach (var n in g.HostNodes)
                {
                    if (pools.TryGetValue((kib, n), out var p))
                    {
                        free += p.Free;
                    }
                    else
                    {
                        needs.Blockers.Add($"Domain '{domain.Name}' binds guest memory to host NUMA node {n}, which the host does not have " +
                                           $"(nodes: {string.Join(", ", host.NumaNodes())}).");
                    }
                }
            }
            if (host.ConnectionUri is null && pools.TryGetValue((kib, -1), out var hostPool) && hostPool.MountPoint.Length == 0)
            {
                needs.Warnings.Add($"No hugetlbfs is mounted for {PageSize.Format(kib)} pages: libvirt cannot use them. " +
                                   $"Mount it with Mount-VirtioFsHugeTlbFs -PageSize {PageSize.FormatKernel(kib)}, then restart libvirtd.");
            }
            int node = g.HostNodes is { Count: 1 } ? g.HostNodes.Min : -1;
            needs.Requirements.Add(new VirtioFsHugePageRequirement(domain.Name, kib, node,
                g.HostNodes is { Count: > 1 } ? Nodeset.Format(g.HostNodes) : null,
                hasCells ? g.Cells.ToArray() : [], g.Memory, g.Pages, free)
            {
                ConnectionUri = host.ConnectionUri,
            });
        }
        return needs;
    }

    /// <summary>The host nodes a numatune element binds to; null when it does not bind (absent, preferred, auto placement).</summary>
    private static SortedSet<int>? Binding(XElement? element)
    {
        if (element is null || (string?)element.Attribute("mode") == "preferred" || (string?)element.Attribute("placement") == "auto")
        {
            return null;
        }
        return element.Attribute("nodeset") is { } ns ? Nodeset.Parse(ns.Value, "numatune nodeset") : null;
    }

    /// <summary>
    /// The pools to grow so every requirement is met: the pool's current size plus what is short. A
    /// requirement bound to several host nodes is met from the first of them (the kernel fills a
    /// host-wide request across all nodes, which may miss the binding).
    /// </summary>
    public static IReadOnlyList<HugePageRequest> Plan(IEnumerable<VirtioFsHugePageRequirement> requirements, IHugePageHost host)
    {
        var adds = new Dictionary<(long Kib, int Node), long>();
        foreach (var r in requirements.Where(r => r.ShortBy > 0))
        {
            int node = r.AllocationNode;
            adds[(r.PageSizeKiB, node)] = adds.GetValueOrDefault((r.PageSizeKiB, node)) + r.ShortBy;
        }
        return adds.Select(a => new HugePageRequest(a.Key.Kib, a.Key.Node, host.ReadCount(a.Key.Kib, a.Key.Node) + a.Value)).ToList();
    }
}

/// <summary>libvirt's node sets: "0-3,^2,5".</summary>
internal static class Nodeset
{
    public static SortedSet<int> Parse(string text, string what)
    {
        var set = new SortedSet<int>();
        var exclude = new List<int>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool neg = raw.StartsWith('^');
            var part = neg ? raw[1..] : raw;
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (!int.TryParse(dash < 0 ? part : part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var lo) ||
                !int.TryParse(dash < 0 ? part : part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var hi) || hi < lo)
            {
                throw new VirtioFsException(ErrorIds.InvalidNodeset, VirtioFsErrorKind.InvalidData,
                    $"The {what} '{text}' is not a node set such as '0-3,^2'.", text, "Fix the domain XML (virsh edit).");
            }
            for (int i = lo; i <= hi; i++)
            {
                (neg ? exclude : null)?.Add(i);
                if (!neg)
                {
                    set.Add(i);
                }
            }
        }
        set.ExceptWith(exclude);
        return set;
    }

    /// <summary>Compact form: 0-2,5.</summary>
    public static string Format(IEnumerable<int> nodes)
    {
        var list = nodes.Order().ToList();
        var parts = new List<string>();
        for (int i = 0; i < list.Count;)
        {
            int j = i;
            while (j + 1 < list.Count && list[j + 1] == list[j] + 1)
            {
                j++;
            }
            parts.Add(i == j ? list[i].ToString(CultureInfo.InvariantCulture) : $"{list[i]}-{list[j]}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }
}
