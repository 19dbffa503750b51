// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// Remembers which quote character each attribute had in the source text (XDocument forgets it),
/// so lines we do not edit are written back byte for byte.
/// </summary>
internal static class AttributeQuotes
{
    internal sealed class Quote
    {
        public Quote(char c) => Char = c;

        public char Char { get; }
    }

    public static void Record(XDocument doc, string text)
    {
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }
        foreach (var attr in doc.Descendants().SelectMany(e => e.Attributes()))
        {
            if (attr is not IXmlLineInfo info || !info.HasLineInfo() || info.LineNumber > lineStarts.Count)
            {
                continue;
            }
            int at = lineStarts[info.LineNumber - 1] + info.LinePosition - 1;
            // Skip the name, optional blanks, '=', optional blanks: the next character is the quote.
            while (at < text.Length && text[at] != '=')
            {
                at++;
            }
            at++;
            while (at < text.Length && char.IsWhiteSpace(text[at]))
            {
                at++;
            }
            if (at < text.Length && text[at] is '\'' or '"')
            {
                attr.AddAnnotation(new Quote(text[at]));
            }
        }
    }
}
