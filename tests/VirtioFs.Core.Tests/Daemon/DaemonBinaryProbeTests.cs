// SPDX-License-Identifier: MIT
using System;
using VirtioFs.Daemon;
using Xunit;

namespace VirtioFs.Tests.Core.Daemon;

public sealed class DaemonBinaryProbeTests
{
    [Fact]
    public void RealCDaemonOutputsGiveDialectCVersionAndOptions()
    {
        var b = DaemonTestBinaries.C72();
        Assert.Equal(VirtioFsDaemonDialect.C, b.Dialect);
        Assert.Equal(new Version(7, 2, 22), b.Version);
        Assert.Empty(b.Features);
        foreach (var o in new[] { "--socket-path", "--socket-group", "--fd", "--thread-pool-size", "--rlimit-nofile",
                     "source", "cache", "xattr", "no_xattr", "posix_acl", "no_posix_acl", "sandbox", "writeback",
                     "allow_direct_io", "announce_submounts", "xattrmap", "log_level" })
        {
            Assert.True(b.Supports(o), o);
        }
        Assert.False(b.Supports("--inode-file-handles"));
        Assert.False(b.Supports("--shared-dir"));
    }

    [Fact]
    public void FakeRustDaemonIsRustWithSeparateOptions()
    {
        var b = DaemonTestBinaries.Rust();
        Assert.Equal(VirtioFsDaemonDialect.Rust, b.Dialect);
        Assert.Equal(new Version(1, 13, 0), b.Version);
        Assert.Equal(["migrate-precopy", "separate-options"], b.Features);
        Assert.True(b.Supports("--readonly"));
        Assert.True(b.Supports("--translate-uid"));
        Assert.True(b.Supports("--no-announce-submounts"));
    }

    [Fact]
    public void RustBefore112IsRecognisedByItsHelpAlone()
    {
        // 1.11 had no separate-options capability; --shared-dir in --help still tells the dialect.
        var b = DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/x/virtiofsd", "PATH", null), "virtiofsd 1.10.1",
            "{\"type\":\"fs\"}", "      --shared-dir <sharedDir>  Shared directory path\n      --cache <CACHE>\n");
        Assert.Equal(VirtioFsDaemonDialect.Rust, b.Dialect);
    }

    [Fact]
    public void GarbageIsUnknown()
    {
        var b = DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/bin/true", "PATH", null), "", "", "");
        Assert.Equal(VirtioFsDaemonDialect.Unknown, b.Dialect);
        Assert.Null(b.Version);
    }
}
