// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>
/// Adds, changes and removes virtio-fs shares in a domain document. Every method works on a copy
/// and validates the result before returning it, so a failure leaves the caller's document (and
/// the file or libvirt domain behind it) exactly as it was.
/// </summary>
internal static class ShareEditor
{
    public static IReadOnlyList<VirtioFsShare> List(DomainDocument domain)
    {
        bool ready = SharedMemoryInspector.Inspect(domain).VirtioFsReady;
        return domain.VirtioFsFilesystems.Select(fs => Describe(domain, fs, ready)).ToList();
    }

    public static VirtioFsShare Describe(DomainDocument domain, XElement fs, bool sharedMemoryReady)
    {
        var share = FilesystemElement.Read(fs);
        share.Domain = domain.Name;
        share.DomainUuid = domain.Uuid;
        share.SharedMemoryReady = sharedMemoryReady;
        return share;
    }

    public static DomainEdit Add(DomainDocument original, ShareSettings settings, string accessMode,
        VirtioFsSharedMemoryChoice memory, ulong? hugePageSizeKiB, HostContext host)
    {
        ShareValidator.ValidateTag(settings.Tag);
        var doc = original.Clone();
        var element = FilesystemElement.Create(settings);
        var merged = FilesystemElement.Read(element);
        merged.AccessMode = accessMode;
        ShareValidator.Validate(doc, merged, settings, host, self: null);

        var changes = new List<string>(SharedMemoryEnabler.Apply(doc, memory, hugePageSizeKiB));
        bool memoryChanged = changes.Count > 0;

        var devices = doc.EnsureDevices();
        var lastFs = devices.Elements("filesystem").LastOrDefault();
        if (lastFs is not null)
        {
            XmlLayout.InsertAfter(devices, element, lastFs);
        }
        else
        {
            var after = devices.Elements().LastOrDefault(e => XmlLayout.DevicesBeforeFilesystem.Contains(e.Name.LocalName));
            XmlLayout.InsertAfter(devices, element, after);
        }
        changes.Add($"added virtio-fs filesystem '{settings.Tag}' ({settings.Source ?? settings.SocketPath})");
        return new DomainEdit(original, doc, changes, memoryChanged, element);
    }

    public static DomainEdit Update(DomainDocument original, string tag, ShareSettings settings,
        VirtioFsSharedMemoryChoice memory, HostContext host)
    {
        var doc = original.Clone();
        var element = Find(doc, tag);
        var before = FilesystemElement.Read(element);
        if (settings.Source is not null)
        {
            element.Element("source")?.SetAttributeValue("socket", null);
        }
        if (settings.SocketPath is not null)
        {
            element.Element("source")?.SetAttributeValue("dir", null);
        }
        FilesystemElement.Apply(element, settings);
        var merged = FilesystemElement.Read(element);
        // A tag the caller did not change may be any legacy value; only check what they asked for.
        if (settings.Tag is not null)
        {
            ShareValidator.ValidateTag(settings.Tag);
        }
        if (merged.SocketPath is not null && settings.SocketPath is not null)
        {
            // Switching to an external daemon: the old libvirt daemon options no longer apply.
            RemoveDaemonOptions(element);
            merged = FilesystemElement.Read(element);
        }
        ShareValidator.Validate(doc, merged, settings, host, self: element);

        var changes = new List<string>(SharedMemoryEnabler.Apply(doc, memory));
        bool memoryChanged = changes.Count > 0;
        var after = FilesystemElement.Read(element);
        changes.AddRange(DescribeChanges(before, after));
        return new DomainEdit(original, doc, changes, memoryChanged, element);
    }

    public static DomainEdit Remove(DomainDocument original, string tag)
    {
        var doc = original.Clone();
        var element = Find(doc, tag);
        var device = new XElement(element);
        XmlLayout.Remove(element);
        return new DomainEdit(original, doc, new[] { $"removed virtio-fs filesystem '{tag}'" }, false, device);
    }

    public static DomainEdit EnableSharedMemory(DomainDocument original, VirtioFsSharedMemoryChoice backing, ulong? hugePageSizeKiB)
    {
        var doc = original.Clone();
        var changes = SharedMemoryEnabler.Apply(doc, backing, hugePageSizeKiB);
        return new DomainEdit(original, doc, changes, changes.Count > 0, null);
    }

    public static XElement Find(DomainDocument doc, string tag)
    {
        var match = doc.Filesystems.FirstOrDefault(fs => FilesystemElement.TagOf(fs) == tag);
        if (match is null)
        {
            throw new VirtioFsException(ErrorIds.ShareNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"Domain '{doc.Name}' has no virtio-fs share with tag '{tag}'.", tag,
                $"List the shares with Get-VirtioFsShare; tags are case-sensitive.");
        }
        if ((string?)match.Element("driver")?.Attribute("type") != "virtiofs")
        {
            throw new VirtioFsException(ErrorIds.NotVirtioFs, VirtioFsErrorKind.InvalidOperation,
                $"The filesystem with tag '{tag}' in domain '{doc.Name}' is not virtio-fs (driver '{(string?)match.Element("driver")?.Attribute("type") ?? "9p default"}').",
                tag, "VirtioFs manages virtio-fs shares only; edit other filesystems with virsh edit.");
        }
        return match;
    }

    /// <summary>Removes the elements that hold the daemon options (&lt;binary&gt;, &lt;idmap&gt;), unknown children included.</summary>
    private static void RemoveDaemonOptions(XElement element)
    {
        foreach (var name in ShareOptions.All.Where(o => o.DaemonOnly).Select(o => o.Slot.Path[0]).Distinct())
        {
            if (element.Element(name) is { } e)
            {
                XmlLayout.Remove(e);
            }
        }
    }

    private static IEnumerable<string> DescribeChanges(VirtioFsShare before, VirtioFsShare after)
    {
        foreach (var p in typeof(VirtioFsShare).GetProperties())
        {
            if (p.Name is nameof(VirtioFsShare.Domain) or nameof(VirtioFsShare.DomainUuid) or nameof(VirtioFsShare.Path)
                or nameof(VirtioFsShare.ConnectionUri) or nameof(VirtioFsShare.SharedMemoryReady) or nameof(VirtioFsShare.DaemonMode))
            {
                continue;
            }
            string Show(object? v) => v switch
            {
                null => "(default)",
                IEnumerable<VirtioFsIdMapEntry> list => list.Any() ? string.Join(",", list) : "(none)",
                _ => v.ToString() ?? string.Empty,
            };
            string a = Show(p.GetValue(before)), b = Show(p.GetValue(after));
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                yield return $"{p.Name}: {a} -> {b}";
            }
        }
    }
}
