// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>The outcome of an edit: the new XML, what changed, and the device for a live attach/detach.</summary>
internal sealed class DomainEdit
{
    public DomainEdit(DomainDocument before, DomainDocument after, IReadOnlyList<string> changes, bool memoryChanged, XElement? device)
    {
        Before = before;
        After = after;
        Changes = changes;
        MemoryChanged = memoryChanged;
        Device = device;
    }

    public DomainDocument Before { get; }

    public DomainDocument After { get; }

    public IReadOnlyList<string> Changes { get; }

    /// <summary>True when memoryBacking or NUMA cells changed: that never applies to a running guest.</summary>
    public bool MemoryChanged { get; }

    /// <summary>The &lt;filesystem&gt; added, changed or removed.</summary>
    public XElement? Device { get; }

    /// <summary>
    /// True when only &lt;metadata&gt; changes (a mapping's marker): nothing the guest sees changes, and the module
    /// reads the marker from the definition, so no "applies at its next boot" warning is due.
    /// </summary>
    public bool OnlyMetadata { get; init; }

    public string NewXml => After.ToXml();

    public bool HasChanges => LineDiff.HasChanges(Before.ToXml(), After.ToXml());

    public string Diff(string label) => LineDiff.Unified(Before.ToXml(), After.ToXml(), label + " (before)", label + " (after)");

    /// <summary>The device alone, for virDomainAttachDevice/DetachDevice.</summary>
    public string DeviceXml => Device is null ? string.Empty : DomainXmlWriter.Write(new XDocument(StripLayout(new XElement(Device))), null, '\'');

    private static XElement StripLayout(XElement e)
    {
        foreach (var t in e.DescendantNodes().OfType<XText>().Where(t => string.IsNullOrWhiteSpace(t.Value)).ToList())
        {
            t.Remove();
        }
        return e;
    }
}
