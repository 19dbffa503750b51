// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Guest;
using Xunit;

namespace VirtioFs.Tests.Core.Guest;

public sealed class FstabTests
{
    private const string Line = "www /srv/www virtiofs defaults,nofail 0 0";
    private const string Existing = "# /etc/fstab: static file system information.\nUUID=1234 / ext4 errors=remount-ro 0 1\n\n/dev/sr0  /media/cdrom0  udf,iso9660 user,noauto 0 0\n";

    [Fact]
    public void A_line_is_appended_and_everything_else_stays_byte_for_byte()
    {
        var change = Fstab.Add(Existing, Line, replace: false);
        Assert.Equal(Existing + Line + "\n", change.NewText);
        Assert.Empty(change.Conflicts);
        Assert.Equal(Line + "\n", Fstab.Add(null, Line, false).NewText);
        Assert.Equal("a b c\n" + Line + "\n", Fstab.Add("a b c", Line, false).NewText);
    }

    [Fact]
    public void The_same_entry_changes_nothing_even_spaced_differently()
    {
        var change = Fstab.Add(Existing + "www\t/srv/www   virtiofs defaults,nofail 0 0\n", Line, replace: false);
        Assert.True(change.Unchanged);
        Assert.Null(change.NewText);
    }

    [Fact]
    public void Another_entry_for_the_mount_point_is_a_conflict_unless_replaced()
    {
        string text = Existing + "www /srv/www virtiofs defaults,ro,nofail 0 0\nother /srv/www nfs defaults 0 0\n# www /srv/www old\n";
        var refused = Fstab.Add(text, Line, replace: false);
        Assert.Null(refused.NewText);
        Assert.Equal(2, refused.Conflicts.Count);
        var replaced = Fstab.Add(text, Line, replace: true);
        Assert.Equal(Existing + Line + "\n# www /srv/www old\n", replaced.NewText);
        Assert.Equal(2, replaced.Replaced.Count);
    }

    [Fact]
    public void The_same_tag_on_another_mount_point_is_no_conflict()
    {
        var change = Fstab.Add("www /mnt/www virtiofs defaults,nofail 0 0\n", Line, false);
        Assert.Equal("www /mnt/www virtiofs defaults,nofail 0 0\n" + Line + "\n", change.NewText);
    }

    [Fact]
    public void Escaped_blanks_are_read_as_blanks()
    {
        var e = Assert.Single(Fstab.Parse("my\\040data /mnt/my\\040data virtiofs defaults,nofail 0 0\n"));
        Assert.Equal("my data", e.Spec);
        Assert.Equal("/mnt/my data", e.File);
    }

    [Fact]
    public void Removing_takes_only_the_matching_lines()
    {
        var (text, removed) = Fstab.Remove(Existing + Line + "\n", e => e.Type == "virtiofs" && e.Spec == "www");
        Assert.Equal(Existing, text);
        Assert.Equal(Line, Assert.Single(removed).Text);
        Assert.Null(Fstab.Remove(Existing, e => e.Spec == "www").NewText);
        Assert.Equal(2, Fstab.Parse(Existing).Count());
    }
}
