// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>
/// Maps a virtio-fs &lt;filesystem&gt; element to and from <see cref="VirtioFsShare"/>. Edits are made
/// in place, attribute by attribute, so anything else in the element (address, unknown children)
/// stays where it was.
/// </summary>
internal static class FilesystemElement
{
    /// <summary>libvirt's order of &lt;filesystem&gt; children.</summary>
    public static readonly string[] ChildOrder =
        { "driver", "binary", "idmap", "source", "target", "readonly", "space_hard_limit", "space_soft_limit", "boot", "alias", "address" };

    /// <summary>libvirt's order of &lt;binary&gt; children.</summary>
    public static readonly string[] BinaryOrder = { "cache", "sandbox", "lock", "thread_pool", "openfiles" };

    public static string? TagOf(XElement fs) => (string?)fs.Element("target")?.Attribute("dir");

    public static VirtioFsShare Read(XElement fs)
    {
        var share = new VirtioFsShare
        {
            Tag = TagOf(fs) ?? string.Empty,
            Source = (string?)fs.Element("source")?.Attribute("dir"),
            Address = DescribeAddress(fs.Element("address")),
            AccessMode = (string?)fs.Attribute("accessmode") ?? "passthrough",
        };
        foreach (var option in ShareOptions.All)
        {
            option.Read(fs, share);
        }
        return share;
    }

    /// <summary>Builds a new element for a share; only asked-for options appear.</summary>
    public static XElement Create(ShareSettings s)
    {
        var fs = new XElement("filesystem", new XAttribute("type", "mount"), new XAttribute("accessmode", "passthrough"));
        fs.Add(new XElement("driver", new XAttribute("type", "virtiofs")));
        fs.Add(new XElement("target", new XAttribute("dir", s.Tag ?? string.Empty)));
        Apply(fs, s);
        return fs;
    }

    /// <summary>Applies the asked-for options to an existing element (Set) or a fresh one (New).</summary>
    public static void Apply(XElement fs, ShareSettings s)
    {
        XmlLayout.GetOrAdd(fs, "driver", ChildOrder).SetAttributeValue("type", "virtiofs");
        if (s.Source is not null || s.SocketPath is not null)
        {
            var source = XmlLayout.GetOrAdd(fs, "source", ChildOrder);
            source.SetAttributeValue("dir", s.Source);
            source.SetAttributeValue("socket", s.SocketPath);
        }
        if (s.Tag is not null)
        {
            XmlLayout.GetOrAdd(fs, "target", ChildOrder).SetAttributeValue("dir", s.Tag);
        }
        foreach (var option in ShareOptions.All)
        {
            option.Write(fs, s);
        }
    }

    private static string? DescribeAddress(XElement? address)
    {
        if (address is null)
        {
            return null;
        }
        string type = (string?)address.Attribute("type") ?? "?";
        if (type == "pci")
        {
            static string Hex(XElement a, string n, int width)
            {
                string v = ((string?)a.Attribute(n) ?? "0").Replace("0x", string.Empty, StringComparison.OrdinalIgnoreCase);
                return v.PadLeft(width, '0');
            }
            return $"pci {Hex(address, "domain", 4)}:{Hex(address, "bus", 2)}:{Hex(address, "slot", 2)}.{Hex(address, "function", 1)}";
        }
        return type + " " + string.Join(" ", address.Attributes().Where(a => a.Name != "type").Select(a => $"{a.Name}={a.Value}"));
    }
}
