// SPDX-License-Identifier: MIT
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
        // Attributes come in document order, so their line numbers never go down: one forward walk over the
        // text finds each line's start, with no table of every line.
        int line = 1, lineStart = 0;
        foreach (var element in doc.Descendants())
        {
            for (var attr = element.FirstAttribute; attr is not null; attr = attr.NextAttribute)
            {
                if (attr is not IXmlLineInfo info || !info.HasLineInfo() || info.LineNumber < line)
                {
                    continue;
                }
                while (line < info.LineNumber)
                {
                    int next = text.IndexOf('\n', lineStart);
                    if (next < 0)
                    {
                        break;
                    }
                    lineStart = next + 1;
                    line++;
                }
                if (line != info.LineNumber)
                {
                    continue; // past the end of the text
                }
                int at = lineStart + info.LinePosition - 1;
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
}
