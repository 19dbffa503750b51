// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using VirtioFs.Platform;

namespace VirtioFs.Guest;

/// <summary>One entry of /etc/fstab, its fields unescaped (\040 is a blank), with the line it came from.</summary>
internal sealed record FstabEntry(int Line, string Spec, string File, string Type, string Options, string Text)
{
    /// <summary>The same mount: device, mount point, type and options (the dump and pass fields of a virtiofs line are 0).</summary>
    public bool SameAs(FstabEntry other) =>
        Spec == other.Spec && File == other.File && Type == other.Type && Options == other.Options;
}

/// <summary>What adding a line to /etc/fstab would do.</summary>
internal sealed record FstabChange(string? NewText, IReadOnlyList<FstabEntry> Conflicts, IReadOnlyList<FstabEntry> Replaced)
{
    /// <summary>True when the file already has the line: nothing to write.</summary>
    public bool Unchanged => NewText is null && Conflicts.Count == 0;
}

/// <summary>
/// Reads and edits /etc/fstab text the way mount(8) reads it: blank-separated fields, '#' comments, octal
/// escapes. Edits touch only the lines they add, replace or remove; everything else (comments, order,
/// spacing) stays byte for byte.
/// </summary>
internal static class Fstab
{
    public static IReadOnlyList<FstabEntry> Parse(string? text)
    {
        var list = new List<FstabEntry>();
        var lines = Lines(text);
        for (int i = 0; i < lines.Count; i++)
        {
            if (ParseLine(lines[i], i) is { } e)
            {
                list.Add(e);
            }
        }
        return list;
    }

    public static FstabEntry? ParseLine(string line, int index = 0)
    {
        string t = line.Trim();
        if (t.Length == 0 || t.StartsWith('#'))
        {
            return null;
        }
        var f = t.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 2)
        {
            return null;
        }
        return new FstabEntry(index, MountTable.Unescape(f[0]), MountTable.Unescape(f[1]),
            f.Length > 2 ? f[2] : string.Empty, f.Length > 3 ? f[3] : "defaults", line);
    }

    /// <summary>
    /// Adds <paramref name="line"/> for its mount point. The same entry already there changes nothing; another
    /// entry for that mount point is a conflict, unless <paramref name="replace"/>: then the first such line is
    /// replaced in place and any others are dropped.
    /// </summary>
    public static FstabChange Add(string? text, string line, bool replace)
    {
        var wanted = ParseLine(line) ?? throw new ArgumentException("not an fstab entry", nameof(line));
        var entries = Parse(text);
        var same = entries.Where(e => e.File == wanted.File).ToList();
        if (same.Count == 1 && same[0].SameAs(wanted))
        {
            return new FstabChange(null, [], []);
        }
        if (same.Count > 0 && !replace)
        {
            return new FstabChange(null, same, []);
        }
        var lines = Lines(text);
        if (same.Count == 0)
        {
            lines.Add(line);
        }
        else
        {
            lines[same[0].Line] = line;
            foreach (var extra in same.Skip(1).OrderByDescending(e => e.Line))
            {
                lines.RemoveAt(extra.Line);
            }
        }
        return new FstabChange(Join(lines), [], same);
    }

    /// <summary>The text without the entries <paramref name="match"/> selects; null when none matched.</summary>
    public static (string? NewText, IReadOnlyList<FstabEntry> Removed) Remove(string? text, Func<FstabEntry, bool> match)
    {
        var removed = Parse(text).Where(match).ToList();
        if (removed.Count == 0)
        {
            return (null, removed);
        }
        var lines = Lines(text);
        foreach (var e in removed.OrderByDescending(e => e.Line))
        {
            lines.RemoveAt(e.Line);
        }
        return (Join(lines), removed);
    }

    /// <summary>The lines of a file; a final newline does not make an empty last line.</summary>
    private static List<string> Lines(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }
        var lines = text.Split('\n').ToList();
        if (lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }
        return lines;
    }

    private static string Join(List<string> lines)
    {
        var sb = new StringBuilder();
        foreach (string l in lines)
        {
            sb.Append(l).Append('\n');
        }
        return sb.ToString();
    }
}
