// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VirtioFs.Errors;

namespace VirtioFs.QemuConfig;

/// <summary>A setting in the file: where its value sits (offsets into the text) so an edit can replace just that.</summary>
internal sealed record ConfEntry(string Name, ConfValue Value, int StartLine, int EndLine, int ValueStart, int ValueEnd);

/// <summary>A stock commented-out default such as <c>#memory_backing_dir = "/var/lib/libvirt/qemu/ram"</c>, spanning lines StartLine..EndLine.</summary>
internal sealed record ConfCommentedDefault(string Name, ConfValue Value, int StartLine, int EndLine);

/// <summary>
/// libvirt's config syntax (src/util/virconf.c), parsed faithfully enough to edit without damage:
/// <c>name = value</c> statements, optional <c>;</c>, <c>#</c> comments to end of line, values that
/// are strings ("..." or '...' on one line, or """...""" across lines; no escapes), integers (booleans
/// are 0/1) and lists <c>[ v, v, ]</c> that may span lines with comments between items.
/// The text is held as Latin-1 so every byte round-trips; only edited spans change.
/// </summary>
internal sealed partial class QemuConfigDocument
{
    private readonly List<ConfEntry> _entries = [];
    private readonly List<ConfCommentedDefault> _commented = [];

    private QemuConfigDocument(string text, string source)
    {
        Text = text;
        Source = source;
    }

    /// <summary>The file as Latin-1 (one char per byte).</summary>
    public string Text { get; }

    public string Source { get; }

    public IReadOnlyList<ConfEntry> Entries => _entries;

    public IReadOnlyList<ConfCommentedDefault> CommentedDefaults => _commented;

    public static QemuConfigDocument Parse(byte[] bytes, string source) => Parse(Encoding.Latin1.GetString(bytes), source);

    public byte[] ToBytes() => Encoding.Latin1.GetBytes(Text);

    public static QemuConfigDocument Parse(string latin1Text, string source)
    {
        var doc = new QemuConfigDocument(latin1Text, source);
        var p = new Parser(latin1Text, source);
        while (p.NextStatement() is { } e)
        {
            doc._entries.Add(e);
        }
        doc.FindCommentedDefaults();
        return doc;
    }

    /// <summary>The setting libvirt uses: virConfGetValue returns the first entry with the name.</summary>
    public ConfEntry? Find(string name) => _entries.FirstOrDefault(e => e.Name == name);

    /// <summary>The stock commented default: a line starting with "#name" (no space after '#', which is how libvirt's shipped file marks them, unlike its prose examples).</summary>
    public ConfCommentedDefault? FindCommentedDefault(string name) => _commented.LastOrDefault(c => c.Name == name);

    [GeneratedRegex(@"^#([A-Za-z_][A-Za-z0-9_.]*)\s*=")]
    private static partial Regex CommentedStatement();

