// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using VirtioFs.Daemon;
using VirtioFs.Doctor;
using VirtioFs.Domain;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

/// <summary>The two trust rules of issue 9: a share never opens the host's own directories, and a tag is one the guest can mount.</summary>
public sealed class ShareSafetyTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "vfs-safety-" + Guid.NewGuid().ToString("N"));

    public ShareSafetyTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("/")]
    [InlineData("/etc")]
    [InlineData("/boot")]
    [InlineData("/root")]
    [InlineData("/usr")]
    [InlineData("/var/lib/libvirt")]
    [InlineData("/proc")]
    [InlineData("/sys")]
    [InlineData("/dev")]
    [InlineData("/run")]
    [InlineData("/etc/ssh")]                 // inside a closed tree
    [InlineData("/var/lib/libvirt/images")]  // libvirt's state
    [InlineData("/var")]                     // contains /var/lib/libvirt
    [InlineData("/var/lib")]
    [InlineData("/etc/libvirt/qemu")]
    [InlineData("/srv/../etc")]              // '..' resolves first
    public void SystemDirectoriesAndWhatContainsThemAreRefused(string dir)
    {
        Assert.NotNull(SharedDirectoryGuard.Problem(dir, resolveOnThisHost: true));
        var e = Assert.Throws<VirtioFsException>(() => SharedDirectoryGuard.Ensure(dir, true, force: false, "-Source"));
        Assert.Equal(ErrorIds.UnsafeSharedDirectory, e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.SecurityError, e.Kind);
        Assert.Contains("-Force", e.RecommendedAction);
        SharedDirectoryGuard.Ensure(dir, true, force: true, "-Source"); // -Force shares it anyway
    }

    [Theory]
    [InlineData("/srv/data")]
    [InlineData("/home/alice/shared")]
    [InlineData("/usr/share/isos")]
    [InlineData("/tmp/x")]
    public void OrdinaryDirectoriesPass(string dir) => Assert.Null(SharedDirectoryGuard.Problem(dir, resolveOnThisHost: true));

    [Fact]
    public void ASymlinkToASystemDirectoryIsCaught()
    {
        var link = Path.Combine(_dir, "innocent");
        File.CreateSymbolicLink(link, "/etc");
        Assert.Contains("/etc", SharedDirectoryGuard.Problem(link, resolveOnThisHost: true));
        // For XML meant for another host the link cannot be followed here; the path itself is judged.
        Assert.Null(SharedDirectoryGuard.Problem(link, resolveOnThisHost: false));
    }

    [Fact]
    public void NewShareRefusesASystemDirectoryAndLeavesTheDomainAlone()
    {
        var doc = Fixtures.Load("pc-minimal.xml");
        var before = doc.ToXml();
        var e = Assert.Throws<VirtioFsException>(() => ShareEditor.Add(doc, new ShareSettings { Tag = "t", Source = "/" }, "passthrough",
            VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks));
        Assert.Equal(ErrorIds.UnsafeSharedDirectory, e.ErrorId);
        Assert.Equal(before, doc.ToXml());
        var forced = ShareEditor.Add(doc, new ShareSettings { Tag = "t", Source = "/", AllowUnsafeSource = true }, "passthrough",
            VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks);
        Assert.Contains(ShareEditor.List(forced.After), s => s.Source == "/");
    }

    [Theory]
    [InlineData("   ", "TagHasWhitespace")]
    [InlineData("my share", "TagHasWhitespace")]
    [InlineData("a\tb", "TagHasControlCharacter")]
    [InlineData("a\nb", "TagHasControlCharacter")]
    [InlineData("a\0b", "TagHasControlCharacter")]
    [InlineData("", "TagEmpty")]
    [InlineData("0123456789012345678901234567890123456", "TagTooLong")]
    public void TagsTheGuestCannotMountAreRefusedEverywhere(string tag, string id)
    {
        Assert.Equal(id, Assert.Throws<VirtioFsException>(() => MountTag.Validate(tag)).ErrorId);
        // The share editor and the guest side use the same rule.
        Assert.Equal(id, Assert.Throws<VirtioFsException>(() => ShareEditor.Add(Fixtures.Load("pc-minimal.xml"),
            new ShareSettings { Tag = tag, Source = "/srv/x" }, "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks)).ErrorId);
        Assert.Equal(id, Assert.Throws<VirtioFsException>(() => VirtioFs.Guest.GuestMountBuilder.Build(tag, null, false, null, 'Z')).ErrorId);
    }

    [Theory]
    [InlineData("squash-guest:0:65534:4294967295", true)]
    [InlineData("map:0:100000:65536", true)]
    [InlineData("guest:0:1000:1", true)]
    [InlineData("forbid-guest:0:0:1", true)]
    [InlineData("map:0:0:65536", false)]       // root stays root
    [InlineData("map:1000:2000:10", false)]    // does not cover uid 0
    [InlineData("host:0:1000:1", false)]       // host to guest only
    [InlineData("squash-host:0:65534:10", false)]
    public void ADaemonMapsGuestRootAwayOnlyWithARuleThatCoversIt(string rule, bool mapped)
    {
        Assert.Equal(mapped, ShareSafetyChecks.TranslatesGuestRoot(["--fd=3", "--translate-uid", rule]));
        Assert.Equal(mapped, ShareSafetyChecks.TranslatesGuestRoot([$"--translate-uid={rule}"]));
    }
}
