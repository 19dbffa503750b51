// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using VirtioFs.Domain;
using VirtioFs.Internal;
using VirtioFs.Mappings;
using Xunit;

namespace VirtioFs.Tests.Cmdlets;

/// <summary>
/// The mapping cmdlets take every share option, as New-VirtioFsShare does, and New-VirtioFsShare -Mapping
/// on a domain XML file takes the directory of -MappingHost, the mapping's options under the explicit ones,
/// and marks the share.
/// </summary>
public sealed class MappingCmdletTests : IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly DomainFiles _files = new();

    public void Dispose()
    {
        _host.Dispose();
        _files.Dispose();
    }

    private static PropertyInfo? Parameter(Type cmdlet, string name) =>
        cmdlet.GetProperty(name) is { } p && p.GetCustomAttributes<ParameterAttribute>().Any() ? p : null;

    [Theory]
    [InlineData(typeof(Commands.NewVirtioFsMappingCommand))]
    [InlineData(typeof(Commands.SetVirtioFsMappingCommand))]
    public void EveryShareOptionIsAParameterOfTheSameTypeAsNewVirtioFsShares(Type cmdlet)
    {
        foreach (var option in ShareOptions.Settable)
        {
            var mine = Parameter(cmdlet, option.Name);
            var share = Parameter(typeof(Commands.NewVirtioFsShareCommand), option.Name);
            Assert.True(mine is not null, $"{cmdlet.Name} has no -{option.Name}");
            Assert.Equal(share!.PropertyType, mine!.PropertyType);
        }
        // And nothing else on the options base: a parameter there that is not an option would be silently dropped.
        var declared = typeof(MappingOptionsCmdlet).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(p => p.GetCustomAttributes<ParameterAttribute>().Any()).Select(p => p.Name).Order();
        Assert.Equal(ShareOptions.Settable.Select(o => o.Name).Order(), declared);
    }

    [Fact]
    public void NewShareFromAMappingOnAFileUsesMappingHostAndMarksTheShare()
    {
        string map = _files.PathOf("m.json");
        string other = Path.Combine(_files.Dir, "other");
        Directory.CreateDirectory(other);
        _host.Run($"New-VirtioFsMapping -Name data -Path @{{ localhost = '{_files.SourceDir}'; kvm7 = '{other}' }} -Cache Always -QueueSize 512 -MappingPath '{map}'", out var errors);
        Assert.Empty(errors);

        string file = _files.PathOf("pc-minimal.xml");
        var result = _host.Run($"New-VirtioFsShare -Path '{file}' -Mapping data -MappingPath '{map}' -MappingHost KVM7 -QueueSize 1024", out errors);
        Assert.Empty(errors);
        var share = Assert.IsType<VirtioFsShare>(Assert.Single(result).BaseObject);
        Assert.Equal("data", share.Tag);
        Assert.Equal(other, share.Source);
        Assert.Equal(VirtioFsCacheMode.Always, share.Cache); // from the mapping
        Assert.Equal(1024, share.QueueSize);                  // explicit wins
        var doc = DomainDocument.Parse(File.ReadAllText(file), file);
        Assert.Equal(new ShareMark("data", "kvm7"), ManagedShareMarker.Read(doc)["data"]);

        // The default host of a file is localhost; -Tag overrides the name and the marker follows the tag.
        file = _files.PathOf("q35-full.xml");
        _host.Run($"New-VirtioFsShare -Path '{file}' -Mapping DATA -Tag d2 -MappingPath '{map}'", out errors);
        Assert.Empty(errors);
        doc = DomainDocument.Parse(File.ReadAllText(file), file);
        Assert.Equal(_files.SourceDir, ShareEditor.List(doc).Single(s => s.Tag == "d2").Source);
        Assert.Equal(new ShareMark("data", "localhost"), ManagedShareMarker.Read(doc)["d2"]);
    }

    [Theory]
    [InlineData("-MappingHost kvm9", "MappingHostMissing", ErrorCategory.ObjectNotFound)]
    [InlineData("-Source /srv", "MappingWithSource", ErrorCategory.InvalidArgument)]
    [InlineData("-QueueSize 100", "InvalidQueueSize", ErrorCategory.InvalidArgument)]
    public void ANewShareFromAMappingThatCannotBeMadeLeavesTheFileAsItWas(string args, string id, ErrorCategory category)
    {
        string map = _files.PathOf("m.json");
        _host.Run($"New-VirtioFsMapping -Name data -Path @{{ localhost = '{_files.SourceDir}' }} -MappingPath '{map}'", out var errors);
        Assert.Empty(errors);
        string file = _files.PathOf("pc-minimal.xml");
        var before = File.ReadAllBytes(file);
        var result = _host.Run($"New-VirtioFsShare -Path '{file}' -Mapping data -MappingPath '{map}' {args}", out errors);
        Assert.Empty(result);
        var error = Assert.Single(errors);
        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(before, File.ReadAllBytes(file));
    }

    [Fact]
    public void AnUnknownMappingNamesTheMappingsTheFileHas()
    {
        string map = _files.PathOf("m.json");
        _host.Run($"New-VirtioFsMapping -Name data -Path @{{ localhost = '/srv/data' }} -MappingPath '{map}'", out _);
        _host.Run($"New-VirtioFsShare -Path '{_files.PathOf("pc-minimal.xml")}' -Mapping nope -MappingPath '{map}'", out var errors);
        var error = Assert.Single(errors);
        Assert.StartsWith("MappingNotFound,", error.FullyQualifiedErrorId);
        Assert.Contains("it has: data", error.Exception.Message);
        Assert.Equal("nope", error.TargetObject);
    }
}
