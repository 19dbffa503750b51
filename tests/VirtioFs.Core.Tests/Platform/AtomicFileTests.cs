// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Platform;
using Xunit;

namespace VirtioFs.Tests.Core;

/// <summary>The one atomic writer, as the domain files and qemu.conf use it.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _dir = Directory.CreateTempSubdirectory("vfs-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void DomainFileKeepsModeAndOwnerAndGetsABackupWithTheSameMode()
    {
        var file = Path.Combine(_dir, "guest.xml");
        File.WriteAllText(file, "<domain>old</domain>");
        File.SetUnixFileMode(file, Rw);
        var before = AtomicFile.GetOwner(file);

        var backup = AtomicFile.Replace(file, "<domain>new</domain>", keepBackup: true);

        Assert.Equal(file + ".bak", backup);
        Assert.Equal("<domain>new</domain>", File.ReadAllText(file));
        Assert.Equal("<domain>old</domain>", File.ReadAllText(backup!));
        Assert.Equal(Rw, File.GetUnixFileMode(file));
        Assert.Equal(Rw, File.GetUnixFileMode(backup!));
        Assert.Equal(before, AtomicFile.GetOwner(file));
        Assert.Equal(before, AtomicFile.GetOwner(backup!));
        Assert.Equal(new[] { "guest.xml", "guest.xml.bak" }, Directory.GetFiles(_dir).Select(Path.GetFileName).Order().ToArray());
    }

    [Fact]
    public void OwnerOfAnotherUserIsKeptWhenRunAsRoot()
    {
        Assert.True(Environment.UserName == "root", "This test changes file ownership and must run as root (CI does).");
        var file = Path.Combine(_dir, "qemu.conf");
        File.WriteAllText(file, "a = 1\n");
        Assert.Equal(0, Chown(file, 65534, 65534)); // nobody:nogroup
        AtomicFile.Replace(file, "a = 2\n"u8.ToArray(), file + ".bak");
        Assert.Equal(((uint)65534, (uint)65534), AtomicFile.GetOwner(file));
        Assert.Equal(((uint)65534, (uint)65534), AtomicFile.GetOwner(file + ".bak"));
    }

    [Fact]
    public void NewFileGetsTheDefaultModeAndNoBackup()
    {
        var file = Path.Combine(_dir, "new.conf");
        Assert.Null(AtomicFile.Replace(file, "x", keepBackup: true));
        Assert.Equal(AtomicFile.DefaultMode, File.GetUnixFileMode(file));
        Assert.False(File.Exists(file + ".bak"));
    }

    [Fact]
    public void FailureLeavesTheFileAsItWasAndNoTempBehind()
    {
        var file = Path.Combine(_dir, "missing-dir", "guest.xml");
        var e = Assert.Throws<VirtioFsException>(() => AtomicFile.Replace(file, "x", keepBackup: true));
        Assert.Equal("FileWriteFailed", e.ErrorId);
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void FileDomainTargetWritesThroughIt()
    {
        var file = Path.Combine(_dir, "pc.xml");
        File.WriteAllText(file, Fixtures.Text("pc-minimal.xml"));
        File.SetUnixFileMode(file, Rw);
        var target = new FileDomainTarget(file, checkHostPaths: false);
        var edit = ShareEditor.EnableSharedMemory(target.Load(), SharedMemoryChoice.Memfd, null);
        target.Commit(edit, LiveAction.None);
        Assert.Equal(Rw, File.GetUnixFileMode(file));
        Assert.Equal(Rw, File.GetUnixFileMode(file + ".bak"));
        Assert.Equal(Fixtures.Text("pc-minimal.xml"), File.ReadAllText(file + ".bak"));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown")]
    private static extern int Chown(string path, uint uid, uint gid);
}
