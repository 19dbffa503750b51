// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// Inserts and removes elements while keeping the document's indentation, so a diff of our edit
/// shows only the lines we meant to change. New elements go where libvirt's own formatter puts
/// them (the order lists below), which is also what an admin reading the file expects.
/// </summary>
internal static class XmlLayout
{
    /// <summary>libvirt's order of the top-level elements we may insert near.</summary>
    public static readonly string[] DomainOrder =
    {
        "name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory", "currentMemory",
        "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads", "iothreadids", "defaultiothread",
        "cputune", "numatune", "resource", "sysinfo", "bootloader", "bootloader_args", "os", "idmap", "features",
        "cpu", "clock", "on_poweroff", "on_reboot", "on_crash", "on_lockfailure", "pm", "perf", "devices",
    };

    public static readonly string[] MemoryBackingOrder =
        { "hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard" };

    /// <summary>Device kinds libvirt formats before filesystems.</summary>
    public static readonly string[] DevicesBeforeFilesystem = { "emulator", "disk", "controller", "lease" };

    /// <summary>
    /// Inserts <paramref name="child"/> into <paramref name="parent"/> after the last existing child
    /// whose name comes at or before it in <paramref name="order"/>; first when none does.
    /// </summary>
    public static void InsertOrdered(XElement parent, XElement child, IReadOnlyList<string> order)
    {
        int rank = IndexOf(order, child.Name.LocalName);
        XElement? after = null;
        foreach (var existing in parent.Elements())
        {
            int r = IndexOf(order, existing.Name.LocalName);
            if (r >= 0 && rank >= 0 && r <= rank)
            {
                after = existing;
            }
        }
        InsertAfter(parent, child, after);
    }

    /// <summary>Inserts <paramref name="child"/> after <paramref name="after"/> (null: as the first child).</summary>
    public static void InsertAfter(XElement parent, XElement child, XElement? after)
    {
        string unit = IndentUnit(parent.Document);
        string parentIndent = IndentOf(parent);
        string childIndent = parentIndent + unit;
        Indent(child, childIndent, unit);

        bool hadChildren = parent.Elements().Any();
        if (!hadChildren)
        {
            // <memoryBacking/>, or an element holding only whitespace or comments: keep the comments,
            // replace the closing line's whitespace.
            if (parent.LastNode is XText trailing && trailing is not XCData && string.IsNullOrWhiteSpace(trailing.Value))
            {
                trailing.Remove();
            }
            parent.Add(new XText("\n" + childIndent), child, new XText("\n" + parentIndent));
            return;
        }
        if (after is null)
        {
            var first = parent.Elements().First();
            // Put it before the first element, keeping any comment that belongs to that element with it.
            XNode anchor = LeadingCommentsStart(first);
            anchor.AddBeforeSelf(child, new XText("\n" + childIndent));
            return;
        }
        after.AddAfterSelf(new XText("\n" + childIndent), child);
    }

    /// <summary>Removes an element together with the whitespace that introduced it.</summary>
    public static void Remove(XElement element)
    {
        if (element.PreviousNode is XText ws && string.IsNullOrWhiteSpace(ws.Value) && ws is not XCData)
        {
            ws.Remove();
        }
        element.Remove();
    }

    /// <summary>Adds or replaces an attribute without moving it: replacing keeps the original position.</summary>
    public static void SetAttribute(XElement element, string name, string? value) => element.SetAttributeValue(name, value);

    /// <summary>Returns the existing child or creates it in libvirt's order.</summary>
    public static XElement GetOrAdd(XElement parent, string name, IReadOnlyList<string> order)
    {
        var existing = parent.Element(name);
        if (existing is not null)
        {
            return existing;
        }
        var created = new XElement(name);
        InsertOrdered(parent, created, order);
        return created;
    }

    /// <summary>Returns the existing child or appends it after the last element.</summary>
    public static XElement GetOrAppend(XElement parent, string name)
    {
        var existing = parent.Element(name);
        if (existing is not null)
        {
            return existing;
        }
        var created = new XElement(name);
        InsertAfter(parent, created, parent.Elements().LastOrDefault());
        return created;
    }

    /// <summary>Indentation of the line an element starts on ("" for the root).</summary>
    public static string IndentOf(XElement element)
    {
        if (element.PreviousNode is XText text && text is not XCData)
        {
            int nl = text.Value.LastIndexOf('\n');
            if (nl >= 0)
            {
                return text.Value[(nl + 1)..];
            }
        }
        // A comment or another node before it on the same line: use the first element sibling's indentation.
        if (element.Parent is not null)
        {
            foreach (var sibling in element.Parent.Elements())
            {
                if (sibling != element && sibling.PreviousNode is XText t && t.Value.Contains('\n'))
                {
                    return t.Value[(t.Value.LastIndexOf('\n') + 1)..];
                }
            }
            return IndentOf(element.Parent) + IndentUnit(element.Document);
        }
        return string.Empty;
    }

    /// <summary>The document's indentation step, read from the root's first child (libvirt uses two spaces).</summary>
    public static string IndentUnit(XDocument? document)
    {
        var root = document?.Root;
        var first = root?.Elements().FirstOrDefault();
        if (first?.PreviousNode is XText text && text is not XCData)
        {
            int nl = text.Value.LastIndexOf('\n');
            if (nl >= 0 && nl + 1 < text.Value.Length)
            {
                return text.Value[(nl + 1)..];
            }
        }
        return "  ";
    }

    /// <summary>Formats a freshly built element (no whitespace nodes yet) for the given indentation.</summary>
    public static void Indent(XElement element, string indent, string unit)
    {
        var children = element.Elements().ToList();
        if (children.Count == 0)
        {
            return;
        }
        if (element.Nodes().OfType<XText>().Any(t => !string.IsNullOrWhiteSpace(t.Value)))
        {
            return; // mixed content: leave as is
        }
        foreach (var ws in element.Nodes().OfType<XText>().ToList())
        {
            ws.Remove();
        }
        string childIndent = indent + unit;
        foreach (var child in children)
        {
            child.AddBeforeSelf(new XText("\n" + childIndent));
            Indent(child, childIndent, unit);
        }
        element.Add(new XText("\n" + indent));
    }

    private static XNode LeadingCommentsStart(XElement element)
    {
        XNode start = element;
        // Walk back over "comment + whitespace" pairs so a comment describing the element stays above it.
        while (start.PreviousNode is XText ws && string.IsNullOrWhiteSpace(ws.Value) && ws.PreviousNode is XComment c)
        {
            start = c;
        }
        return start;
    }

    private static int IndexOf(IReadOnlyList<string> order, string name)
    {
        for (int i = 0; i < order.Count; i++)
        {
            if (string.Equals(order[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
