// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.Mappings;

/// <summary>
/// A share option's value in the mapping file, for every option of the table (ShareOptions) without a
/// list of its own: the type comes from the ShareSettings property the option fills. Switches are JSON
/// booleans, sizes and counts numbers, modes lower-case strings (as in the XML), ID maps arrays of
/// "start:target:count". Keys are the option's name in camelCase and are read in any case.
/// </summary>
internal static class MappingOptionValues
{
    public static string JsonKey(ShareOption option) => char.ToLowerInvariant(option.Name[0]) + option.Name[1..];

    /// <summary>The value's type without Nullable: bool, int, long, an enum, string or IReadOnlyList of VirtioFsIdMapEntry.</summary>
    public static Type TypeOf(ShareOption option)
    {
        var property = typeof(ShareSettings).GetProperty(option.Name)
            ?? throw new InvalidOperationException($"ShareSettings has no property for option {option.Name}.");
        return Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
    }

    /// <summary>A value given to a cmdlet (already of the option's type) as the mapping keeps it; checked by the option's rule.</summary>
    public static object Normalize(ShareOption option, object value)
    {
        object v = value is IEnumerable<VirtioFsIdMapEntry> map ? (IReadOnlyList<VirtioFsIdMapEntry>)map.ToArray() : value;
        if (option.Check(v) is { } problem)
        {
            throw new VirtioFsException(problem.ErrorId, VirtioFsErrorKind.InvalidArgument, problem.Message, v, problem.Fix);
        }
        return v;
    }

    public static void Write(Utf8JsonWriter writer, ShareOption option, object value)
    {
        writer.WritePropertyName(JsonKey(option));
        switch (value)
        {
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case int i:
                writer.WriteNumberValue(i);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case Enum:
                writer.WriteStringValue(option.Format(value));
                break;
            case IEnumerable<VirtioFsIdMapEntry> map:
                writer.WriteStartArray();
                foreach (var e in map)
                {
                    writer.WriteStringValue(e.ToString());
                }
                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Reads a value from the file; the message of an ArgumentException says what is wrong with it.</summary>
    public static object Read(ShareOption option, JsonTreeNode node)
    {
        var type = TypeOf(option);
        object value;
        if (type == typeof(bool))
        {
            value = node.Kind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Wrong("true or false"),
            };
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            if (node.Kind != JsonValueKind.Number || !long.TryParse(node.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
                || (type == typeof(int) && (n < int.MinValue || n > int.MaxValue)))
            {
                throw Wrong(type == typeof(int) ? "a whole number" : "a whole number (64-bit)");
            }
            value = type == typeof(int) ? (object)(int)n : n;
        }
        else if (type.IsEnum)
        {
            string names = string.Join(", ", Enum.GetNames(type).Select(s => '"' + s.ToLowerInvariant() + '"'));
            if (node.Kind != JsonValueKind.String || node.Text is not { } text || text.Any(char.IsDigit)
                || !Enum.TryParse(type, text, ignoreCase: true, out var parsed))
            {
                throw Wrong("one of " + names);
            }
            value = parsed!;
        }
        else if (type == typeof(string))
        {
            value = node.Kind == JsonValueKind.String && !string.IsNullOrEmpty(node.Text) ? node.Text : throw Wrong("a non-empty string");
        }
        else if (type == typeof(IReadOnlyList<VirtioFsIdMapEntry>))
        {
            if (node.Kind != JsonValueKind.Array || node.Items.Any(i => i.Kind != JsonValueKind.String))
            {
                throw Wrong("an array of \"start:target:count\" strings");
            }
            try
            {
                value = node.Items.Select(i => VirtioFsIdMapEntry.Parse(i.Text!)).ToArray();
            }
            catch (VirtioFsException e)
            {
                throw new ArgumentException(e.Message, e);
            }
        }
        else
        {
            throw new InvalidOperationException($"Option {option.Name} has a type the mapping file cannot hold: {type}.");
        }
        if (option.Check(value) is { } problem)
        {
            throw new ArgumentException(problem.Message);
        }
        return value;

        ArgumentException Wrong(string expected) => new($"'{JsonKey(option)}' must be {expected}.");
    }

    /// <summary>A value as people read it in messages and drift reports: Always, True, 1024, 0:100000:65536.</summary>
    public static string Show(object? value) => value switch
    {
        null => "(default)",
        IEnumerable<VirtioFsIdMapEntry> list => list.Any() ? string.Join(",", list) : "(none)",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
