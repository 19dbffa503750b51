// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>
/// How a share is known to come from a mapping: a line in the domain's &lt;metadata&gt;, in our own
/// namespace, which libvirt keeps as it is (one element per namespace, never interpreted):
/// <code>
/// &lt;metadata&gt;
///   &lt;virtiofs:shares xmlns:virtiofs='urn:virtiofs-powershell:mappings:1'&gt;
///     &lt;virtiofs:share tag='data' mapping='data' host='kvm1.example.com'/&gt;
///   &lt;/virtiofs:shares&gt;
/// &lt;/metadata&gt;
/// </code>
/// The host is the mapping key the share's directory was chosen for. Sync-VirtioFsMapping -Prune removes
/// only shares marked so, for mappings of its own file, on the host the marker names: a domain seen through
/// another connection (a migrated guest, or one libvirtd reached by several names) is not pruned there. A
/// share made by hand with the same tag is adopted (marked) when it is declared, never removed unmarked.
/// </summary>
internal static class ManagedShareMarker
{
    public static readonly XNamespace Namespace = "urn:virtiofs-powershell:mappings:1";

    private const string Prefix = "virtiofs";

    /// <summary>Tag to its mark, for every share the domain's marker lists (the first entry wins for a repeated tag).</summary>
    public static IReadOnlyDictionary<string, ShareMark> Read(DomainDocument doc)
    {
        var marks = new Dictionary<string, ShareMark>(StringComparer.Ordinal);
        foreach (var share in Container(doc)?.Elements(Namespace + "share") ?? [])
        {
            if ((string?)share.Attribute("tag") is { } tag && (string?)share.Attribute("mapping") is { } mapping)
            {
                marks.TryAdd(tag, new ShareMark(mapping, (string?)share.Attribute("host") ?? string.Empty));
            }
        }
        return marks;
    }

    /// <summary>Marks the share <paramref name="tag"/> as made from a mapping for a host; true when the document changed.</summary>
    public static bool Mark(DomainDocument doc, string tag, ShareMark mark)
    {
        var entries = Entries(doc, tag).ToList();
        if (entries.Count == 1 && (string?)entries[0].Attribute("mapping") == mark.Mapping && (string?)entries[0].Attribute("host") == mark.Host)
        {
            return false;
        }
        foreach (var e in entries)
        {
            XmlLayout.Remove(e);
        }
        var container = Container(doc) ?? AddContainer(doc);
        var entry = new XElement(Namespace + "share", new XAttribute("tag", tag), new XAttribute("mapping", mark.Mapping), new XAttribute("host", mark.Host));
        // libvirt writes metadata back with double quotes; a new line written like its neighbours keeps the diff to itself.
        if (container.Attributes().Select(a => a.Annotation<AttributeQuotes.Quote>()).FirstOrDefault(q => q is not null) is { } quote)
        {
            foreach (var a in entry.Attributes())
            {
                a.AddAnnotation(new AttributeQuotes.Quote(quote.Char));
            }
        }
        XmlLayout.InsertAfter(container, entry, container.Elements().LastOrDefault());
        return true;
    }

    /// <summary>Removes the marker of <paramref name="tag"/>, and the containers it leaves empty; true when the document changed.</summary>
    public static bool Unmark(DomainDocument doc, string tag)
    {
        var entries = Entries(doc, tag).ToList();
        if (entries.Count == 0)
        {
            return false;
        }
        foreach (var e in entries)
        {
            XmlLayout.Remove(e);
        }
        var container = Container(doc)!;
        if (!container.Elements().Any())
        {
            var metadata = container.Parent!;
            XmlLayout.Remove(container);
            if (!metadata.Nodes().Any(n => n is XElement or XComment))
            {
                XmlLayout.Remove(metadata);
            }
        }
        return true;
    }

    private static IEnumerable<XElement> Entries(DomainDocument doc, string tag) =>
        Container(doc)?.Elements(Namespace + "share").Where(e => (string?)e.Attribute("tag") == tag) ?? [];

    private static XElement? Container(DomainDocument doc) => doc.Root.Element("metadata")?.Element(Namespace + "shares");

    private static XElement AddContainer(DomainDocument doc)
    {
        var metadata = doc.Root.Element("metadata");
        if (metadata is null)
        {
            metadata = new XElement("metadata");
            XmlLayout.InsertOrdered(doc.Root, metadata, XmlLayout.DomainOrder);
        }
        var container = new XElement(Namespace + "shares", new XAttribute(XNamespace.Xmlns + Prefix, Namespace.NamespaceName));
        XmlLayout.InsertAfter(metadata, container, metadata.Elements().LastOrDefault());
        return container;
    }
}
