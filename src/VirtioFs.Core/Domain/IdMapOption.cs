// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Domain;

/// <summary>
/// &lt;idmap&gt;&lt;uid start target count/&gt;&lt;gid .../&gt;&lt;/idmap&gt;: two options in one element, rebuilt
/// uid ranges first as libvirt writes them, keeping the other kind's ranges.
/// </summary>
internal sealed class IdMapOption : ShareOption
{
    private readonly string _kind;

    public IdMapOption(string name, string kind,
        Func<ShareSettings, IReadOnlyList<VirtioFsIdMapEntry>?> asked, Action<ShareSettings, IReadOnlyList<VirtioFsIdMapEntry>?> setAsked,
        Func<VirtioFsShare, IReadOnlyList<VirtioFsIdMapEntry>> value, Action<VirtioFsShare, IReadOnlyList<VirtioFsIdMapEntry>> setValue)
        : base(name, XmlSlot.At("idmap/" + kind),
            s => asked(s), (s, v) => setAsked(s, (IReadOnlyList<VirtioFsIdMapEntry>?)v),
            x => value(x), (x, v) => setValue(x, (IReadOnlyList<VirtioFsIdMapEntry>)v!))
    {
        _kind = kind;
        DaemonOnly = true;
        LibvirtSince = new Version(10, 0, 0);
        Xml = "<idmap>";
        // Only the Rust virtiofsd maps IDs (--uid-map/--gid-map); the C daemon has no such option.
        Dialects = DaemonDialects.Rust;
        DialectErrorId = ErrorIds.IdMapNeedsRustVirtiofsd;
    }

    public override bool IsUsed(VirtioFsShare share) => ValueOf(share) is IReadOnlyList<VirtioFsIdMapEntry> { Count: > 0 };

    public override void Read(System.Xml.Linq.XElement fs, VirtioFsShare share) => SetValue(share, ReadRanges(fs.Element("idmap"), _kind));

    public override void Write(System.Xml.Linq.XElement fs, ShareSettings s)
    {
        var asked = (IReadOnlyList<VirtioFsIdMapEntry>?)Asked(s);
        if (asked is null && !s.Reset.Contains(Name))
        {
            return;
        }
        var existing = fs.Element("idmap");
        var mine = asked ?? Array.Empty<VirtioFsIdMapEntry>();
        string other = _kind == "uid" ? "gid" : "uid";
        var theirs = ReadRanges(existing, other);
        var uids = _kind == "uid" ? mine : theirs;
        var gids = _kind == "gid" ? mine : theirs;
        var idmap = new System.Xml.Linq.XElement("idmap", uids.Select(e => Range("uid", e)), gids.Select(e => Range("gid", e)));
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
            XmlLayout.InsertOrdered(fs, idmap, FilesystemElement.ChildOrder);
        }
    }

    public override void Remove(System.Xml.Linq.XElement fs)
    {
        var s = new ShareSettings();
        s.Reset.Add(Name);
        Write(fs, s);
    }

    private void SetValue(VirtioFsShare share, IReadOnlyList<VirtioFsIdMapEntry> value)
    {
        if (_kind == "uid")
        {
            share.UidMap = value;
        }
        else
        {
            share.GidMap = value;
        }
    }

    private static System.Xml.Linq.XElement Range(string kind, VirtioFsIdMapEntry e) =>
        new(kind, new System.Xml.Linq.XAttribute("start", e.Start), new System.Xml.Linq.XAttribute("target", e.Target), new System.Xml.Linq.XAttribute("count", e.Count));

    internal static IReadOnlyList<VirtioFsIdMapEntry> ReadRanges(System.Xml.Linq.XElement? idmap, string kind)
    {
        if (idmap is null)
        {
            return Array.Empty<VirtioFsIdMapEntry>();
        }
        var list = new List<VirtioFsIdMapEntry>();
        foreach (var e in idmap.Elements(kind))
        {
            if (uint.TryParse((string?)e.Attribute("start"), NumberStyles.None, CultureInfo.InvariantCulture, out uint start)
                && uint.TryParse((string?)e.Attribute("target"), NumberStyles.None, CultureInfo.InvariantCulture, out uint target)
                && uint.TryParse((string?)e.Attribute("count"), NumberStyles.None, CultureInfo.InvariantCulture, out uint count))
            {
                list.Add(new VirtioFsIdMapEntry(start, target, count));
            }
        }
        return list;
    }
}
