// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Errors;

/// <summary>
/// ErrorIds is the one table of error ids: scripts match on them, so a throw site that spells an id
/// as a literal (and may misspell it, or give one failure a second id) must not build unnoticed.
/// </summary>
public sealed class ErrorIdTableTests
{
    private static readonly string Repo = FindRepo();

    private static readonly HashSet<string> Table = typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void EachIdIsItsOwnName()
    {
        foreach (var f in typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            Assert.Equal(f.Name, (string)f.GetRawConstantValue()!);
        }
        Assert.True(Table.Count >= 100, $"only {Table.Count} ids in the table");
    }

    [Fact]
    public void NoThrowSiteSpellsAnIdAsALiteral()
    {
        // The constructor's first argument, the libvirt Failure helper's, a target-typed new(...), or
        // any literal that equals an id of the table.
        var throwSite = new Regex(@"(VirtioFsException|Failure)\(\s*""|new\(\s*""[A-Z]\w*""\s*,\s*VirtioFsErrorKind\.", RegexOptions.CultureInvariant);
        var literal = new Regex(@"""([A-Z][A-Za-z0-9]+)""", RegexOptions.CultureInvariant);
        var offenders = new List<string>();
        foreach (var file in SourceFiles())
        {
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                bool bad = throwSite.IsMatch(line)
                    || (i > 0 && lines[i - 1].TrimEnd().EndsWith("VirtioFsException(", StringComparison.Ordinal) && line.TrimStart().StartsWith('"'))
                    || literal.Matches(line).Any(m => Table.Contains(m.Groups[1].Value));
                if (bad)
                {
                    offenders.Add($"{Path.GetRelativePath(Repo, file)}:{i + 1}: {line.Trim()}");
                }
            }
        }
        Assert.True(offenders.Count == 0, "Use ErrorIds.<Id> instead of a literal:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void EveryIdInTheTableIsRaisedSomewhere()
    {
        string all = string.Join("\n", SourceFiles().Select(File.ReadAllText));
        var unused = Table.Where(id => !Regex.IsMatch(all, @"ErrorIds\." + id + @"\b")).ToList();
        Assert.True(unused.Count == 0, "Ids nobody raises: " + string.Join(", ", unused));
    }

    [Fact]
    public void TheCatalogueNamesOnlyIdsOfTheTable()
    {
        var unknown = ErrorCatalogue.Entries.SelectMany(e => e.ErrorIds.Select(id => (e.Id, id)))
            .Where(p => !Table.Contains(p.id)).Select(p => $"{p.Id} -> {p.id}").ToList();
        Assert.True(unknown.Count == 0, "Catalogue entries name ids that do not exist: " + string.Join(", ", unknown));
    }

    [Fact]
    public void TheHelpPagesNameOnlyIdsOfTheTable()
    {
        // "Error ids: A, B, C" and "Errors: A, B" lines in the platyPS pages and about topics.
        var list = new Regex(@"^(?:Error ids|Errors):\s*(.+)$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        var id = new Regex(@"(?<![-\w])[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+\b", RegexOptions.CultureInvariant);
        var unknown = new List<string>();
        int named = 0;
        foreach (var page in Directory.GetFiles(Path.Combine(Repo, "docs", "en-US"), "*.md"))
        {
            foreach (Match m in list.Matches(File.ReadAllText(page)))
            {
                foreach (Match name in id.Matches(m.Groups[1].Value))
                {
                    named++;
                    if (!Table.Contains(name.Value))
                    {
                        unknown.Add($"{Path.GetFileName(page)}: {name.Value}");
                    }
                }
            }
        }
        Assert.True(named > 50, $"only {named} ids named in help: the pattern no longer finds the lists");
        Assert.True(unknown.Count == 0, "Help names ids that do not exist: " + string.Join(", ", unknown));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(Repo, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != "ErrorIds.cs");

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VirtioFs.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The repository root (VirtioFs.slnx) is not above " + AppContext.BaseDirectory);
    }
}
