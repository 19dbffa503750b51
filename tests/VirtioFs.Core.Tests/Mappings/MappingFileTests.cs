// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Mappings;
using Xunit;

namespace VirtioFs.Tests.Core.Mappings;

/// <summary>
/// The mapping file: every share option survives a write and a read, the written form is canonical (so git
/// diffs stay small), a hand-made mistake is an error with its line and column, and a change is written only
/// when approved and only when something changed.
/// </summary>
public sealed class MappingFileTests : IDisposable
{
    /// <summary>A value per settable option and how the file spells it; a new option without one fails the first test.</summary>
    private static readonly Dictionary<string, (object Value, string Json)> Samples = new()
    {
        ["QueueSize"] = (1024, "\"queueSize\": 1024"),
        ["Iommu"] = (true, "\"iommu\": true"),
        ["Ats"] = (false, "\"ats\": false"),
        ["Packed"] = (true, "\"packed\": true"),
        ["PagePerVq"] = (false, "\"pagePerVq\": false"),
        ["BinaryPath"] = ("/usr/libexec/virtiofsd", "\"binaryPath\": \"/usr/libexec/virtiofsd\""),
        ["Xattr"] = (false, "\"xattr\": false"),
        ["Cache"] = (VirtioFsCacheMode.Always, "\"cache\": \"always\""),
        ["Sandbox"] = (VirtioFsSandboxMode.Chroot, "\"sandbox\": \"chroot\""),
        ["PosixLock"] = (true, "\"posixLock\": true"),
        ["Flock"] = (false, "\"flock\": false"),
        ["ThreadPoolSize"] = (0, "\"threadPoolSize\": 0"),
        ["OpenFilesMax"] = (5000000000L, "\"openFilesMax\": 5000000000"),
        ["UidMap"] = (new[] { new VirtioFsIdMapEntry(0, 100000, 65536) }, "\"uidMap\": [\n          \"0:100000:65536\"\n        ]"),
        ["GidMap"] = (new[] { new VirtioFsIdMapEntry(0, 200000, 1000), new VirtioFsIdMapEntry(1000, 1000, 1) }, "\"gidMap\": [\n          \"0:200000:1000\",\n          \"1000:1000:1\"\n        ]"),
        ["ReadOnly"] = (true, "\"readOnly\": true"),
        ["BootOrder"] = (2, "\"bootOrder\": 2"),
        ["Alias"] = ("ua-data", "\"alias\": \"ua-data\""),
    };

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vfs-mapfile-" + Guid.NewGuid().ToString("N"));

