// SPDX-License-Identifier: MIT
using System.IO;
using System.Linq;
using System.Management.Automation;
using Xunit;

namespace VirtioFs.Tests.Cmdlets;

public sealed class ShareCmdletTests : System.IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly DomainFiles _files = new();

    public void Dispose()
    {
        _host.Dispose();
        _files.Dispose();
    }

    [Fact]
    public void New_returns_a_typed_share_and_writes_a_backup()
    {
        string file = _files.PathOf("q35-full.xml");
        var original = File.ReadAllBytes(file);
        var result = _host.Run($"New-VirtioFsShare -Path '{file}' -Tag data -Source '{_files.SourceDir}' -QueueSize 1024 -Xattr", out var errors);
        Assert.Empty(errors);
        var share = Assert.IsType<VirtioFsShare>(Assert.Single(result).BaseObject);
        Assert.Equal("web01", share.Domain);
        Assert.Equal(file, share.Path);
        Assert.Equal(1024, share.QueueSize);
        Assert.True(share.Xattr);
        Assert.True(share.SharedMemoryReady);
        Assert.Equal(original, File.ReadAllBytes(file + ".bak"));
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        var before = _files.Bytes("numa-cells.xml");
        var result = _host.Run($"New-VirtioFsShare -Path '{_files.PathOf("numa-cells.xml")}' -Tag data -Source '{_files.SourceDir}' -WhatIf", out var errors);
        Assert.Empty(errors);
        Assert.Empty(result);
        Assert.Equal(before, _files.Bytes("numa-cells.xml"));
        Assert.False(File.Exists(_files.PathOf("numa-cells.xml") + ".bak"));
    }

    [Theory]
    [InlineData("-Tag '' ", "TagEmpty", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "TagTooLong", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag q -QueueSize 100", "InvalidQueueSize", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag q -QueueSize 2048", "InvalidQueueSize", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag media", "TagExists", ErrorCategory.ResourceExists)]
    [InlineData("-Tag x -SocketPath /run/x.sock -Xattr", "DaemonOptionsWithSocket", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag x -AccessMode mapped", "UnsupportedAccessMode", ErrorCategory.InvalidArgument)]
    public void Bad_input_is_a_clear_error_and_the_file_stays_byte_identical(string args, string id, ErrorCategory category)
    {
        string file = _files.PathOf("several-filesystems.xml");
        var before = File.ReadAllBytes(file);
        string source = args.Contains("-SocketPath") ? string.Empty : $"-Source '{_files.SourceDir}'";
        var result = _host.Run($"New-VirtioFsShare -Path '{file}' {source} {args}", out var errors);
        Assert.Empty(result);
        var error = Assert.Single(errors);
        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.NotNull(error.TargetObject);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction), "a recommended action is given");
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Missing_source_directory_is_refused_for_a_local_file_unless_skipped()
    {
        string file = _files.PathOf("pc-minimal.xml");
        var before = File.ReadAllBytes(file);
        _host.Run($"New-VirtioFsShare -Path '{file}' -Tag t -Source /no/such/dir", out var errors);
        Assert.StartsWith("SourceNotFound,", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal(before, File.ReadAllBytes(file));
        var ok = _host.Run($"New-VirtioFsShare -Path '{file}' -Tag t -Source /no/such/dir -SkipSourceCheck", out errors);
        Assert.Empty(errors);
        Assert.Single(ok);
    }

    [Fact]
    public void Malformed_xml_file_is_refused_and_untouched()
    {
        string file = _files.PathOf("broken.xml");
        File.WriteAllText(file, "<domain><name>x</name>");
        var before = File.ReadAllBytes(file);
        _host.Run($"New-VirtioFsShare -Path '{file}' -Tag t -Source '{_files.SourceDir}'", out var errors);
        var e = Assert.Single(errors);
        Assert.StartsWith("MalformedDomainXml,", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void Get_then_remove_through_the_pipeline()
    {
        string file = _files.PathOf("several-filesystems.xml");
        var removed = _host.Run($"Get-VirtioFsShare -Path '{file}' | Remove-VirtioFsShare -PassThru", out var errors);
        Assert.Empty(errors);
        Assert.Equal(new[] { "data", "media" }, removed.Select(r => ((VirtioFsShare)r.BaseObject).Tag));
        var left = _host.Run($"Get-VirtioFsShare -Path '{file}'", out errors);
        Assert.Empty(errors);
        Assert.Empty(left);
        Assert.Contains("<target dir='ninep'/>", File.ReadAllText(file));
    }

    [Fact]
    public void Get_then_new_copies_a_share_with_its_options_to_another_domain()
    {
        string from = _files.PathOf("several-filesystems.xml");
        string to = _files.PathOf("aarch64-virt.xml");
        var copied = _host.Run($"Get-VirtioFsShare -Path '{from}' -Tag data | New-VirtioFsShare -Path '{to}' -SkipSourceCheck", out var errors);
        Assert.Empty(errors);
        var share = (VirtioFsShare)Assert.Single(copied).BaseObject;
        Assert.Equal("arm01", share.Domain);
        Assert.Equal("data", share.Tag);
        Assert.Equal("/srv/data", share.Source);
        Assert.Equal(1024, share.QueueSize);
        Assert.Equal(VirtioFsSandboxMode.Chroot, share.Sandbox);
        Assert.Equal(16, share.ThreadPoolSize);
        Assert.Null(share.Alias);
    }

    [Fact]
    public void An_object_with_a_SocketPath_property_binds_by_property_name()
    {
        string file = _files.PathOf("pc-minimal.xml");
        var result = _host.Run($"[pscustomobject]@{{ SocketPath = '/run/virtiofs/d.sock'; SharedDirectory = '/srv/d' }} | New-VirtioFsShare -Path '{file}' -Tag d", out var errors);
        Assert.Empty(errors);
        var share = (VirtioFsShare)Assert.Single(result).BaseObject;
        Assert.Equal("/run/virtiofs/d.sock", share.SocketPath);
        Assert.Null(share.Source);
        Assert.Equal("external", share.DaemonMode);
    }

    [Fact]
    public void Id_maps_bind_from_strings_and_hashtables()
    {
        string file = _files.PathOf("pc-minimal.xml");
        var result = _host.Run($"New-VirtioFsShare -Path '{file}' -Tag ids -Source '{_files.SourceDir}' -SkipSourceCheck -UidMap @{{ Start = 0; Target = 100000; Count = 65536 }}, '65536:300000:10' -GidMap @{{ start = 0; target = 100000; count = 65536 }}", out var errors);
        Assert.Empty(errors);
        var share = (VirtioFsShare)Assert.Single(result).BaseObject;
        Assert.Equal(new[] { "0:100000:65536", "65536:300000:10" }, share.UidMap.Select(m => m.ToString()));
        Assert.Equal("0:100000:65536", Assert.Single(share.GidMap).ToString());
        Assert.Contains("<uid start='65536' target='300000' count='10'/>", File.ReadAllText(file), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Set_changes_options_and_resets_others()
    {
        string file = _files.PathOf("several-filesystems.xml");
        var result = _host.Run($"Set-VirtioFsShare -Path '{file}' -Tag data -QueueSize 256 -Xattr:$false -Reset ThreadPoolSize -PassThru", out var errors);
        Assert.Empty(errors);
        var share = (VirtioFsShare)Assert.Single(result).BaseObject;
        Assert.Equal(256, share.QueueSize);
        Assert.False(share.Xattr);
        Assert.Null(share.ThreadPoolSize);
        Assert.Equal(VirtioFsSandboxMode.Chroot, share.Sandbox);
    }

    [Fact]
    public void Shared_memory_can_be_read_and_enabled()
    {
        string file = _files.PathOf("numa-cells.xml");
        var before = (VirtioFsSharedMemory)Assert.Single(_host.Run($"Get-VirtioFsSharedMemory -Path '{file}'", out _)).BaseObject;
        Assert.False(before.VirtioFsReady);
        var after = _host.Run($"Enable-VirtioFsSharedMemory -Path '{file}' -PassThru", out var errors);
        Assert.Empty(errors);
        var state = (VirtioFsSharedMemory)Assert.Single(after).BaseObject;
        Assert.True(state.VirtioFsReady);
        Assert.All(state.NumaCells, c => Assert.Equal("shared", c.MemAccess));
    }

    [Fact]
    public void A_missing_domain_file_is_ObjectNotFound()
    {
        _host.Run($"Get-VirtioFsShare -Path '{_files.PathOf("nope.xml")}'", out var errors);
        var e = Assert.Single(errors);
        Assert.StartsWith("DomainFileNotFound,", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
    }

    [Fact]
    public void Path_wildcards_read_every_matching_file()
    {
        var shares = _host.Run($"Get-VirtioFsShare -Path '{_files.Dir}/*.xml'", out var errors);
        Assert.Empty(errors);
        Assert.Equal(new[] { "data", "media" }, shares.Select(s => ((VirtioFsShare)s.BaseObject).Tag));
        var memory = _host.Run($"Get-VirtioFsSharedMemory -Path '{_files.Dir}/*.xml'", out errors);
        Assert.Empty(errors);
        Assert.Equal(System.IO.Directory.GetFiles(_files.Dir, "*.xml").Length, memory.Count);
    }

    [Theory]
    [InlineData("New-VirtioFsShare")]
    [InlineData("Set-VirtioFsShare")]
    public void Every_option_of_the_table_is_a_parameter(string command)
    {
        var parameters = _host.Run($"(Get-Command {command}).Parameters.Keys", out var errors).Select(p => p.BaseObject as string).ToHashSet();
        Assert.Empty(errors);
        var missing = VirtioFs.Domain.ShareOptions.Settable.Select(o => o.Name).Where(n => !parameters.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"{command} lacks -{string.Join(", -", missing)}");
    }

    [Fact]
    public void Reset_takes_the_table_s_names_and_refuses_others_before_touching_the_file()
    {
        string file = _files.PathOf("several-filesystems.xml");
        var before = File.ReadAllBytes(file);
        _host.Run($"Set-VirtioFsShare -Path '{file}' -Tag data -Reset Bogus", out var errors);
        var error = Assert.Single(errors);
        Assert.StartsWith("ParameterArgumentValidationError", error.FullyQualifiedErrorId);
        Assert.Contains("QueueSize", error.Exception.Message);
        Assert.Equal(before, File.ReadAllBytes(file));

        var completions = _host.Run("(TabExpansion2 -inputScript 'Set-VirtioFsShare -Reset Open' -cursorColumn 29).CompletionMatches.CompletionText", out errors);
        Assert.Empty(errors);
        Assert.Equal(["OpenFilesMax"], completions.Select(c => c.BaseObject as string));
    }

    /// <summary>Runs a command that must fail on its one input and asserts the error and that the file did not change.</summary>
    private void AssertRefused(string command, string file, string args, string id, ErrorCategory category)
    {
        var before = File.ReadAllBytes(file);
        var result = _host.Run($"{command} -Path '{file}' {args}", out var errors);
        Assert.Empty(result);
        var error = Assert.Single(errors);
        Assert.Equal($"{id},VirtioFs.Commands.{command.Replace("-", string.Empty)}Command", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.NotNull(error.TargetObject);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction), "a recommended action is given");
        Assert.Equal(before, File.ReadAllBytes(file));
        Assert.False(File.Exists(file + ".bak"), "nothing was written, so there is no backup either");
    }

    [Theory]
    [InlineData("-Tag nope", "ShareNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("-Tag DATA", "ShareNotFound", ErrorCategory.ObjectNotFound)]   // tags are case-sensitive
    [InlineData("-Tag ninep", "NotVirtioFs", ErrorCategory.InvalidOperation)]  // a 9p filesystem
    public void Remove_refuses_what_is_not_a_virtio_fs_share_and_leaves_the_file_byte_identical(string args, string id, ErrorCategory category) =>
        AssertRefused("Remove-VirtioFsShare", _files.PathOf("several-filesystems.xml"), args, id, category);

    [Theory]
    [InlineData("-Tag nope -QueueSize 256", "ShareNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("-Tag ninep -QueueSize 256", "NotVirtioFs", ErrorCategory.InvalidOperation)]
    [InlineData("-Tag data -QueueSize 100", "InvalidQueueSize", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag data -QueueSize 2048", "InvalidQueueSize", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag data -Source {file}", "SourceNotDirectory", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag data -Source {missing}", "SourceNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("-Tag data -Source relative/dir", "SourceNotAbsolute", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag media -SocketPath /sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss", "SocketPathTooLong", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag media -Xattr", "DaemonOptionsWithSocket", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag data -QueueSize 256 -Reset QueueSize", "SetAndResetSameOption", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag data -ThreadPoolSize 4 -Reset Cache,ThreadPoolSize", "SetAndResetSameOption", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag data -NewTag media", "TagExists", ErrorCategory.ResourceExists)]
    [InlineData("-Tag data -NewTag ninep", "TagExists", ErrorCategory.ResourceExists)]   // the 9p tag counts too
    [InlineData("-Tag data -NewTag xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "TagTooLong", ErrorCategory.InvalidArgument)]
    [InlineData("-Tag media -Alias ua-data", "AliasInUse", ErrorCategory.ResourceExists)]
    public void Set_refuses_bad_input_and_leaves_the_file_byte_identical(string args, string id, ErrorCategory category)
    {
        string notADirectory = _files.PathOf("pc-minimal.xml");
        args = args.Replace("{file}", $"'{notADirectory}'").Replace("{missing}", $"'{Path.Combine(_files.Dir, "no-such-dir")}'");
        AssertRefused("Set-VirtioFsShare", _files.PathOf("several-filesystems.xml"), args, id, category);
    }

    [Theory]
    [InlineData("Remove-VirtioFsShare", "-Tag data")]
    [InlineData("Set-VirtioFsShare", "-Tag data -QueueSize 256")]
    public void A_malformed_or_non_utf8_file_is_refused_byte_identical_and_a_missing_one_is_not_created(string command, string args)
    {
        string broken = _files.PathOf("broken.xml");
        File.WriteAllText(broken, "<domain><name>x</name>");
        AssertRefused(command, broken, args, "MalformedDomainXml", ErrorCategory.InvalidData);

        // The same domain as the fixture, with one Latin-1 byte in a comment: rewriting it as UTF-8 would corrupt it.
        string latin1 = _files.PathOf("latin1.xml");
        var text = File.ReadAllText(_files.PathOf("several-filesystems.xml")).Replace("<devices>", "<devices><!-- caf\u00e9 -->");
        File.WriteAllBytes(latin1, System.Text.Encoding.Latin1.GetBytes(text));
        AssertRefused(command, latin1, args, "DomainFileNotUtf8", ErrorCategory.InvalidData);

        string missing = _files.PathOf("nope.xml");
        var result = _host.Run($"{command} -Path '{missing}' {args}", out var errors);
        Assert.Empty(result);
        var error = Assert.Single(errors);
        Assert.Equal($"DomainFileNotFound,VirtioFs.Commands.{command.Replace("-", string.Empty)}Command", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(missing, error.TargetObject);
        Assert.False(File.Exists(missing));
    }

    [Theory]
    [InlineData("-HugePageSize 2M")]
    [InlineData("-HugePageSize 2MiB")]
    [InlineData("-HugePageSize 2048KB")]
    [InlineData("-HugePageSize 2048")]
    [InlineData("-HugePageSizeKiB 2048")]
    public void Every_page_size_style_writes_the_same_page(string size)
    {
        string file = _files.PathOf("pc-minimal.xml");
        _host.Run($"New-VirtioFsShare -Path '{file}' -Tag d -Source /srv/d -SkipSourceCheck -SharedMemory HugePages {size}", out var errors);
        Assert.Empty(errors);
        Assert.Contains("<page size='2048' unit='KiB'/>", File.ReadAllText(file), System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_size_that_is_not_one_changes_nothing()
    {
        string file = _files.PathOf("pc-minimal.xml");
        var before = File.ReadAllBytes(file);
        _host.Run($"New-VirtioFsShare -Path '{file}' -Tag d -Source /srv/d -SkipSourceCheck -SharedMemory HugePages -HugePageSize lots", out var errors);
        Assert.Equal("InvalidPageSize,VirtioFs.Commands.NewVirtioFsShareCommand", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal(before, File.ReadAllBytes(file));
    }
}
