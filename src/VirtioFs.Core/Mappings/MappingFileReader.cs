// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.Mappings;

/// <summary>
/// Reads the mapping file strictly. Anything it does not understand (a syntax error, an unknown or repeated
/// key, a value of the wrong kind, a newer version) is MappingFileMalformed or MappingFileVersionUnsupported
/// with the line and column, and nothing is written: the writers rewrite the whole file, so a key they did
/// not understand would otherwise vanish from it.
/// </summary>
internal sealed class MappingFileReader
{
    private static readonly string[] s_rootKeys = ["version", "mappings", "assignments"];
    private static readonly string[] s_mappingKeys = ["description", "paths", "options"];
    private static readonly string[] s_assignmentKeys = ["mapping", "connectionUri", "domain"];

    private readonly byte[] _utf8;
    private readonly string _file;

    private MappingFileReader(byte[] utf8, string file)
    {
        _utf8 = utf8;
        _file = file;
    }

    /// <summary>Parses the file's bytes (UTF-8, a BOM allowed); empty or blank means no mappings yet.</summary>
    public static MappingDocument Parse(byte[] bytes, string file)
    {
        int start = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var utf8 = bytes[start..];
        if (utf8.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
        {
            return new MappingDocument();
        }
        return new MappingFileReader(utf8, file).Read();
    }

    private MappingDocument Read()
    {
        JsonTreeNode root;
        try
        {
            root = JsonTree.Parse(_utf8, (key, at) => throw Malformed(at, $"the key \"{key}\" appears twice in one object"));
        }
        catch (JsonTree.SyntaxError e)
        {
            throw new VirtioFsException(ErrorIds.MappingFileMalformed, VirtioFsErrorKind.InvalidData,
                $"{_file}:{e.Line}:{e.Column}: the mapping file is not valid JSON: {e.Message} The file is left as it is.", _file, Fix, e);
        }
        Expect(root, JsonValueKind.Object, "the file must hold one JSON object");
        CheckKeys(root, s_rootKeys, "the file");
        var version = Member(root, "version") ?? throw Malformed(root.Offset, "the \"version\" key is missing (this module writes \"version\": 1)");
        if (version.Kind != JsonValueKind.Number || !int.TryParse(version.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v < 1)
        {
            throw Malformed(version.Offset, "\"version\" must be a whole number (1)");
        }
        if (v > MappingDocument.CurrentVersion)
        {
            var (line, column) = JsonTree.Position(_utf8, version.Offset);
            throw new VirtioFsException(ErrorIds.MappingFileVersionUnsupported, VirtioFsErrorKind.InvalidData,
                $"{_file}:{line}:{column}: the mapping file is version {v}; this VirtioFs reads version {MappingDocument.CurrentVersion}. The file is left as it is.",
                _file, "Update the VirtioFs module (Update-PSResource VirtioFs) on this machine.");
        }
        var doc = new MappingDocument();
        if (Member(root, "mappings") is { } mappings)
        {
            Expect(mappings, JsonValueKind.Object, "\"mappings\" must be an object of mappings by name");
            foreach (var (name, at, value) in mappings.Members)
            {
                if (doc.Find(name) is not null)
                {
                    throw Malformed(at, $"the mapping \"{name}\" appears twice (names are compared ignoring case)");
                }
                doc.Mappings[name] = ReadMapping(name, at, value);
            }
        }
        if (Member(root, "assignments") is { } assignments)
        {
            Expect(assignments, JsonValueKind.Array, "\"assignments\" must be an array");
            foreach (var item in assignments.Items)
            {
                doc.Assignments.Add(ReadAssignment(item));
            }
        }
        return doc;
    }

    private MappingEntry ReadMapping(string name, long at, JsonTreeNode node)
    {
        Guard(at, () => MappingNames.Validate(name));
        Expect(node, JsonValueKind.Object, $"mapping \"{name}\" must be an object");
        CheckKeys(node, s_mappingKeys, $"mapping \"{name}\"");
        var entry = new MappingEntry(name);
        if (Member(node, "description") is { } description && description.Kind != JsonValueKind.Null)
        {
            Expect(description, JsonValueKind.String, $"the description of mapping \"{name}\" must be a string");
            entry.Description = description.Text;
        }
        var paths = Member(node, "paths") ?? throw Malformed(node.Offset, $"mapping \"{name}\" has no \"paths\" (host to directory)");
        Expect(paths, JsonValueKind.Object, $"the \"paths\" of mapping \"{name}\" must be an object of host to directory");
        foreach (var (host, hostAt, dir) in paths.Members)
        {
            Guard(hostAt, () => MappingHosts.ValidateKey(host));
            if (entry.Paths.ContainsKey(host))
            {
                throw Malformed(hostAt, $"host \"{host}\" appears twice in mapping \"{name}\" (hosts are compared ignoring case)");
            }
            Expect(dir, JsonValueKind.String, $"the directory for host \"{host}\" must be a string");
            Guard(dir.Offset, () => MappingStore.ValidateDirectory(dir.Text, host));
            entry.Paths[host] = dir.Text!;
        }
        if (Member(node, "options") is { } options)
        {
            Expect(options, JsonValueKind.Object, $"the \"options\" of mapping \"{name}\" must be an object");
            foreach (var (key, keyAt, value) in options.Members)
            {
                var option = ShareOptions.Find(key) is { } o && ShareOptions.Settable.Contains(o) ? o
                    : throw Malformed(keyAt, $"mapping \"{name}\" has an unknown option \"{key}\"; the options are: "
                        + string.Join(", ", ShareOptions.Settable.Select(MappingOptionValues.JsonKey)));
                if (entry.Options.ContainsKey(option.Name))
                {
                    throw Malformed(keyAt, $"option \"{key}\" appears twice in mapping \"{name}\"");
                }
                try
                {
                    entry.Options[option.Name] = MappingOptionValues.Read(option, value);
                }
                catch (ArgumentException e)
                {
                    throw Malformed(value.Offset, $"mapping \"{name}\": {e.Message}");
                }
            }
        }
        return entry;
    }

    private MappingAssignment ReadAssignment(JsonTreeNode node)
    {
        Expect(node, JsonValueKind.Object, "each assignment must be an object with \"mapping\", \"connectionUri\" and \"domain\"");
        CheckKeys(node, s_assignmentKeys, "an assignment");
        string Text(string key)
        {
            var value = Member(node, key) ?? throw Malformed(node.Offset, $"an assignment has no \"{key}\"");
            Expect(value, JsonValueKind.String, $"the \"{key}\" of an assignment must be a string");
            return string.IsNullOrWhiteSpace(value.Text) ? throw Malformed(value.Offset, $"the \"{key}\" of an assignment is empty") : value.Text;
        }
        var assignment = new MappingAssignment(Text("mapping"), Text("connectionUri"), Text("domain"));
        Guard(Member(node, "connectionUri")!.Offset, () => MappingStore.ValidateConnectionUri(assignment.ConnectionUri));
        return assignment;
    }

    private static JsonTreeNode? Member(JsonTreeNode obj, string key) => obj.Members.FirstOrDefault(m => m.Key == key).Value;

    private void CheckKeys(JsonTreeNode obj, string[] known, string what)
    {
        foreach (var (key, at, _) in obj.Members)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                throw Malformed(at, $"{what} has an unknown key \"{key}\"; the keys are: {string.Join(", ", known)}");
            }
        }
    }

    private void Expect(JsonTreeNode node, JsonValueKind kind, string message)
    {
        if (node.Kind != kind)
        {
            throw Malformed(node.Offset, message);
        }
    }

    /// <summary>Runs a rule the cmdlets also apply, reporting its failure at this place in the file.</summary>
    private void Guard(long at, Action rule)
    {
        try
        {
            rule();
        }
        catch (VirtioFsException e)
        {
            throw Malformed(at, e.Message, e);
        }
    }

    private VirtioFsException Malformed(long offset, string message, Exception? inner = null)
    {
        var (line, column) = JsonTree.Position(_utf8, offset);
        return new VirtioFsException(ErrorIds.MappingFileMalformed, VirtioFsErrorKind.InvalidData,
            $"{_file}:{line}:{column}: {message}. The file is left as it is.", _file, Fix, inner);
    }

    private const string Fix = "Fix the file (jq . FILE shows JSON errors; see Get-Help about_VirtioFs_Mappings for its keys), or restore it from git.";
}
