// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.QemuConfig;

internal enum ConfValueKind
{
    String,
    Number,
    List,
}

/// <summary>A value in libvirt's config syntax (virconf): a string, an integer (booleans are 0/1) or a list.</summary>
internal sealed class ConfValue : IEquatable<ConfValue>
{
    private ConfValue(ConfValueKind kind, string? text, long number, IReadOnlyList<ConfValue>? items)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Items = items ?? [];
    }

    public ConfValueKind Kind { get; }

    public string? Text { get; }

    public long Number { get; }

    public IReadOnlyList<ConfValue> Items { get; }

    public static ConfValue Of(string text) => new(ConfValueKind.String, text, 0, null);

    public static ConfValue Of(long number) => new(ConfValueKind.Number, null, number, null);

    public static ConfValue Of(IEnumerable<ConfValue> items) => new(ConfValueKind.List, null, 0, items.ToList());

    public static ConfValue OfStrings(IEnumerable<string> items) => Of(items.Select(Of));

    /// <summary>The value for PowerShell: string, long, or object[] of those.</summary>
    public object ToObject() => Kind switch
    {
        ConfValueKind.String => Text!,
        ConfValueKind.Number => Number,
        _ => Items.Select(i => i.ToObject()).ToArray(),
    };

    /// <summary>
    /// Writes the value in virconf syntax. virconf has no escape sequences: a string is everything
    /// between its quotes on one line. So "..." is used, '...' when the text holds a double quote,
    /// and text with both quotes or a line break cannot be written at all.
    /// </summary>
    public string Format()
    {
        switch (Kind)
        {
            case ConfValueKind.Number:
                return Number.ToString(CultureInfo.InvariantCulture);
            case ConfValueKind.List:
                return "[" + string.Join(", ", Items.Select(i => i.Format())) + "]";
            default:
                var t = Text!;
                if (t.Contains('\n', StringComparison.Ordinal) || t.Contains('\r', StringComparison.Ordinal))
                {
                    throw Unwritable(t, "a line break");
                }
                if (!t.Contains('"', StringComparison.Ordinal))
                {
                    return "\"" + t + "\"";
                }
                if (!t.Contains('\'', StringComparison.Ordinal))
                {
                    return "'" + t + "'";
                }
                throw Unwritable(t, "both ' and \"");
        }
    }

    private static VirtioFsException Unwritable(string t, string what) => new(ErrorIds.QemuConfigValueUnwritable,
        VirtioFsErrorKind.InvalidArgument,
        $"The value '{t}' contains {what}; libvirt's config syntax has no escapes, so it cannot be written.", t,
        "Use a value without quotes or line breaks.");

    public bool Equals(ConfValue? other) =>
        other is not null && Kind == other.Kind && Kind switch
        {
            ConfValueKind.String => string.Equals(Text, other.Text, StringComparison.Ordinal),
            ConfValueKind.Number => Number == other.Number,
            _ => Items.SequenceEqual(other.Items),
        };

    public override bool Equals(object? obj) => Equals(obj as ConfValue);

    public override int GetHashCode() => Kind switch
    {
        ConfValueKind.String => Text!.GetHashCode(StringComparison.Ordinal),
        ConfValueKind.Number => Number.GetHashCode(),
        _ => Items.Count,
    };

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Kind == ConfValueKind.List ? "[" + string.Join(", ", Items) + "]" : Kind == ConfValueKind.Number ? Number.ToString(CultureInfo.InvariantCulture) : Text);
        return sb.ToString();
    }
}