    public MappingFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string FileWith(string json)
    {
        string file = Path.Combine(_dir, $"m{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        return file;
    }

    private static MappingDocument Parse(string json) => MappingFileReader.Parse(Encoding.UTF8.GetBytes(json), "m.json");

    public static IEnumerable<object[]> SettableNames => ShareOptions.Settable.Select(o => new object[] { o.Name });

    [Fact]
    public void EverySettableOptionHasASample()
    {
        Assert.Equal(ShareOptions.Settable.Select(o => o.Name).Order(), Samples.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(SettableNames))]
    public void AnOptionIsWrittenAsJsonReadBackAndGivenToTheShare(string name)
    {
        var option = ShareOptions.Find(name)!;
        var (value, json) = Samples[name];
        var doc = new MappingDocument();
        var entry = new MappingEntry("data");
        entry.Paths["localhost"] = "/srv/data";
        entry.Options[option.Name] = MappingOptionValues.Normalize(option, value);
        doc.Mappings["data"] = entry;

        string text = MappingFileWriter.Write(doc);
        Assert.Contains(json, text);
        var back = Parse(text).Get("data", "m.json");
        Assert.Equal(MappingOptionValues.Show(value), MappingOptionValues.Show(back.Options[option.Name]));
        Assert.Equal(value.GetType().IsArray ? typeof(VirtioFsIdMapEntry[]) : value.GetType(), back.Options[option.Name].GetType());
        // What a share made from it asks for: the same value through the option table.
        var settings = back.SettingsFor("/srv/data");
        Assert.Equal(MappingOptionValues.Show(value), MappingOptionValues.Show(option.Asked(settings)));
        Assert.Equal("data", settings.Tag);
        Assert.Equal("/srv/data", settings.Source);
    }

    [Fact]
    public void TheWrittenFormIsCanonicalWhateverTheOrderOfChanges()
    {
        var a = new MappingDocument();
        var b = new MappingDocument();
        foreach (var (doc, names) in new[] { (a, new[] { "media", "data" }), (b, new[] { "data", "media" }) })
        {
            foreach (var n in names)
            {
                var e = new MappingEntry(n) { Description = "d" };
                foreach (var host in doc == a ? new[] { "kvm2", "kvm1", "localhost" } : new[] { "localhost", "kvm1", "kvm2" })
                {
                    e.Paths[host] = "/srv/" + n;
                }
                e.Options["ReadOnly"] = true;
                e.Options["Cache"] = VirtioFsCacheMode.None;
                doc.Mappings[n] = e;
            }
        }
        a.Assignments.Add(new MappingAssignment("media", "qemu:///system", "web*"));
        a.Assignments.Add(new MappingAssignment("data", "qemu+ssh://root@kvm1/system", "db1"));
        b.Assignments.Add(new MappingAssignment("data", "qemu+ssh://root@kvm1/system", "db1"));
        b.Assignments.Add(new MappingAssignment("media", "qemu:///system", "web*"));

        string text = MappingFileWriter.Write(a);
        Assert.Equal(text, MappingFileWriter.Write(b));
        Assert.EndsWith("}\n", text);
        Assert.DoesNotContain("\r", text);
        Assert.StartsWith("{\n  \"version\": 1,\n  \"mappings\": {\n    \"data\": {\n      \"description\": \"d\",\n      \"paths\": {\n        \"kvm1\": \"/srv/data\",", text);
        Assert.Contains("\"cache\": \"none\",\n        \"readOnly\": true", text);
        Assert.Contains("qemu+ssh://root@kvm1/system", text); // '+' as it is, not \u002B
        Assert.True(text.IndexOf("\"mapping\": \"data\"", StringComparison.Ordinal) < text.IndexOf("\"mapping\": \"media\"", StringComparison.Ordinal));
        // Read back and written again: the same bytes.
        Assert.Equal(text, MappingFileWriter.Write(Parse(text)));
    }

    [Theory]
    [InlineData("{ \"version\": 1,\n  \"mappings\": { , } }", 2, 17, "not valid JSON")]
    [InlineData("{ \"version\": 1, \"mappings\": {} } x", 1, 34, "not valid JSON")]
    [InlineData("{ \"version\": 1, /* c */ \"mappings\": {} }", 1, 17, "not valid JSON")]
    [InlineData("{ \"version\": 1, \"mapings\": {} }", 1, 17, "unknown key \"mapings\"")]
    [InlineData("{ \"mappings\": {} }", 1, 1, "\"version\" key is missing")]
    [InlineData("{ \"version\": \"1\" }", 1, 14, "must be a whole number")]
    [InlineData("{ \"version\": 1,\n \"mappings\": {\n  \"a\": { \"paths\": { \"localhost\": \"/x\" } },\n  \"A\": { \"paths\": { \"localhost\": \"/y\" } } } }", 4, 3, "appears twice")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": { \"h\": \"/x\", \"h\": \"/y\" } } } }", 1, 60, "\"h\" appears twice")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": { \"localhost\": \"/x\" }, \"options\": { \"cahce\": \"always\" } } } }", 1, 83, "unknown option \"cahce\"")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": { \"localhost\": \"/x\" }, \"options\": { \"cache\": \"auto\" } } } }", 1, 92, "one of \"none\", \"always\"")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": { \"localhost\": \"/x\" }, \"options\": { \"queueSize\": 1000 } } } }", 1, 96, "power of two")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": { \"localhost\": \"/x\" }, \"options\": { \"xattr\": \"on\" } } } }", 1, 92, "true or false")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": { \"localhost\": \"x\" } } } }", 1, 62, "not an absolute path")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a b\": { \"paths\": { \"localhost\": \"/x\" } } } }", 1, 31, "white space")]
    [InlineData("{ \"version\": 1, \"mappings\": { \"a\": { } } }", 1, 36, "no \"paths\"")]
    [InlineData("{ \"version\": 1, \"assignments\": [ { \"mapping\": \"a\", \"connectionUri\": \"kvm1\", \"domain\": \"x\" } ] }", 1, 69, "not a libvirt URI")]
    [InlineData("{ \"version\": 1, \"assignments\": [ { \"mapping\": \"a\", \"domain\": \"x\" } ] }", 1, 34, "no \"connectionUri\"")]
    public void AMistakeIsMalformedWithItsLineAndColumn(string json, int line, int column, string says)
    {
        var e = Assert.Throws<VirtioFsException>(() => Parse(json));
        Assert.Equal(ErrorIds.MappingFileMalformed, e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidData, e.Kind);
        Assert.Equal("m.json", e.Target);
        Assert.StartsWith($"m.json:{line}:{column}: ", e.Message);
        Assert.Contains(says, e.Message);
        Assert.NotNull(e.RecommendedAction);
    }

    [Fact]
    public void ANewerVersionIsRefusedNotGuessed()
    {
        var e = Assert.Throws<VirtioFsException>(() => Parse("{\n  \"version\": 2,\n  \"mappings\": {}\n}\n"));
        Assert.Equal(ErrorIds.MappingFileVersionUnsupported, e.ErrorId);
        Assert.StartsWith("m.json:2:14: ", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n")]
    [InlineData("\uFEFF{ \"version\": 1 }")]
    public void AnEmptyFileOrOneWithoutMappingsHasNone(string text)
    {
        var doc = Parse(text);
        Assert.Empty(doc.Mappings);
        Assert.Empty(doc.Assignments);
    }

    [Fact]
    public void AColumnCountsCharactersNotBytes()
    {
        var e = Assert.Throws<VirtioFsException>(() => Parse("{ \"version\": 1, \"mappings\": { \"é\": { \"pahts\": {} } } }"));
        Assert.StartsWith("m.json:1:38: ", e.Message);
    }

    [Fact]
    public void HostKeysFollowTheUriRule()
    {
        var m = new MappingEntry("data");
        m.Paths["localhost"] = "/local";
        m.Paths["KVM1.example.com"] = "/kvm1";
        m.Paths["127.0.0.2"] = "/two";
        m.Paths["qemu+ssh://root@127.0.0.2:2222/system?keyfile=/k"] = "/exact";
        m.Paths["::1"] = "/six";

        Assert.Equal("/local", MappingHosts.Find(m, "qemu:///system")!.Value.Directory);
        Assert.Equal("/local", MappingHosts.Find(m, "qemu:///session")!.Value.Directory);
        Assert.Equal("/local", MappingHosts.Find(m, "qemu+ssh://root@LOCALHOST/system")!.Value.Directory);
        Assert.Equal("/kvm1", MappingHosts.Find(m, "qemu+ssh://admin@kvm1.example.com:22/system")!.Value.Directory);
        Assert.Equal("/two", MappingHosts.Find(m, "qemu+ssh://root@127.0.0.2:2222/system")!.Value.Directory);
        Assert.Equal("/exact", MappingHosts.Find(m, "QEMU+SSH://root@127.0.0.2:2222/system?keyfile=/k")!.Value.Directory);
        Assert.Equal("/six", MappingHosts.Find(m, "qemu+ssh://root@[::1]:2222/system")!.Value.Directory);
        Assert.Equal("/kvm1", MappingHosts.Find(m, "kvm1.example.com")!.Value.Directory);
        Assert.Null(MappingHosts.Find(m, "qemu+ssh://root@kvm1/system"));

        var e = Assert.Throws<VirtioFsException>(() => MappingHosts.Resolve(m, "qemu+ssh://root@kvm9/system"));
        Assert.Equal(ErrorIds.MappingHostMissing, e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.ObjectNotFound, e.Kind);
        Assert.Contains("'data'", e.Message);
        Assert.Contains("'kvm9'", e.Message);
        Assert.Contains("127.0.0.2, ::1, KVM1.example.com, localhost", e.Message);
        Assert.Equal("qemu+ssh://root@kvm9/system", e.Target);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("kvm 1")]
    [InlineData("root@kvm1")]
    [InlineData("kvm1/system")]
    [InlineData("kvm\u00011")]
    public void ABadHostKeyIsRefused(string key)
    {
        Assert.Equal(ErrorIds.MappingHostKeyInvalid, Assert.Throws<VirtioFsException>(() => MappingHosts.ValidateKey(key)).ErrorId);
    }

    [Theory]
    [InlineData("", "TagEmpty")]
    [InlineData("a b", "TagHasWhitespace")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "TagTooLong")]
    [InlineData("a\tb", "TagHasControlCharacter")]
    [InlineData("data*", "MappingNameInvalid")]
    public void ANameFollowsTheMountTagRule(string name, string id)
    {
        var e = Assert.Throws<VirtioFsException>(() => MappingNames.Validate(name));
        Assert.Equal(id, e.ErrorId);
        Assert.Contains("mapping name", e.Message);
    }

    [Fact]
    public void DefaultPathFollowsTheEnvironmentThenXdgThenHome()
    {
        string? env = Environment.GetEnvironmentVariable(MappingStore.PathVariable);
        string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        try
        {
            Environment.SetEnvironmentVariable(MappingStore.PathVariable, "/etc/virtiofs/site.json");
            Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", "/xdg");
            Assert.Equal("/etc/virtiofs/site.json", MappingStore.DefaultPath());
            Environment.SetEnvironmentVariable(MappingStore.PathVariable, null);
            Assert.Equal("/xdg/virtiofs/mappings.json", MappingStore.DefaultPath());
            Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", "relative/is/ignored");
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "virtiofs", "mappings.json"), MappingStore.DefaultPath());
        }
        finally
        {
            Environment.SetEnvironmentVariable(MappingStore.PathVariable, env);
            Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", xdg);
        }
    }

    [Fact]
    public void EditWritesOnlyWhenApprovedAndChangedAndCreatesTheDirectory()
    {
        string file = Path.Combine(_dir, "sub", "dir", "mappings.json");
        void Add(MappingDocument d)
        {
            var e = new MappingEntry("data");
            e.Paths["localhost"] = "/srv/data";
            d.Mappings["data"] = e;
        }

        string? shown = null;
        Assert.Null(MappingStore.Edit(file, Add, diff => { shown = diff; return false; }, CancellationToken.None));
        Assert.False(File.Exists(file));
        Assert.Contains("+    \"data\": {", shown);

        var written = MappingStore.Edit(file, Add, _ => true, CancellationToken.None)!;
        Assert.True(written.Written);
        string first = File.ReadAllText(file);
        Assert.Equal(MappingFileWriter.Write(written.After), first);

        // The same change again: nothing to approve, nothing written.
        var again = MappingStore.Edit(file, Add, _ => throw new InvalidOperationException("asked to approve a no-op"), CancellationToken.None)!;
        Assert.False(again.Written);
        Assert.Equal(first, File.ReadAllText(file));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.tmp"));
        Assert.False(File.Exists(file + ".bak"));
    }

    [Fact]
    public void AHandFormattedFileIsNotRewrittenWhenNothingChanges()
    {
        string file = FileWith("{\"version\":1,\"mappings\":{\"data\":{\"paths\":{\"localhost\":\"/srv/data\"}}}}");
        string before = File.ReadAllText(file);
        var r = MappingStore.Edit(file, d => d.Get("data", file).Paths["localhost"] = "/srv/data", _ => true, CancellationToken.None)!;
        Assert.False(r.Written);
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact]
    public void AMalformedFileIsNeverOverwritten()
    {
        string file = FileWith("{ \"version\": 1, \"mappings\": { \"a\": { \"paths\": {}, \"extra\": 1 } } }");
        byte[] before = File.ReadAllBytes(file);
        var e = Assert.Throws<VirtioFsException>(() => MappingStore.Edit(file, d => d.Mappings.Clear(), _ => true, CancellationToken.None));
        Assert.Equal(ErrorIds.MappingFileMalformed, e.ErrorId);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void AnInvalidChangeWritesNothing()
    {
        string file = FileWith("{\n  \"version\": 1\n}\n");
        byte[] before = File.ReadAllBytes(file);
        Assert.Throws<VirtioFsException>(() => MappingStore.Edit(file, d => throw d.NotFound("x", file), _ => true, CancellationToken.None));
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void AWriterThatDoesNotLockIsNotUndone()
    {
        string file = FileWith("{\n  \"version\": 1\n}\n");
        var e = Assert.Throws<VirtioFsException>(() => MappingStore.Edit(file, d =>
        {
            var m = new MappingEntry("data");
            m.Paths["localhost"] = "/srv/data";
            d.Mappings["data"] = m;
        }, _ =>
        {
            File.WriteAllText(file, "{ \"version\": 1, \"mappings\": {} }"); // an editor saves meanwhile
            return true;
        }, CancellationToken.None));
        Assert.Equal(ErrorIds.MappingFileChanged, e.ErrorId);
        Assert.Equal("{ \"version\": 1, \"mappings\": {} }", File.ReadAllText(file));
    }

    [Fact]
    public void AFileRemovedMeanwhileIsNotRecreated()
    {
        string file = FileWith("{\n  \"version\": 1\n}\n");
        var e = Assert.Throws<VirtioFsException>(() => MappingStore.Edit(file, d => d.Mappings["data"] = new MappingEntry("data"), _ =>
        {
            File.Delete(file); // a git checkout removes it meanwhile
            return true;
        }, CancellationToken.None));
        Assert.Equal(ErrorIds.MappingFileChanged, e.ErrorId);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void ANewFileWrittenMeanwhileIsNotOverwritten()
    {
        string file = Path.Combine(_dir, "new.json");
        var e = Assert.Throws<VirtioFsException>(() => MappingStore.Edit(file, d => d.Mappings["data"] = new MappingEntry("data"), _ =>
        {
            File.WriteAllText(file, "{ \"version\": 1, \"mappings\": {} }");
            return true;
        }, CancellationToken.None));
        Assert.Equal(ErrorIds.MappingFileChanged, e.ErrorId);
        Assert.Equal("{ \"version\": 1, \"mappings\": {} }", File.ReadAllText(file));
    }

    [Fact]
    public void ALoadOfAMissingFileHasNoMappings()
    {
        Assert.Empty(MappingStore.Load(Path.Combine(_dir, "absent.json")).Mappings);
    }
}
