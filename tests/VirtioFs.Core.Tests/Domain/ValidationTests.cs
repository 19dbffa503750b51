// SPDX-License-Identifier: MIT
using System;
using System.IO;
using VirtioFs.Domain;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public class ValidationTests
{
    private static VirtioFsException AddFails(string file, ShareSettings s, HostContext? host = null, string access = "passthrough")
    {
        var doc = Fixtures.Load(file);
        string before = doc.ToXml();
        var e = Assert.Throws<VirtioFsException>(() => ShareEditor.Add(doc, s, access, VirtioFsSharedMemoryChoice.Auto, null, host ?? Fixtures.NoHostChecks));
        Assert.Equal(before, doc.ToXml());
        return e;
    }

    /// <summary>Adds the share, which must succeed, and returns it as read back from the new XML.</summary>
    private static VirtioFsShare Added(string file, ShareSettings s, HostContext? host = null)
    {
        var doc = Fixtures.Load(file);
        var edit = ShareEditor.Add(doc, s, "passthrough", VirtioFsSharedMemoryChoice.Auto, null, host ?? Fixtures.NoHostChecks);
        Assert.True(edit.HasChanges);
        Assert.DoesNotContain(ShareEditor.List(doc), x => x.Tag == s.Tag);
        return Assert.Single(ShareEditor.List(edit.After), x => x.Tag == s.Tag);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Empty_tag(string? tag) => Assert.Equal("TagEmpty", AddFails("pc-minimal.xml", new ShareSettings { Tag = tag, Source = "/srv" }).ErrorId);

    [Fact]
    public void Tag_of_36_bytes_is_accepted_and_37_refused()
    {
        Assert.Equal(new string('t', 36), Added("pc-minimal.xml", Fixtures.Share(new string('t', 36))).Tag);
        var e = AddFails("pc-minimal.xml", Fixtures.Share(new string('t', 37)));
        Assert.Equal("TagTooLong", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(new string('t', 37), e.Target);
        Assert.NotNull(e.RecommendedAction);
    }

    [Fact]
    public void Tag_length_counts_utf8_bytes_not_characters()
    {
        Assert.Equal(new string('é', 18), Added("pc-minimal.xml", Fixtures.Share(new string('é', 18))).Tag);
        Assert.Equal("TagTooLong", AddFails("pc-minimal.xml", Fixtures.Share(new string('é', 19))).ErrorId);
    }

    [Theory]
    [InlineData("data")]   // a virtio-fs share
    [InlineData("ninep")]  // a 9p filesystem: the guest would see two devices with one tag
    public void Tag_already_in_the_domain(string tag)
    {
        var e = AddFails("several-filesystems.xml", Fixtures.Share(tag));
        Assert.Equal("TagExists", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.ResourceExists, e.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(2048)]
    [InlineData(-128)]
    public void Queue_size_not_a_power_of_two_up_to_1024(int q) =>
        Assert.Equal("InvalidQueueSize", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv", QueueSize = q }).ErrorId);

    [Theory]
    [InlineData(1)]
    [InlineData(128)]
    [InlineData(1024)]
    public void Queue_sizes_qemu_accepts(int q) =>
        Assert.Equal(q, Added("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv", QueueSize = q }).QueueSize);

    [Fact]
    public void Relative_source() => Assert.Equal("SourceNotAbsolute", AddFails("pc-minimal.xml", Fixtures.Share("t", "srv/data")).ErrorId);

    [Fact]
    public void Missing_source_directory_on_this_host()
    {
        var host = new HostContext(checkHostPaths: true, libvirtVersion: null);
        string missing = Path.Combine(Path.GetTempPath(), "vfs-missing-" + Guid.NewGuid().ToString("N"));
        var e = AddFails("pc-minimal.xml", Fixtures.Share("t", missing), host);
        Assert.Equal("SourceNotFound", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.ObjectNotFound, e.Kind);
        Assert.Equal(missing, e.Target);
    }

    [Fact]
    public void Missing_source_is_fine_for_another_host() =>
        Assert.Equal("/nonexistent/for/other/host", Added("pc-minimal.xml", Fixtures.Share("t", "/nonexistent/for/other/host")).Source);

    [Fact]
    public void Source_that_is_a_file()
    {
        string file = Path.GetTempFileName();
        try
        {
            Assert.Equal("SourceNotDirectory", AddFails("pc-minimal.xml", Fixtures.Share("t", file), new HostContext(true, null)).ErrorId);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Socket_path_of_107_bytes_is_accepted_and_108_refused()
    {
        string ok = "/" + new string('s', 106);
        Assert.Equal(ok, Added("pc-minimal.xml", new ShareSettings { Tag = "t", SocketPath = ok }).SocketPath);
        Assert.Equal("SocketPathTooLong", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", SocketPath = ok + "s" }).ErrorId);
    }

    [Fact]
    public void Daemon_options_with_a_socket()
    {
        var e = AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", SocketPath = "/run/x.sock", Xattr = true, ThreadPoolSize = 2 });
        Assert.Equal("DaemonOptionsWithSocket", e.ErrorId);
        Assert.Contains("-Xattr", e.Message);
        Assert.Contains("-ThreadPoolSize", e.Message);
    }

    [Fact]
    public void Source_and_socket_together_or_neither()
    {
        Assert.Equal("SourceAndSocket", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv", SocketPath = "/run/x.sock" }).ErrorId);
        Assert.Equal("SourceMissing", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t" }).ErrorId);
    }

    [Theory]
    [InlineData("mapped")]
    [InlineData("squash")]
    public void Access_mode_other_than_passthrough(string mode) =>
        Assert.Equal("UnsupportedAccessMode", AddFails("pc-minimal.xml", Fixtures.Share(), access: mode).ErrorId);

    [Fact]
    public void Boot_order_conflicts_with_os_boot_dev() =>
        Assert.Equal("BootOrderConflict", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv", BootOrder = 2 }).ErrorId);

    [Fact]
    public void Boot_order_used_by_another_device() =>
        Assert.Equal("BootOrderInUse", AddFails("q35-full.xml", new ShareSettings { Tag = "t", Source = "/srv", BootOrder = 1 }).ErrorId);

    [Theory]
    [InlineData("share0")]
    [InlineData("ua-bad name")]
    public void Alias_that_libvirt_would_drop(string alias) =>
        Assert.Equal("InvalidAlias", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv", Alias = alias }).ErrorId);

    [Fact]
    public void Alias_in_use() =>
        Assert.Equal("AliasInUse", AddFails("several-filesystems.xml", new ShareSettings { Tag = "t", Source = "/srv", Alias = "ua-data" }).ErrorId);

    [Theory]
    [InlineData("9.0.0", "ReadOnly")]
    [InlineData("9.0.0", "OpenFilesMax")]
    [InlineData("9.0.0", "UidMap")]
    [InlineData("7.2.0", "SocketPath")]
    [InlineData("8.4.0", "ThreadPoolSize")]
    public void Options_newer_than_the_connected_libvirt(string version, string option)
    {
        var s = new ShareSettings { Tag = "t", Source = "/srv" };
        switch (option)
        {
            case "ReadOnly": s.ReadOnly = true; break;
            case "OpenFilesMax": s.OpenFilesMax = 4096; break;
            case "UidMap": s.UidMap = new[] { new VirtioFsIdMapEntry(0, 100000, 65536) }; break;
            case "SocketPath": s.Source = null; s.SocketPath = "/run/x.sock"; break;
            case "ThreadPoolSize": s.ThreadPoolSize = 4; break;
        }
        var e = AddFails("pc-minimal.xml", s, new HostContext(false, Version.Parse(version)));
        Assert.Equal("OptionNeedsNewerLibvirt", e.ErrorId);
        Assert.Equal(option, e.Target);
    }

    [Theory]
    [InlineData("0:100000")]
    [InlineData("a:b:c")]
    [InlineData("0:1:0")]
    public void Malformed_id_maps(string text) =>
        Assert.Equal("InvalidIdMap", Assert.Throws<VirtioFsException>(() => VirtioFsIdMapEntry.Parse(text)).ErrorId);

    [Fact]
    public void Id_maps_come_from_dictionaries_too()
    {
        var entry = new VirtioFsIdMapEntry(new System.Collections.Hashtable(System.StringComparer.OrdinalIgnoreCase) { ["start"] = 0, ["Target"] = "100000", ["COUNT"] = 65536L });
        Assert.Equal(new VirtioFsIdMapEntry(0, 100000, 65536), entry);
        foreach (var bad in new System.Collections.Hashtable[]
        {
            new() { ["Start"] = 0, ["Target"] = 1 },
            new() { ["Start"] = 0, ["Target"] = 1, ["Count"] = 0 },
            new() { ["Start"] = -1, ["Target"] = 1, ["Count"] = 1 },
            new() { ["Start"] = 0, ["Target"] = 1, ["Count"] = 1, ["Extra"] = 1 },
            new() { ["Start"] = "x", ["Target"] = 1, ["Count"] = 1 },
        })
        {
            Assert.Equal("InvalidIdMap", Assert.Throws<VirtioFsException>(() => new VirtioFsIdMapEntry(bad)).ErrorId);
        }
    }

    [Theory]
    [InlineData(true, null, "LockNeedsCVirtiofsd")]       // -PosixLock with the Rust daemon libvirt would pick
    [InlineData(null, false, "LockNeedsCVirtiofsd")]      // -Flock:$false is a <lock> too
    public void Locks_with_the_Rust_virtiofsd_are_refused(bool? posix, bool? flock, string id)
    {
        var dir = Directory.CreateTempSubdirectory("vfs-lock-").FullName;
        try
        {
            var rust = new HostContext(checkHostPaths: true, libvirtVersion: null, daemonFor: _ => VirtioFs.Tests.Core.Daemon.DaemonTestBinaries.Rust());
            var e = AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = dir, PosixLock = posix, Flock = flock }, rust);
            Assert.Equal(id, e.ErrorId);
            Assert.Equal(VirtioFsErrorKind.InvalidArgument, e.Kind);
            // The same request is fine when libvirt would run the C virtiofsd, or when no lock is asked for.
            var c = new HostContext(checkHostPaths: true, libvirtVersion: null, daemonFor: _ => VirtioFs.Tests.Core.Daemon.DaemonTestBinaries.C72());
            var withC = Added("pc-minimal.xml", new ShareSettings { Tag = "t", Source = dir, PosixLock = posix, Flock = flock }, c);
            Assert.Equal(posix, withC.PosixLock);
            Assert.Equal(flock, withC.Flock);
            var noLock = Added("pc-minimal.xml", new ShareSettings { Tag = "t", Source = dir }, rust);
            Assert.Null(noLock.PosixLock);
            Assert.Null(noLock.Flock);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
    [Fact]
    public void IdMap_where_libvirt_runs_virtiofsd_as_root_is_refused_naming_the_daemon_we_can_run()
    {
        var dir = Directory.CreateTempSubdirectory("vfs-idmap-").FullName;
        try
        {
            var map = new[] { new VirtioFsIdMapEntry(0, 100000, 65536) };
            var ask = () => new ShareSettings { Tag = "ids", Source = dir, UidMap = map, GidMap = map };
            VirtioFsDaemonBinary Rust(string? _) => VirtioFs.Tests.Core.Daemon.DaemonTestBinaries.Rust();

            // qemu:///system of libvirt 11.3: define would pass, every start fail; refused before anything is written.
            var system = new HostContext(true, new Version(11, 3, 0), Rust, daemonRunsAsRoot: true, uri: "qemu:///system");
            var e = AddFails("pc-minimal.xml", ask(), system);
            Assert.Equal("IdMapNeedsUnprivilegedLibvirt", e.ErrorId);
            Assert.Equal(VirtioFsErrorKind.NotEnabled, e.Kind);
            Assert.Contains("runs it as root", e.Message, StringComparison.Ordinal);
            Assert.Contains($"Start-VirtioFsDaemon -SharedDirectory '{dir}' -TranslateUid map:0:100000:65536 -TranslateGid map:0:100000:65536 | New-VirtioFsShare -Domain pc-minimal -Tag 'ids'",
                e.RecommendedAction, StringComparison.Ordinal);

            // qemu:///session: libvirt runs virtiofsd as the user, and <idmap> works.
            var session = new HostContext(true, new Version(11, 3, 0), Rust, daemonRunsAsRoot: false, uri: "qemu:///session");
            Assert.Equal(map, Added("pc-minimal.xml", ask(), session).UidMap);
            // Unknown (an XML file): not refused.
            Assert.Equal(map, Added("pc-minimal.xml", ask(), new HostContext(true, null, Rust)).GidMap);

            // libvirt 9.0 (privileged too) is refused for its release first, with the version in the message.
            var old = AddFails("pc-minimal.xml", ask(), new HostContext(true, new Version(9, 0, 0), Rust, daemonRunsAsRoot: true, uri: "qemu:///system"));
            Assert.Equal("OptionNeedsNewerLibvirt", old.ErrorId);
            Assert.Contains("10.0.0", old.Message, StringComparison.Ordinal);
            Assert.Contains("9.0.0", old.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void Source_and_binary_are_looked_up_in_the_file_system_libvirt_sees()
    {
        var root = Directory.CreateTempSubdirectory("vfs-view-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "srv", "only-there"));
            var view = new HostContext(true, new Version(11, 3, 0), _ => null, daemonRunsAsRoot: true, files: new VirtioFs.Platform.HostRoot(root));
            Assert.Equal("/srv/only-there", Added("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv/only-there" }, view).Source);
            Assert.Equal("SourceNotFound", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv/not-there" }, view).ErrorId);
            Assert.Equal("BinaryNotFound", AddFails("pc-minimal.xml", new ShareSettings { Tag = "t", Source = "/srv/only-there", BinaryPath = "/usr/libexec/virtiofsd" }, view).ErrorId);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
