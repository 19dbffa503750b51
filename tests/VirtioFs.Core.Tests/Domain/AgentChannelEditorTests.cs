// SPDX-License-Identifier: MIT
using System.Linq;
using VirtioFs.Domain;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public sealed class AgentChannelEditorTests
{
    private const string Xml = """
        <domain type='kvm'>
          <name>vm1</name>
          <devices>
            <emulator>/usr/bin/qemu-system-x86_64</emulator>
            <console type='pty'/>
            <input type='tablet' bus='usb'/>
          </devices>
        </domain>
        """;

    [Fact]
    public void The_channel_goes_where_libvirt_puts_channels_and_only_once()
    {
        var edit = AgentChannelEditor.Add(DomainDocument.Parse(Xml, "t"));
        Assert.True(edit.HasChanges);
        var devices = edit.After.Devices!.Elements().Select(e => e.Name.LocalName).ToArray();
        Assert.Equal(["emulator", "console", "channel", "input"], devices);
        Assert.Contains("    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n", edit.NewXml.Replace("\r\n", "\n", System.StringComparison.Ordinal));
        Assert.Equal("<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>", edit.DeviceXml.Trim());
        var again = AgentChannelEditor.Add(edit.After);
        Assert.False(again.HasChanges);
        Assert.Empty(again.Changes);
    }

    [Fact]
    public void The_live_state_is_read_from_the_target()
    {
        var live = DomainDocument.Parse("<domain><name>v</name><devices><channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0' state='disconnected'/></channel></devices></domain>", "t");
        Assert.Equal("disconnected", AgentChannelEditor.State(live));
        Assert.Null(AgentChannelEditor.Find(DomainDocument.Parse(Xml, "t")));
    }
}
