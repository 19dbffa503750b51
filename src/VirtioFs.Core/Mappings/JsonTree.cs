// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace VirtioFs.Mappings;

/// <summary>
/// One JSON value with where it starts in the file. System.Text.Json's document model forgets positions
/// and silently keeps one of two equal keys; the mapping file needs both: an admin who edits it by hand
/// must be told the line of a mistake, and a duplicated mapping must not quietly lose one of its halves.
/// </summary>
internal sealed class JsonTreeNode
{
    public JsonTreeNode(JsonValueKind kind, long offset)
    {
        Kind = kind;
        Offset = offset;
    }

    public JsonValueKind Kind { get; }

    /// <summary>Byte offset of the value's first character in the (BOM-less) file.</summary>
    public long Offset { get; }

    /// <summary>A string's text, or a number as written.</summary>
    public string? Text { get; init; }

    /// <summary>An object's members in file order: the key, where the key starts, and the value.</summary>
    public List<(string Key, long KeyOffset, JsonTreeNode Value)> Members { get; } = new();

    public List<JsonTreeNode> Items { get; } = new();
}

/// <summary>Reads JSON into <see cref="JsonTreeNode"/>s; strict (no comments, no trailing commas, one value).</summary>
internal static class JsonTree
{
    /// <summary>A syntax error: the message and the 1-based line and column where the reader stopped.</summary>
    public sealed class SyntaxError : Exception
    {
        public SyntaxError(string message, long line, long column, Exception inner)
            : base(message, inner)
        {
            Line = line;
            Column = column;
        }

        public long Line { get; }

        public long Column { get; }
    }

    /// <summary>Parses <paramref name="utf8"/>; a duplicated key in one object is reported as <paramref name="duplicate"/>.</summary>
    public static JsonTreeNode Parse(ReadOnlySpan<byte> utf8, Action<string, long> duplicate)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
        try
        {
            if (!reader.Read())
            {
                throw new JsonException("The file holds no JSON value.", null, 0, 0);
            }
            var root = ReadValue(ref reader, duplicate);
            if (reader.Read())
            {
                throw new JsonException($"Unexpected '{(char)utf8[(int)reader.TokenStartIndex]}' after the end of the JSON value.", null,
                    null, null);
            }
            return root;
        }
        catch (JsonException e)
        {
            var (line, column) = e.LineNumber is { } l
                ? (l + 1, (e.BytePositionInLine ?? 0) + 1)
                : Position(utf8, reader.TokenStartIndex);
            // The reader appends its own 0-based "LineNumber: 0 | BytePositionInLine: 16."; ours is 1-based and in characters.
            string message = System.Text.RegularExpressions.Regex.Replace(e.Message, @"\s*LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$", string.Empty);
            throw new SyntaxError(message, line, column, e);
        }
    }

    /// <summary>1-based line and column (in characters) of a byte offset.</summary>
    public static (long Line, long Column) Position(ReadOnlySpan<byte> utf8, long offset)
    {
        offset = Math.Clamp(offset, 0, utf8.Length);
        long line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        long column = Encoding.UTF8.GetCharCount(utf8[lineStart..(int)offset]) + 1;
        return (line, column);
    }

    private static JsonTreeNode ReadValue(ref Utf8JsonReader reader, Action<string, long> duplicate)
    {
        long start = reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new JsonTreeNode(JsonValueKind.Object, start);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    long keyAt = reader.TokenStartIndex;
                    string key = reader.GetString()!;
                    if (!seen.Add(key))
                    {
                        duplicate(key, keyAt);
                    }
                    reader.Read();
                    node.Members.Add((key, keyAt, ReadValue(ref reader, duplicate)));
                }
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new JsonTreeNode(JsonValueKind.Array, start);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ReadValue(ref reader, duplicate));
                }
                return node;
            }
            case JsonTokenType.String:
                return new JsonTreeNode(JsonValueKind.String, start) { Text = reader.GetString() };
            case JsonTokenType.Number:
                return new JsonTreeNode(JsonValueKind.Number, start) { Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True:
                return new JsonTreeNode(JsonValueKind.True, start);
            case JsonTokenType.False:
                return new JsonTreeNode(JsonValueKind.False, start);
            default:
                return new JsonTreeNode(JsonValueKind.Null, start);
        }
    }
}
