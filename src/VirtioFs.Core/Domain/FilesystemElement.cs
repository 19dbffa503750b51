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
        var driver = fs.Element("driver");
        var binary = fs.Element("binary");
        var source = fs.Element("source");
        var idmap = fs.Element("idmap");
        return new VirtioFsShare
        {
            Tag = TagOf(fs) ?? string.Empty,
            Source = (string?)source?.Attribute("dir"),
            SocketPath = (string?)source?.Attribute("socket"),
            QueueSize = MemoryUnits.ParseInt((string?)driver?.Attribute("queue")),
            Iommu = MemoryUnits.ParseOnOff((string?)driver?.Attribute("iommu")),
            Ats = MemoryUnits.ParseOnOff((string?)driver?.Attribute("ats")),
            Packed = MemoryUnits.ParseOnOff((string?)driver?.Attribute("packed")),
            PagePerVq = MemoryUnits.ParseOnOff((string?)driver?.Attribute("page_per_vq")),
            BinaryPath = (string?)binary?.Attribute("path"),
            Xattr = MemoryUnits.ParseOnOff((string?)binary?.Attribute("xattr")),
            Cache = ParseEnum<VirtioFsCacheMode>((string?)binary?.Element("cache")?.Attribute("mode")),
            Sandbox = ParseEnum<VirtioFsSandboxMode>((string?)binary?.Element("sandbox")?.Attribute("mode")),
            PosixLock = MemoryUnits.ParseOnOff((string?)binary?.Element("lock")?.Attribute("posix")),
            Flock = MemoryUnits.ParseOnOff((string?)binary?.Element("lock")?.Attribute("flock")),
            ThreadPoolSize = MemoryUnits.ParseInt((string?)binary?.Element("thread_pool")?.Attribute("size")),
            OpenFilesMax = MemoryUnits.ParseLong((string?)binary?.Element("openfiles")?.Attribute("max")),
            ReadOnly = fs.Element("readonly") is not null,
            BootOrder = MemoryUnits.ParseInt((string?)fs.Element("boot")?.Attribute("order")),
            Alias = (string?)fs.Element("alias")?.Attribute("name"),
            Address = DescribeAddress(fs.Element("address")),
            UidMap = ReadIdMap(idmap, "uid"),
            GidMap = ReadIdMap(idmap, "gid"),
            AccessMode = (string?)fs.Attribute("accessmode") ?? "passthrough",
        };
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
        var driver = XmlLayout.GetOrAdd(fs, "driver", ChildOrder);
        driver.SetAttributeValue("type", "virtiofs");
        SetOrReset(driver, "queue", s.QueueSize?.ToString(System.Globalization.CultureInfo.InvariantCulture), s, "QueueSize");
        SetOrReset(driver, "iommu", OnOff(s.Iommu), s, "Iommu");
        SetOrReset(driver, "ats", OnOff(s.Ats), s, "Ats");
        SetOrReset(driver, "packed", OnOff(s.Packed), s, "Packed");
        SetOrReset(driver, "page_per_vq", OnOff(s.PagePerVq), s, "PagePerVq");

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

        ApplyBinary(fs, s);
        ApplyIdMap(fs, s);

        if (s.ReadOnly == true)
        {
            XmlLayout.GetOrAdd(fs, "readonly", ChildOrder);
        }
        else if ((s.ReadOnly == false || s.Reset.Contains("ReadOnly")) && fs.Element("readonly") is { } ro)
        {
            XmlLayout.Remove(ro);
        }

        SetChildAttribute(fs, "boot", "order", s.BootOrder?.ToString(System.Globalization.CultureInfo.InvariantCulture), s, "BootOrder", ChildOrder);
        SetChildAttribute(fs, "alias", "name", s.Alias, s, "Alias", ChildOrder);
    }

    private static void ApplyBinary(XElement fs, ShareSettings s)
    {
        bool wantsBinary = s.BinaryPath is not null || s.Xattr is not null || s.Cache is not null || s.Sandbox is not null
            || s.PosixLock is not null || s.Flock is not null || s.ThreadPoolSize is not null || s.OpenFilesMax is not null;
        var binary = fs.Element("binary");
        if (binary is null && !wantsBinary)
        {
            return;
        }
        binary ??= XmlLayout.GetOrAdd(fs, "binary", ChildOrder);
        SetOrReset(binary, "path", s.BinaryPath, s, "BinaryPath");
        SetOrReset(binary, "xattr", OnOff(s.Xattr), s, "Xattr");
        SetChildAttribute(binary, "cache", "mode", s.Cache?.ToString().ToLowerInvariant(), s, "Cache", BinaryOrder);
        SetChildAttribute(binary, "sandbox", "mode", s.Sandbox?.ToString().ToLowerInvariant(), s, "Sandbox", BinaryOrder);
        SetChildAttribute(binary, "lock", "posix", OnOff(s.PosixLock), s, "PosixLock", BinaryOrder);
        SetChildAttribute(binary, "lock", "flock", OnOff(s.Flock), s, "Flock", BinaryOrder);
        SetChildAttribute(binary, "thread_pool", "size", s.ThreadPoolSize?.ToString(System.Globalization.CultureInfo.InvariantCulture), s, "ThreadPoolSize", BinaryOrder);
        SetChildAttribute(binary, "openfiles", "max", s.OpenFilesMax?.ToString(System.Globalization.CultureInfo.InvariantCulture), s, "OpenFilesMax", BinaryOrder);
        if (!binary.HasAttributes && !binary.Elements().Any())
        {
            XmlLayout.Remove(binary);
        }
    }

    private static void ApplyIdMap(XElement fs, ShareSettings s)
    {
        bool changeUid = s.UidMap is not null || s.Reset.Contains("UidMap");
        bool changeGid = s.GidMap is not null || s.Reset.Contains("GidMap");
        if (!changeUid && !changeGid)
        {
            return;
        }
        var existing = fs.Element("idmap");
        var uids = changeUid ? s.UidMap ?? Array.Empty<VirtioFsIdMapEntry>() : ReadIdMap(existing, "uid");
        var gids = changeGid ? s.GidMap ?? Array.Empty<VirtioFsIdMapEntry>() : ReadIdMap(existing, "gid");
        // Rebuild the element: uid ranges first, then gid ranges, as libvirt writes them.
        var idmap = new XElement("idmap",
            uids.Select(e => IdMapChild("uid", e)), gids.Select(e => IdMapChild("gid", e)));
        if (existing is not null)
        {
            var before = existing.ElementsBeforeSelf().LastOrDefault();
            XmlLayout.Remove(existing);
            if (idmap.HasElements)
            {
                XmlLayout.InsertAfter(fs, idmap, before);
            }
        }
        else if (idmap.HasElements)
        {
            XmlLayout.InsertOrdered(fs, idmap, ChildOrder);
        }
    }

    private static XElement IdMapChild(string kind, VirtioFsIdMapEntry e) =>
        new(kind, new XAttribute("start", e.Start), new XAttribute("target", e.Target), new XAttribute("count", e.Count));

    private static void SetOrReset(XElement element, string attribute, string? value, ShareSettings s, string option)
    {
        if (value is not null)
        {
            element.SetAttributeValue(attribute, value);
        }
        else if (s.Reset.Contains(option))
        {
            element.SetAttributeValue(attribute, null);
        }
    }

    private static void SetChildAttribute(XElement parent, string child, string attribute, string? value,
        ShareSettings s, string option, IReadOnlyList<string> order)
    {
        if (value is not null)
        {
            XmlLayout.GetOrAdd(parent, child, order).SetAttributeValue(attribute, value);
        }
        else if (s.Reset.Contains(option) && parent.Element(child) is { } existing)
        {
            existing.SetAttributeValue(attribute, null);
            if (!existing.HasAttributes && !existing.Elements().Any())
            {
                XmlLayout.Remove(existing);
            }
        }
    }

    private static string? OnOff(bool? value) => value is null ? null : MemoryUnits.OnOff(value.Value);

    private static T? ParseEnum<T>(string? value) where T : struct, Enum =>
        Enum.TryParse<T>(value, ignoreCase: true, out var result) ? result : null;

    private static IReadOnlyList<VirtioFsIdMapEntry> ReadIdMap(XElement? idmap, string kind)
    {
        if (idmap is null)
        {
            return Array.Empty<VirtioFsIdMapEntry>();
        }
        var list = new List<VirtioFsIdMapEntry>();
        foreach (var e in idmap.Elements(kind))
        {
            if (uint.TryParse((string?)e.Attribute("start"), out uint start)
                && uint.TryParse((string?)e.Attribute("target"), out uint target)
                && uint.TryParse((string?)e.Attribute("count"), out uint count))
            {
                list.Add(new VirtioFsIdMapEntry(start, target, count));
            }
        }
        return list;
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
