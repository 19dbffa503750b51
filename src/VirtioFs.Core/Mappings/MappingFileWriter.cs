// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using VirtioFs.Domain;

namespace VirtioFs.Mappings;

/// <summary>
/// Writes the mapping file in one canonical form, so that a git diff shows only what changed: keys in a
/// fixed order (mappings, hosts and options sorted by name; assignments by mapping, URI and domain),
/// two-space indentation, a trailing newline, and characters such as '+' and non-ASCII letters as they are
/// (the default encoder would write qemu\u002Bssh).
/// </summary>
internal static class MappingFileWriter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(MappingDocument doc)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, s_options))
        {
            w.WriteStartObject();
            w.WriteNumber("version", MappingDocument.CurrentVersion);
            w.WriteStartObject("mappings");
            foreach (var m in doc.Mappings.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                WriteMapping(w, m);
            }
            w.WriteEndObject();
            w.WriteStartArray("assignments");
            foreach (var a in doc.Assignments.Order(MappingAssignment.Order))
            {
                w.WriteStartObject();
                w.WriteString("mapping", a.Mapping);
                w.WriteString("connectionUri", a.ConnectionUri);
                w.WriteString("domain", a.Domain);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        // Utf8JsonWriter ends lines with Environment.NewLine, which is \n on Linux; say so rather than rely on it.
        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    private static void WriteMapping(Utf8JsonWriter w, MappingEntry m)
    {
        w.WriteStartObject(m.Name);
        if (!string.IsNullOrEmpty(m.Description))
        {
            w.WriteString("description", m.Description);
        }
        w.WriteStartObject("paths");
        foreach (var p in m.Paths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(p.Key, p.Value);
        }
        w.WriteEndObject();
        if (m.Options.Count > 0)
        {
            w.WriteStartObject("options");
            foreach (var option in ShareOptions.Settable.Where(o => m.Options.ContainsKey(o.Name)).OrderBy(MappingOptionValues.JsonKey, StringComparer.Ordinal))
            {
                MappingOptionValues.Write(w, option, m.Options[option.Name]);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
