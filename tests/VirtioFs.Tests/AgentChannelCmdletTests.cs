// SPDX-License-Identifier: MIT
using System.IO;
using Xunit;

namespace VirtioFs.Tests.Cmdlets;

public sealed class AgentChannelCmdletTests : System.IDisposable
{
    private readonly PowerShellHost _host = new();
    private readonly DomainFiles _files = new();

    public void Dispose()
    {
        _host.Dispose();
        _files.Dispose();
    }

    [Fact]
    public void The_channel_is_added_once_with_a_backup_and_WhatIf_changes_nothing()
    {
        string file = _files.PathOf("q35-full.xml");
        var original = File.ReadAllBytes(file);
        _host.Run($"Add-VirtioFsGuestAgentChannel -Path '{file}' -WhatIf", out var errors);
        Assert.Empty(errors);
        Assert.Equal(original, File.ReadAllBytes(file));

        var output = _host.Run($"Add-VirtioFsGuestAgentChannel -Path '{file}'", out errors);
        Assert.Empty(errors);
        Assert.Empty(output);
        string text = File.ReadAllText(file);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "name='org.qemu.guest_agent.0'"));
        Assert.Equal(original, File.ReadAllBytes(file + ".bak"));

        var changed = File.ReadAllBytes(file);
        _host.Run($"Add-VirtioFsGuestAgentChannel -Path '{file}'", out errors);
        Assert.Empty(errors);
        Assert.Equal(changed, File.ReadAllBytes(file));
    }
}
