// SPDX-License-Identifier: MIT
using System;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Daemon;

/// <summary>Golden argv per dialect. C: checked against /usr/lib/qemu/virtiofsd 7.2; Rust: landscape b4.</summary>
public sealed class VirtiofsdArgvBuilderTests
{
    private static DaemonOptions Everything() => new()
    {
        SharedDirectory = "/srv/a,b c",
        SocketPath = "/run/virtiofs/data.sock",
        SocketGroup = "kvm",
        Cache = VirtioFsDaemonCacheMode.Never,
        Xattr = true,
        PosixAcl = true,
        Sandbox = VirtioFsDaemonSandboxMode.Chroot,
        ThreadPoolSize = 4,
        AnnounceSubmounts = true,
        AllowDirectIo = true,
        Writeback = false,
        XattrMap = ":map::user.virtiofs.:",
        RlimitNofile = 65536,
        LogLevel = VirtioFsLogLevel.Error,
        ExtraArguments = ["-o", "flock"],
    };

    [Fact]
    public void CDialectGolden()
    {
        var argv = VirtiofsdArgvBuilder.Build(Everything(), DaemonTestBinaries.C72());
        Assert.Equal(
        [
            "--socket-path=/run/virtiofs/data.sock", "--socket-group=kvm",
            "-o", @"source=/srv/a\,b c", "-o", "cache=none", "-o", "xattr", "-o", "posix_acl", "-o", "sandbox=chroot",
            "--thread-pool-size=4", "-o", "announce_submounts", "-o", "allow_direct_io", "-o", "no_writeback",
            "-o", "xattrmap=:map::user.virtiofs.:", "--rlimit-nofile=65536", "-o", "log_level=err", "-o", "flock",
        ], argv);
    }

