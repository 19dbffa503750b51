// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>
/// A libvirt domain definition loaded for editing. Everything it does not own (comments, unknown
/// elements and attributes, namespaced parts such as qemu:commandline and metadata, whitespace)
/// survives a load/save round trip unchanged.
/// </summary>
internal sealed class DomainDocument
{
    private static readonly Regex s_declaration = new(@"^\uFEFF?\s*<\?xml[^>]*\?>", RegexOptions.CultureInvariant);

    private readonly string? _declaration;
    private readonly char _quote;
    private readonly bool _crlf;

    // ToXml()'s last result. An edit asks for the text of both documents several times (whether anything
    // changed, the diff for -WhatIf, the bytes to write); the document is only serialised again after it
    // changed. Every change to any node bubbles up to the document's Changed event, which drops it.
    private string? _xml;

    private DomainDocument(XDocument document, string? declaration, char quote, bool crlf)
    {
        Document = document;
        _declaration = declaration;
        _quote = quote;
        _crlf = crlf;
        document.Changed += (_, _) => _xml = null;
    }

    public XDocument Document { get; }

    public XElement Root => Document.Root!;

    public string Name => Root.Element("name")?.Value.Trim() ?? string.Empty;

    public string? Uuid => Root.Element("uuid")?.Value.Trim();

    public string? HypervisorType => (string?)Root.Attribute("type");

    public string? Arch => (string?)Root.Element("os")?.Element("type")?.Attribute("arch");

    public string? Machine => (string?)Root.Element("os")?.Element("type")?.Attribute("machine");

    /// <summary>Maximum memory in KiB from &lt;memory&gt;, the size shared memory must cover.</summary>
    public ulong? MemoryKiB => MemoryUnits.ToKiB(Root.Element("memory"));

    public XElement? Devices => Root.Element("devices");

    /// <summary>All &lt;filesystem&gt; devices (virtiofs and others such as 9p).</summary>
    public IEnumerable<XElement> Filesystems => Devices?.Elements("filesystem") ?? Enumerable.Empty<XElement>();

    /// <summary>virtio-fs devices only.</summary>
    public IEnumerable<XElement> VirtioFsFilesystems =>
        Filesystems.Where(fs => (string?)fs.Element("driver")?.Attribute("type") == "virtiofs");

    public static DomainDocument Parse(string xml, string source)
    {
        if (string.IsNullOrWhiteSpace(xml))
        {
            throw new VirtioFsException(ErrorIds.MalformedDomainXml, VirtioFsErrorKind.InvalidData,
                $"The domain XML from '{source}' is empty.", source,
                "Give a libvirt domain definition (virsh dumpxml --inactive NAME > file.xml).");
        }
        XDocument doc;
        try
        {
            doc = XDocument.Parse(xml, LoadOptions.PreserveWhitespace | LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            throw new VirtioFsException(ErrorIds.MalformedDomainXml, VirtioFsErrorKind.InvalidData,
                $"The domain XML from '{source}' is not well-formed: {e.Message}", source,
                "Fix the XML (xmllint --noout FILE shows the error) and try again.", e);
        }
        if (doc.Root is null || doc.Root.Name != "domain")
        {
            throw new VirtioFsException(ErrorIds.NotADomainXml, VirtioFsErrorKind.InvalidData,
                $"'{source}' is not a libvirt domain definition: its root element is <{doc.Root?.Name.LocalName}>, not <domain>.",
                source, "Give a file written by 'virsh dumpxml' or 'virsh dumpxml --inactive'.");
        }
        AttributeQuotes.Record(doc, xml);
        var match = s_declaration.Match(xml);
        string? declaration = match.Success ? match.Value.TrimStart('\uFEFF') : null;
        // The XML parser turns CRLF into LF; remember it so a file edited on Windows keeps its line ends.
        bool crlf = xml.Contains("\r\n", StringComparison.Ordinal);
        return new DomainDocument(doc, declaration?.Replace("\r\n", "\n", StringComparison.Ordinal), DetectQuote(xml), crlf);
    }

    /// <summary>The document as text, formatted as it came in except where it was edited.</summary>
    public string ToXml()
    {
        if (_xml is { } cached)
        {
            return cached;
        }
        string xml = DomainXmlWriter.Write(Document, _declaration, _quote);
        return _xml = _crlf ? xml.Replace("\n", "\r\n", StringComparison.Ordinal) : xml;
    }

    /// <summary>
    /// A deep copy that writes the same text: the nodes copied by XDocument, and each attribute's quote mark
    /// (an annotation, which XDocument does not copy) carried over by walking both trees in step. Copying
    /// the tree costs a fraction of writing it out and parsing it again.
    /// </summary>
    public DomainDocument Clone()
    {
        var copy = new XDocument(Document);
        using (var from = Document.Descendants().GetEnumerator())
        using (var to = copy.Descendants().GetEnumerator())
        {
            while (from.MoveNext() && to.MoveNext())
            {
                var a = from.Current.FirstAttribute;
                var b = to.Current.FirstAttribute;
                while (a is not null && b is not null)
                {
                    if (a.Annotation<AttributeQuotes.Quote>() is { } quote)
                    {
                        b.AddAnnotation(quote);
                    }
                    a = a.NextAttribute;
                    b = b.NextAttribute;
                }
            }
        }
        return new DomainDocument(copy, _declaration, _quote, _crlf) { _xml = _xml };
    }

    public XElement EnsureDevices()
    {
        var devices = Devices;
        if (devices is null)
        {
            devices = new XElement("devices");
            XmlLayout.InsertOrdered(Root, devices, XmlLayout.DomainOrder);
        }
        return devices;
    }

    private static char DetectQuote(string xml)
    {
        // libvirt writes single quotes; files written by other tools may use double quotes.
        int start = xml.IndexOf("<domain", StringComparison.Ordinal);
        if (start < 0)
        {
            return '\'';
        }
        int end = xml.IndexOf('>', start);
        string tag = end > start ? xml[start..end] : xml[start..];
        int eq = tag.IndexOf('=');
        if (eq >= 0 && eq + 1 < tag.Length && tag[eq + 1] == '"')
        {
            return '"';
        }
        return '\'';
    }
}
