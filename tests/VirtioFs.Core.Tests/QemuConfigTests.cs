// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using System.Text;
using VirtioFs.Errors;
using VirtioFs.QemuConfig;
using Xunit;

namespace VirtioFs.Tests.Core;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class QemuConfigTests : IDisposable
{
    private static readonly string s_fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "qemu.conf.debian12");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vfs-qconf-" + Guid.NewGuid().ToString("N"));

    public QemuConfigTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    private string Copy(UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var p = Path.Combine(_dir, "qemu.conf");
        File.Copy(s_fixture, p, true);
        File.SetUnixFileMode(p, mode);
        return p;
    }

    [Fact]
    public void StockDebianFileParsesWithEveryKeyCommented()
    {
        var f = new QemuConfigFile(Copy());
        Assert.Empty(f.Document.Entries);
        Assert.Equal(898, f.Document.FindCommentedDefault("memory_backing_dir")!.StartLine);
        Assert.Equal(646, f.Document.FindCommentedDefault("hugetlbfs_mount")!.StartLine); // not the prose example at 638
        Assert.Equal(886, f.Document.FindCommentedDefault("virtiofsd_debug")!.StartLine);
        // a commented list spanning lines is recognised as one default
        var acl = f.Document.FindCommentedDefault("cgroup_device_acl")!;
        Assert.True(acl.EndLine > acl.StartLine);
        Assert.Contains(acl.Value.Items, v => v.Text == "/dev/null");

        var s = f.Setting("memory_backing_dir");
        Assert.False(s.IsSet);
        Assert.True(s.IsDefault);
        Assert.Equal("/var/lib/libvirt/qemu/ram", s.Value);
        Assert.Equal(898, s.LineNumber);
        Assert.Null(f.Setting("hugetlbfs_mount").Value);
        Assert.Equal(0L, f.Setting("virtiofsd_debug").Value);
    }

    private static string[] Lines(string path) => File.ReadAllText(path, Encoding.Latin1).Split('\n');

    [Fact]
    public void EditUncommentsTheStockLineInPlaceAndNothingElse()
    {
        var path = Copy();
        var before = Lines(path);
        var f = new QemuConfigFile(path);
        var (doc, changes) = f.Plan([("memory_backing_dir", ConfValue.Of("/dev/shm")), ("virtiofsd_debug", ConfValue.Of(1))]);
        f.Commit(doc);
        var after = Lines(path);
        Assert.Equal(before.Length, after.Length);
        var diff = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(new[] { 885, 897 }, diff); // 0-based: lines 886 and 898
        Assert.Equal("memory_backing_dir = \"/dev/shm\"", after[897]);
        Assert.Equal("virtiofsd_debug = 1", after[885]);
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal("Uncomment", c.Action));
        Assert.Equal("-898: #memory_backing_dir = \"/var/lib/libvirt/qemu/ram\"\n+898: memory_backing_dir = \"/dev/shm\"", changes[0].ToString());
        // backup is the stock file, byte for byte, with its 0600 mode
        Assert.Equal(File.ReadAllBytes(s_fixture), File.ReadAllBytes(path + ".bak"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path + ".bak"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(_dir, ".*")));

        var g = new QemuConfigFile(path).Setting("memory_backing_dir");
        Assert.True(g.IsSet);
        Assert.False(g.IsDefault);
        Assert.Equal(898, g.LineNumber);
    }

    [Fact]
    public void SameValueAgainChangesNothing()
    {
        var path = Copy();
        var f = new QemuConfigFile(path);
        f.Commit(f.Plan([("memory_backing_dir", ConfValue.Of("/dev/shm"))]).Document);
        var bytes = File.ReadAllBytes(path);
        var g = new QemuConfigFile(path);
        var (_, changes) = g.Plan([("memory_backing_dir", ConfValue.Of("/dev/shm"))]);
        Assert.Empty(changes);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void SetKeyIsReplacedInItsValueOnlyKeepingCommentAndLayout()
    {
        var path = Path.Combine(_dir, "q.conf");
        File.WriteAllText(path, "# top\n  memory_backing_dir   =  '/old'  ; # why\nhugetlbfs_mount = [\n  \"/a\", # first\n  \"/b\",\n]\nlast = 1");
        var f = new QemuConfigFile(path);
        Assert.Equal(new object[] { "/a", "/b" }, (object[])f.Setting("hugetlbfs_mount").Value!);
        var (doc, changes) = f.Plan([
            ("memory_backing_dir", ConfValue.Of("/new")),
            ("hugetlbfs_mount", ConfValue.Of("/dev/hugepages")),
            ("virtiofsd_debug", ConfValue.Of(1)),
        ]);
        f.Commit(doc);
        Assert.Equal("# top\n  memory_backing_dir   =  \"/new\"  ; # why\nhugetlbfs_mount = \"/dev/hugepages\"\nlast = 1\nvirtiofsd_debug = 1\n",
            File.ReadAllText(path));
        Assert.Equal(new[] { "Replace", "Replace", "Append" }, changes.Select(c => c.Action));
        Assert.Equal(4, changes[1].Removed.Length);
        Assert.Equal(3, changes[1].LineNumber);
        Assert.Equal(new[] { "virtiofsd_debug = 1" }, changes[2].Added);
    }

    [Fact]
    public void ListValuesAreWrittenAsVirconfLists()
    {
        var path = Copy();
        var f = new QemuConfigFile(path);
        f.Commit(f.Plan([("hugetlbfs_mount", ConfValue.OfStrings(["/dev/hugepages", "/dev/hugepages1G"]))]).Document);
        Assert.Equal("hugetlbfs_mount = [\"/dev/hugepages\", \"/dev/hugepages1G\"]", Lines(path)[645]);
        Assert.Equal(new object[] { "/dev/hugepages", "/dev/hugepages1G" }, (object[])new QemuConfigFile(path).Setting("hugetlbfs_mount").Value!);
    }

    [Theory]
    [InlineData("/a\"b'c")]
    [InlineData("/a\nb")]
    public void UnwritableValuesAreRejectedAndTheFileIsUntouched(string bad)
    {
        var path = Copy();
        var f = new QemuConfigFile(path);
        var e = Assert.Throws<VirtioFsException>(() => f.Plan([("memory_backing_dir", ConfValue.Of(bad))]));
        Assert.Equal("QemuConfigValueUnwritable", e.ErrorId);
        Assert.Equal(File.ReadAllBytes(s_fixture), File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".bak"));
    }

    [Fact]
    public void DoubleQuoteInValueUsesSingleQuotes() =>
        Assert.Equal("'/a\"b'", ConfValue.Of("/a\"b").Format());

    [Theory]
    [InlineData("x = \"open\n", 1)]
    [InlineData("a = 1\nb = [1, 2\n", 3)] // detected at end of file
    [InlineData("a = 1\n= 2\n", 2)]
    [InlineData("a 1\n", 1)]
    [InlineData("a = 1 2\n", 1)]
    public void SyntaxErrorsNameTheLine(string text, int line)
    {
        var e = Assert.Throws<VirtioFsException>(() => QemuConfigDocument.Parse(text, "t.conf"));
        Assert.Equal("QemuConfigSyntaxError", e.ErrorId);
        Assert.StartsWith($"t.conf:{line}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsesTheRestOfTheGrammar()
    {
        var d = QemuConfigDocument.Parse("a = -5;\nb = \"\"\"multi\nline\"\"\"\nc = 'x' # c\nd=[]\ne = [ 'x' , 1, ]\n", "t");
        Assert.Equal(-5, d.Find("a")!.Value.Number);
        Assert.Equal("multi\nline", d.Find("b")!.Value.Text);
        Assert.Equal("x", d.Find("c")!.Value.Text);
        Assert.Empty(d.Find("d")!.Value.Items);
        Assert.Equal(2, d.Find("e")!.Value.Items.Count);
    }

    [Fact]
    public void NonUtf8BytesSurviveAnEdit()
    {
        var path = Path.Combine(_dir, "bin.conf");
        var bytes = new byte[] { (byte)'#', 0xFF, 0xFE, (byte)'\n', (byte)'a', (byte)' ', (byte)'=', (byte)' ', (byte)'1', (byte)'\n' };
        File.WriteAllBytes(path, bytes);
        var f = new QemuConfigFile(path);
        f.Commit(f.Plan([("a", ConfValue.Of(2))]).Document);
        var after = File.ReadAllBytes(path);
        Assert.Equal(bytes.Take(8), after.Take(8));
        Assert.Equal((byte)'2', after[8]);
    }

    [Fact]
    public void ConcurrentChangeIsDetected()
    {
        var path = Copy();
        var f = new QemuConfigFile(path);
        var plan = f.Plan([("virtiofsd_debug", ConfValue.Of(1))]).Document;
        File.AppendAllText(path, "# someone else\n");
        var e = Assert.Throws<VirtioFsException>(() => f.Commit(plan));
        Assert.Equal("QemuConfigChangedMeanwhile", e.ErrorId);
    }

    [Fact]
    public void RemovalMeanwhileIsAChangeAndNothingIsWritten()
    {
        var path = Copy();
        var f = new QemuConfigFile(path);
        var plan = f.Plan([("virtiofsd_debug", ConfValue.Of(1))]).Document;
        File.Delete(path);
        var e = Assert.Throws<VirtioFsException>(() => f.Commit(plan));
        Assert.Equal("QemuConfigChangedMeanwhile", e.ErrorId);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".bak"));
    }
}
