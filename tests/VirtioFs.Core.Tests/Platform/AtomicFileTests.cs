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
        var before = Owner(file);

        var backup = AtomicFile.Replace(file, "<domain>new</domain>", keepBackup: true);

        Assert.Equal(file + ".bak", backup);
        Assert.Equal("<domain>new</domain>", File.ReadAllText(file));
        Assert.Equal("<domain>old</domain>", File.ReadAllText(backup!));
        Assert.Equal(Rw, File.GetUnixFileMode(file));
        Assert.Equal(Rw, File.GetUnixFileMode(backup!));
        Assert.Equal(before, Owner(file));
        Assert.Equal(before, Owner(backup!));
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
        Assert.Equal(((uint)65534, (uint)65534), Owner(file));
        Assert.Equal(((uint)65534, (uint)65534), Owner(file + ".bak"));
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
        target.Edit(doc => ShareEditor.EnableSharedMemory(doc, VirtioFsSharedMemoryChoice.Memfd, null), _ => true, LiveAction.None, default);
        Assert.Equal(Rw, File.GetUnixFileMode(file));
        Assert.Equal(Rw, File.GetUnixFileMode(file + ".bak"));
        Assert.Equal(Fixtures.Text("pc-minimal.xml"), File.ReadAllText(file + ".bak"));
    }

    [Fact]
    public void FileDomainTargetKeepsAByteOrderMark()
    {
        var file = Path.Combine(_dir, "bom.xml");
        var original = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(System.Text.Encoding.UTF8.GetBytes(Fixtures.Text("pc-minimal.xml"))).ToArray();
        File.WriteAllBytes(file, original);
        var target = new FileDomainTarget(file, checkHostPaths: false);
        target.Edit(doc => ShareEditor.EnableSharedMemory(doc, VirtioFsSharedMemoryChoice.Memfd, null), _ => true, LiveAction.None, default);
        var written = File.ReadAllBytes(file);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, written.Take(3).ToArray());
        Assert.Contains("<source type='memfd'/>", System.Text.Encoding.UTF8.GetString(written));
        Assert.Equal(original, File.ReadAllBytes(file + ".bak"));
    }

    [Fact]
    public void FileDomainTargetRefusesAFileThatIsNotUtf8AndLeavesIt()
    {
        var file = Path.Combine(_dir, "latin1.xml");
        // 'Clément' in Latin-1: decoding it as UTF-8 and writing it back would corrupt the name.
        var original = System.Text.Encoding.Latin1.GetBytes(Fixtures.Text("pc-minimal.xml").Replace("<domain type='qemu'>", "<domain type='qemu'><!-- Cl\u00e9ment -->", StringComparison.Ordinal));
        File.WriteAllBytes(file, original);
        var e = Assert.Throws<VirtioFsException>(() => new FileDomainTarget(file, checkHostPaths: false).Load());
        Assert.Equal("DomainFileNotUtf8", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidData, e.Kind);
        Assert.Equal(original, File.ReadAllBytes(file));
    }

    [Fact]
    public void FileDomainTargetDoesNotOverwriteAChangeMadeAfterItRead()
    {
        var file = Path.Combine(_dir, "race.xml");
        File.WriteAllText(file, Fixtures.Text("pc-minimal.xml"));
        var target = new FileDomainTarget(file, checkHostPaths: false);
        var theirs = Fixtures.Text("pc-minimal.xml").Replace("</domain>", "<!-- edited by someone else -->\n</domain>", StringComparison.Ordinal);
        // An editor that takes no lock writes the file while the change waits for approval (-Confirm).
        var e = Assert.Throws<VirtioFsException>(() => target.Edit(doc => ShareEditor.EnableSharedMemory(doc, VirtioFsSharedMemoryChoice.Memfd, null),
            _ => { File.WriteAllText(file, theirs); return true; }, LiveAction.None, default));
        Assert.Equal("DomainChangedConcurrently", e.ErrorId);
        Assert.Equal(theirs, File.ReadAllText(file));
        Assert.False(File.Exists(file + ".bak"));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown")]
    private static extern int Chown(string path, uint uid, uint gid);

    private static (uint Uid, uint Gid)? Owner(string path) => FileStatus.Of(path) is { } st ? (st.Uid, st.Gid) : null;
}
