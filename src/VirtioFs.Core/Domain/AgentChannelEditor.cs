// SPDX-License-Identifier: MIT
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// The QEMU guest agent's channel in a domain: a virtio-serial port named org.qemu.guest_agent.0 that
/// libvirt connects to a socket of its own. libvirt reaches the agent only through it.
/// </summary>
internal static class AgentChannelEditor
{
    public const string Name = "org.qemu.guest_agent.0";

    /// <summary>Device kinds libvirt formats before channels (domain_conf.c's order).</summary>
    private static readonly string[] DevicesBeforeChannel =
        { "emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard", "serial", "parallel", "console", "channel" };

    /// <summary>The agent's &lt;channel&gt;, or null.</summary>
    public static XElement? Find(DomainDocument doc) =>
        doc.Devices?.Elements("channel").FirstOrDefault(c => (string?)c.Element("target")?.Attribute("name") == Name);

    /// <summary>In the live XML: "connected" while an agent listens in the guest, "disconnected" otherwise; null when libvirt does not say.</summary>
    public static string? State(DomainDocument live) => (string?)Find(live)?.Element("target")?.Attribute("state");

    /// <summary>Adds the channel (libvirt picks the socket path and adds a virtio-serial controller); no change when it is there.</summary>
    public static DomainEdit Add(DomainDocument original)
    {
        var doc = original.Clone();
        if (Find(doc) is { } existing)
        {
            return new DomainEdit(original, doc, [], memoryChanged: false, existing);
        }
        var channel = new XElement("channel", new XAttribute("type", "unix"),
            new XElement("target", new XAttribute("type", "virtio"), new XAttribute("name", Name)));
        var devices = doc.EnsureDevices();
        var after = devices.Elements().LastOrDefault(e => DevicesBeforeChannel.Contains(e.Name.LocalName));
        XmlLayout.InsertAfter(devices, channel, after);
        return new DomainEdit(original, doc, [$"added the QEMU guest agent channel ({Name})"], memoryChanged: false, channel);
    }
}
