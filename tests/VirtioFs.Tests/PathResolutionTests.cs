// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Internal;
using Xunit;

namespace VirtioFs.Tests.Cmdlets;

/// <summary>
/// ResolveFileSystemPath hands a plain absolute path back without asking PowerShell (which reads the mount table
/// on every call): it must only do so where PowerShell would hand back the same string.
/// </summary>
public sealed class PathResolutionTests : System.IDisposable
{
    private readonly PowerShellHost _host = new();

    public void Dispose() => _host.Dispose();

    [Theory]
    [InlineData("/tmp/x.xml")]
    [InlineData("/etc/libvirt/qemu/web-01.xml")]
    [InlineData("/tmp/a[1].xml")]
    [InlineData("/tmp/a`[1`].xml")]
    [InlineData("/tmp/~x.xml")]
    [InlineData("/tmp/.hidden")]
    [InlineData("/tmp/...")]
    [InlineData("/tmp/with space/é.xml")]
    public void A_plain_absolute_path_is_what_PowerShell_would_resolve_it_to(string path)
    {
        Assert.True(VirtioFsCmdlet.IsPlainAbsolutePath(path));
        Assert.Equal(path, PowerShellResolves(path));
    }

    [Theory]
    [InlineData("/tmp/a\\b.xml")]
    [InlineData("/tmp/./b.xml")]
    [InlineData("/tmp/a/../b.xml")]
    [InlineData("//tmp//b.xml")]
    [InlineData("/tmp/x/")]
    [InlineData("/tmp/..")]
    [InlineData("/tmp/.")]
    [InlineData("/")]
    [InlineData("tmp/x.xml")]
    [InlineData("./x.xml")]
    [InlineData("~/x.xml")]
    [InlineData("Temp:/x.xml")]
    public void Anything_else_is_left_to_PowerShell(string path) => Assert.False(VirtioFsCmdlet.IsPlainAbsolutePath(path));

    private string PowerShellResolves(string path)
    {
        _host.SetVariable("p", path);
        var result = _host.Run("$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)", out var errors);
        Assert.Empty(errors);
        return (string)result.Single().BaseObject;
    }
}