    private void FindCommentedDefaults()
    {
        var lines = Text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var m = CommentedStatement().Match(lines[i]);
            if (!m.Success)
            {
                continue;
            }
            // Join following commented lines until the statement parses (commented lists span lines).
            var sb = new StringBuilder();
            for (int j = i; j < lines.Length && j < i + 64 && lines[j].StartsWith('#'); j++)
            {
                sb.Append(lines[j].AsSpan(1)).Append('\n');
                try
                {
                    var parser = new Parser(sb.ToString(), Source);
                    if (parser.NextStatement() is { } e && e.Name == m.Groups[1].Value && parser.NextStatement() is null)
                    {
                        _commented.Add(new ConfCommentedDefault(e.Name, e.Value, i + 1, j + 1));
                        break;
                    }
                }
                catch (VirtioFsException)
                {
                    // not complete yet (or prose): read another line
                }
            }
        }
    }

    /// <summary>Line number (1-based) of a text offset.</summary>
    internal static int LineOf(string text, int offset)
    {
        int line = 1;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }
        return line;
    }

    /// <summary>
    /// Returns the document with <paramref name="name"/> set to <paramref name="value"/> and the change
    /// made, or (this, null) when it already has that value. Only the value's own text is replaced when
    /// the key is set; otherwise the stock commented default line is uncommented in place; otherwise a
    /// line is appended.
    /// </summary>
    public (QemuConfigDocument Document, VirtioFsQemuConfigChange? Change) With(string name, ConfValue value)
    {
        var formatted = ToLatin1(value.Format());
        var lines = Text.Split('\n');
        string newText;
        string action;
        int first, lastOld;
        var entry = Find(name);
        if (entry is not null)
        {
            if (entry.Value.Equals(value))
            {
                return (this, null);
            }
            newText = Text[..entry.ValueStart] + formatted + Text[entry.ValueEnd..];
            action = "Replace";
            first = entry.StartLine;
            lastOld = entry.EndLine;
        }
        else if (FindCommentedDefault(name) is { } c)
        {
            var replaced = lines.Take(c.StartLine - 1)
                .Append($"{name} = {formatted}")
                .Concat(lines.Skip(c.EndLine));
            newText = string.Join('\n', replaced);
            action = "Uncomment";
            first = c.StartLine;
            lastOld = c.EndLine;
        }
        else
        {
            var sep = Text.Length == 0 || Text.EndsWith('\n') ? string.Empty : "\n";
            newText = Text + sep + $"{name} = {formatted}\n";
            action = "Append";
            first = lines.Length + (sep.Length > 0 ? 1 : 0);
            if (Text.EndsWith('\n') || Text.Length == 0)
            {
                first = Text.Length == 0 ? 1 : lines.Length;
            }
            lastOld = first - 1;
        }
        var newLines = newText.Split('\n');
        var removed = lines.Skip(first - 1).Take(lastOld - first + 1).Select(FromLatin1).ToArray();
        int addedCount = newLines.Length - lines.Length + removed.Length;
        var added = action == "Append"
            ? [FromLatin1($"{name} = {formatted}")]
            : newLines.Skip(first - 1).Take(addedCount).Select(FromLatin1).ToArray();
        var doc = Parse(newText, Source);
        return (doc, new VirtioFsQemuConfigChange(name, action, first, removed, added));
    }

    internal static string ToLatin1(string s) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(s));

    internal static string FromLatin1(string s) => Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(s));

    /// <summary>Hand-written recursive-descent parser over the Latin-1 text, modelled on virconf.c.</summary>
    private sealed class Parser
    {
        private readonly string _t;
        private readonly string _source;
        private int _i;

        public Parser(string text, string source)
        {
            _t = text;
            _source = source;
        }

        private bool End => _i >= _t.Length;

        private char Cur => _i < _t.Length ? _t[_i] : '\0';

        private VirtioFsException Error(string what) => new(ErrorIds.QemuConfigSyntaxError, VirtioFsErrorKind.InvalidData,
            $"{_source}:{LineOf(_t, _i)}: {what}", _source, "Fix the line by hand; the file was not changed.");

        private void SkipBlanks()
        {
            while (!End && (Cur == ' ' || Cur == '\t' || Cur == '\r'))
            {
                _i++;
            }
        }

        private void SkipComment()
        {
            if (Cur == '#')
            {
                while (!End && Cur != '\n')
                {
                    _i++;
                }
            }
        }

        /// <summary>Blanks, comments and newlines (between statements and inside lists).</summary>
        private void SkipSpace()
        {
            while (!End)
            {
                SkipBlanks();
                if (Cur == '#')
                {
                    SkipComment();
                }
                else if (Cur == '\n')
                {
                    _i++;
                }
                else
                {
                    return;
                }
            }
        }

        public ConfEntry? NextStatement()
        {
            SkipSpace();
            if (End)
            {
                return null;
            }
            int start = _i;
            if (!(char.IsAsciiLetter(Cur) || Cur == '_'))
            {
                throw Error($"expected a setting name, found '{Cur}'");
            }
            while (!End && (char.IsAsciiLetterOrDigit(Cur) || Cur == '_' || Cur == '.'))
            {
                _i++;
            }
            var name = _t[start.._i];
            SkipBlanks();
            if (Cur != '=')
            {
                throw Error($"expected '=' after '{name}'");
            }
            _i++;
            SkipBlanks();
            int valueStart = _i;
            var value = ParseValue();
            int valueEnd = _i;
            // separator: blanks, optional ';', optional comment, then end of line or file
            SkipBlanks();
            if (Cur == ';')
            {
                _i++;
                SkipBlanks();
            }
            SkipComment();
            if (!End && Cur != '\n')
            {
                throw Error($"unexpected '{Cur}' after the value of '{name}'");
            }
            return new ConfEntry(FromLatin1(name), value, LineOf(_t, start), LineOf(_t, valueEnd), valueStart, valueEnd);
        }

        private ConfValue ParseValue()
        {
            if (Cur == '"' || Cur == '\'')
            {
                return ConfValue.Of(FromLatin1(ParseString()));
            }
            if (Cur == '[')
            {
                _i++;
                var items = new List<ConfValue>();
                SkipSpace();
                while (Cur != ']')
                {
                    if (End)
                    {
                        throw Error("list not closed with ']'");
                    }
                    var item = ParseValue();
                    if (item.Kind == ConfValueKind.List)
                    {
                        throw Error("lists cannot be nested");
                    }
                    items.Add(item);
                    SkipSpace();
                    if (Cur == ',')
                    {
                        _i++;
                        SkipSpace();
                    }
                    else if (Cur != ']')
                    {
                        throw Error("expected ',' or ']' in a list");
                    }
                }
                _i++;
                return ConfValue.Of(items);
            }
            if (Cur == '-' || Cur == '+' || char.IsAsciiDigit(Cur))
            {
                int s = _i;
                if (Cur == '-' || Cur == '+')
                {
                    _i++;
                }
                if (!char.IsAsciiDigit(Cur))
                {
                    throw Error("expected a number");
                }
                while (char.IsAsciiDigit(Cur))
                {
                    _i++;
                }
                if (!long.TryParse(_t[s.._i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                {
                    throw Error("number out of range");
                }
                return ConfValue.Of(n);
            }
            throw Error(End || Cur == '\n' ? "missing value" : $"expected a value, found '{Cur}'");
        }

        private string ParseString()
        {
            if (_t.AsSpan(_i).StartsWith("\"\"\""))
            {
                int s = _i + 3;
                int e = _t.IndexOf("\"\"\"", s, StringComparison.Ordinal);
                if (e < 0)
                {
                    throw Error("unterminated \"\"\" string");
                }
                _i = e + 3;
                return _t[s..e];
            }
            char q = Cur;
            _i++;
            int start = _i;
            while (!End && Cur != q && Cur != '\n')
            {
                _i++;
            }
            if (Cur != q)
            {
                throw Error("unterminated string");
            }
            var text = _t[start.._i];
            _i++;
            return text;
        }
    }
}
