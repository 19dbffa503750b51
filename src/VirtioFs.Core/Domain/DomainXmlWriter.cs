// SPDX-License-Identifier: MIT
using System;
using System.Buffers;
using System.Text;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// Serialises a domain document the way libvirt writes XML: single-quoted attributes and
/// <c>&lt;x/&gt;</c> for empty elements. XDocument's own writer would turn every attribute into
/// double quotes and every empty element into <c>&lt;x /&gt;</c>, rewriting lines we never touched.
/// </summary>
internal static class DomainXmlWriter
{
    public static string Write(XDocument document, string? declaration, char quote)
    {
        var sb = new StringBuilder(4096); // a domain definition is a few KB: grow once or twice, not a dozen times
        if (declaration is not null)
        {
            sb.Append(declaration);
        }
        foreach (var node in document.Nodes())
        {
            WriteNode(sb, node, quote);
        }
        return sb.ToString();
    }

    private static void WriteNode(StringBuilder sb, XNode node, char quote)
    {
        switch (node)
        {
            case XElement e:
                WriteElement(sb, e, quote);
                break;
            case XCData cdata:
                sb.Append("<![CDATA[").Append(cdata.Value).Append("]]>");
                break;
            case XText text:
                sb.Append(EscapeText(text.Value));
                break;
            case XComment comment:
                sb.Append("<!--").Append(comment.Value).Append("-->");
                break;
            case XProcessingInstruction pi:
                sb.Append("<?").Append(pi.Target);
                if (pi.Data.Length > 0)
                {
                    sb.Append(' ').Append(pi.Data);
                }
                sb.Append("?>");
                break;
            case XDocumentType dt:
                sb.Append(dt.ToString());
                break;
        }
    }

    private static void WriteElement(StringBuilder sb, XElement e, char quote)
    {
        string name = QualifiedName(e, e.Name);
        sb.Append('<').Append(name);
        foreach (var attr in e.Attributes())
        {
            // Keep each attribute's original quote: libvirt writes ' but embeds metadata written with ".
            char q = attr.Annotation<AttributeQuotes.Quote>()?.Char ?? quote;
            sb.Append(' ').Append(AttributeName(e, attr)).Append('=').Append(q);
            AppendAttributeValue(sb, attr.Value, q);
            sb.Append(q);
        }
        if (e.IsEmpty)
        {
            sb.Append("/>");
            return;
        }
        sb.Append('>');
        foreach (var child in e.Nodes())
        {
            WriteNode(sb, child, quote);
        }
        sb.Append("</").Append(name).Append('>');
    }

    private static string QualifiedName(XElement scope, XName name)
    {
        if (name.Namespace == XNamespace.None)
        {
            return name.LocalName;
        }
        string? prefix = scope.GetPrefixOfNamespace(name.Namespace);
        return string.IsNullOrEmpty(prefix) ? name.LocalName : prefix + ":" + name.LocalName;
    }

    private static string AttributeName(XElement scope, XAttribute attr)
    {
        if (attr.IsNamespaceDeclaration)
        {
            return attr.Name.Namespace == XNamespace.None ? "xmlns" : "xmlns:" + attr.Name.LocalName;
        }
        if (attr.Name.Namespace == XNamespace.Xml)
        {
            return "xml:" + attr.Name.LocalName;
        }
        return QualifiedName(scope, attr.Name);
    }

    private static string EscapeText(string value)
    {
        if (value.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return value;
        }
        return value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }

    private static readonly SearchValues<char> s_attributeSpecials = SearchValues.Create("&<>'\"\n\r\t");

    /// <summary>Appends the value escaped for an attribute quoted with <paramref name="quote"/>; most values need nothing.</summary>
    private static void AppendAttributeValue(StringBuilder sb, string value, char quote)
    {
        if (value.AsSpan().IndexOfAny(s_attributeSpecials) < 0)
        {
            sb.Append(value);
            return;
        }
        foreach (char c in value)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\'' when quote == '\'': sb.Append("&apos;"); break;
                case '"' when quote == '"': sb.Append("&quot;"); break;
                case '\n': sb.Append("&#10;"); break;
                case '\r': sb.Append("&#13;"); break;
                case '\t': sb.Append("&#9;"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
