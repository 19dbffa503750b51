// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using VirtioFs.Platform;
using Xunit;

namespace VirtioFs.Tests.Core;

/// <summary>
/// AtomicFile removes the temp files of dead writers on every write; TempFileIndex lets it know them without
/// reading the directory each time. Whatever appears between two writes must be seen by the second.
/// </summary>
public sealed class TempFileIndexTests : IDisposable
{
    // Above any pid_max: no process has it, so its temp files are a dead writer's.
    private const int DeadPid = int.MaxValue;

    private readonly string _dir = Directory.CreateTempSubdirectory("vfs-tempindex-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string Temp(string name, int pid, bool bak = false) => $".{name}{(bak ? ".bak" : string.Empty)}.{pid}.{Guid.NewGuid():N}.tmp";

    private string[] Entries() => Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void A_dead_writers_temp_files_left_after_an_earlier_write_go_with_the_next()
    {
        var file = Path.Combine(_dir, "guest.xml");
        AtomicFile.Replace(file, "<domain>1</domain>", keepBackup: true); // the directory is watched from here on
        File.WriteAllText(Path.Combine(_dir, Temp("guest.xml", DeadPid)), "half");
        File.WriteAllText(Path.Combine(_dir, Temp("guest.xml", DeadPid, bak: true)), "half");

        AtomicFile.Replace(file, "<domain>2</domain>", keepBackup: true);

        Assert.Equal(new[] { "guest.xml", "guest.xml.bak" }, Entries());
    }

    [Fact]
    public void A_live_writers_temp_file_and_other_files_temps_stay()
    {
        var file = Path.Combine(_dir, "a.xml");
        AtomicFile.Replace(file, "1", keepBackup: false);
        string live = Temp("a.xml", Environment.ProcessId);
        string other = Temp("b.xml", DeadPid);
        File.WriteAllText(Path.Combine(_dir, live), "in progress");
        File.WriteAllText(Path.Combine(_dir, other), "b's");

        AtomicFile.Replace(file, "2", keepBackup: false);

        Assert.Equal(new[] { live, other, "a.xml" }.Order(StringComparer.Ordinal), Entries());
    }

    [Fact]
    public void A_directory_replaced_under_the_same_path_is_read_again()
    {
        var file = Path.Combine(_dir, "guest.xml");
        AtomicFile.Replace(file, "1", keepBackup: false);
        Directory.Delete(_dir, recursive: true);
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, Temp("guest.xml", DeadPid)), "half");

        AtomicFile.Replace(file, "2", keepBackup: false);

        Assert.Equal(new[] { "guest.xml" }, Entries());
    }

    [Fact]
    public void The_index_agrees_with_the_directory_after_many_changes()
    {
        var file = Path.Combine(_dir, "g.xml");
        AtomicFile.Replace(file, "0", keepBackup: true);
        var random = new Random(7);
        var made = new System.Collections.Generic.List<string>();
        for (int i = 0; i < 300; i++)
        {
            switch (random.Next(3))
            {
                case 0:
                    var name = Temp("g.xml", random.Next(2) == 0 ? Environment.ProcessId : DeadPid);
                    File.WriteAllText(Path.Combine(_dir, name), "x");
                    made.Add(name);
                    break;
                case 1 when made.Count > 0:
                    int k = random.Next(made.Count);
                    File.Delete(Path.Combine(_dir, made[k]));
                    made.RemoveAt(k);
                    break;
                default:
                    var from = Path.Combine(_dir, Temp("g.xml", DeadPid));
                    File.WriteAllText(from, "x");
                    File.Move(from, Path.Combine(_dir, "renamed-" + i)); // gone from the temp names by a rename
                    break;
            }
        }
        var expected = Directory.GetFiles(_dir, ".g.xml.*.tmp").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var indexed = TempFileIndex.Candidates(_dir, ".g.xml.", AtomicFile.ScanDirectory);
        Assert.NotNull(indexed); // a temp directory is on a local file system
        Assert.Equal(expected, indexed!.Order(StringComparer.Ordinal));
    }
}