    [Fact]
    public void RustDialectGolden()
    {
        var o = Everything();
        o.Cache = VirtioFsDaemonCacheMode.Metadata;
        o.PosixAcl = false; // the real 1.13 refuses it next to --translate-uid (PosixAclWithTranslationIsRefusedBeforeStart)
        o.Sandbox = VirtioFsDaemonSandboxMode.None;
        o.InodeFileHandles = VirtioFsInodeFileHandles.Prefer;
        o.AnnounceSubmounts = false;
        o.ReadOnly = true;
        o.Writeback = true;
        o.TranslateUid = ["map:1000:0:1", "forbid-guest:0:1"];
        o.TranslateGid = ["squash-host:0:1000:1"];
        o.LogLevel = VirtioFsLogLevel.Trace;
        o.ExtraArguments = ["--seccomp=log"];
        var argv = VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.Rust());
        Assert.Equal(
        [
            "--shared-dir=/srv/a,b c", "--socket-path=/run/virtiofs/data.sock", "--socket-group=kvm", "--cache=metadata",
            "--xattr", "--sandbox=none", "--thread-pool-size=4", "--inode-file-handles=prefer",
            "--no-announce-submounts", "--readonly", "--allow-direct-io", "--writeback", "--xattrmap=:map::user.virtiofs.:",
            "--translate-uid=map:1000:0:1", "--translate-uid=forbid-guest:0:1", "--translate-gid=squash-host:0:1000:1",
            "--rlimit-nofile=65536", "--log-level=trace", "--seccomp=log",
        ], argv);
    }

    [Fact]
    public void PosixAclWithTranslationIsRefusedBeforeStart()
    {
        var o = Everything();
        o.TranslateGid = ["guest:0:1000:1"];
        var e = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.Rust()));
        Assert.Equal("DaemonOptionConflict", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("-PosixAcl", e.Target);
    }

    [Fact]
    public void MinimalArgvInBothDialects()
    {
        var o = new DaemonOptions { SharedDirectory = "/srv/data", SocketPath = "/run/virtiofs/data.sock" };
        Assert.Equal(["--socket-path=/run/virtiofs/data.sock", "-o", "source=/srv/data"], VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.C72()));
        Assert.Equal(["--shared-dir=/srv/data", "--socket-path=/run/virtiofs/data.sock"], VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.Rust()));
    }

    [Theory]
    [InlineData(@"/srv/q\b,c", @"source=/srv/q\\b\,c")]
    [InlineData("/srv/it's \"quoted\"", "source=/srv/it's \"quoted\"")]
    [InlineData("/srv/plain", "source=/srv/plain")]
    public void CSourceEscapesCommaAndBackslash(string dir, string expected)
    {
        var o = new DaemonOptions { SharedDirectory = dir, SocketPath = "/s" };
        Assert.Equal(expected, VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.C72())[2]);
    }

    [Theory]
    [InlineData("Cache")]
    [InlineData("Sandbox")]
    [InlineData("InodeFileHandles")]
    [InlineData("ReadOnly")]
    [InlineData("TranslateUid")]
    [InlineData("LogLevel")]
    public void CDialectRefusesWhatItCannotDo(string what)
    {
        var o = new DaemonOptions { SharedDirectory = "/srv", SocketPath = "/s" };
        switch (what)
        {
            case "Cache": o.Cache = VirtioFsDaemonCacheMode.Metadata; break;
            case "Sandbox": o.Sandbox = VirtioFsDaemonSandboxMode.None; break;
            case "InodeFileHandles": o.InodeFileHandles = VirtioFsInodeFileHandles.Never; break;
            case "ReadOnly": o.ReadOnly = true; break;
            case "TranslateUid": o.TranslateUid = ["guest:0:1000:1"]; break;
            case "LogLevel": o.LogLevel = VirtioFsLogLevel.Off; break;
        }
        var e = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.C72()));
        Assert.Equal("DaemonOptionUnsupported", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(what, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RustOlderThanTheOptionIsRefused()
    {
        var old = DaemonTestBinaries.Rust("virtiofsd 1.12.0");
        var o = new DaemonOptions { SharedDirectory = "/srv", SocketPath = "/s", ReadOnly = true };
        var e = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(o, old));
        Assert.Equal("DaemonOptionUnsupported", e.ErrorId);
        Assert.Contains("1.13.0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MigrationOptionsLibvirtDoesNotExposeAreGatedOnTheDaemonsVersion()
    {
        var o = new DaemonOptions
        {
            SharedDirectory = "/srv", SocketPath = "/s", MigrationMode = VirtioFsMigrationMode.FindPaths,
            MigrationOnError = VirtioFsMigrationOnError.GuestError, MigrationVerifyHandles = true,
        };
        Assert.Equal(
            ["--shared-dir=/srv", "--socket-path=/s", "--migration-mode=find-paths", "--migration-on-error=guest-error", "--migration-verify-handles"],
            VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.Rust()));

        // Migration came with 1.11, the file-handles mode with 1.12: each refusal names the version it needs.
        var e = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.Rust("virtiofsd 1.10.1")));
        Assert.Equal("DaemonOptionUnsupported", e.ErrorId);
        Assert.Contains("needs virtiofsd 1.11.0", e.Message, StringComparison.Ordinal);
        var handles = new DaemonOptions { SharedDirectory = "/srv", SocketPath = "/s", MigrationMode = VirtioFsMigrationMode.FileHandles };
        Assert.Contains("--migration-mode=file-handles", VirtiofsdArgvBuilder.Build(handles, DaemonTestBinaries.Rust("virtiofsd 1.12.0")));
        Assert.Contains("needs virtiofsd 1.12.0",
            Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(handles, DaemonTestBinaries.Rust("virtiofsd 1.11.1"))).Message, StringComparison.Ordinal);

        // The C daemon cannot migrate at all; verifying handles is for the find-paths mode only.
        var c = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(o, DaemonTestBinaries.C72()));
        Assert.Equal("DaemonOptionUnsupported", c.ErrorId);
        Assert.Equal("-MigrationMode", c.Target);
        handles.MigrationVerifyHandles = true;
        var conflict = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(handles, DaemonTestBinaries.Rust()));
        Assert.Equal("DaemonOptionConflict", conflict.ErrorId);
        Assert.Equal("-MigrationVerifyHandles", conflict.Target);
    }

    [Fact]
    public void OptionMissingFromHelpIsRefused()
    {
        // A C build whose --help lacks --socket-group (as older QEMU builds did).
        var help = DaemonTestBinaries.C72();
        var trimmed = DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate(help.Path, "Explicit", null), "virtiofsd version 5.0.0",
            "", "    -o source=PATH             shared directory tree\n    --socket-path=PATH  path\n");
        var o = new DaemonOptions { SharedDirectory = "/srv", SocketPath = "/s", SocketGroup = "kvm" };
        var e = Assert.Throws<VirtioFsException>(() => VirtiofsdArgvBuilder.Build(o, trimmed));
        Assert.Contains("--socket-group", e.Message, StringComparison.Ordinal);
    }
}
