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
        ContextRule = PrivilegedLibvirtRule;
    }

    /// <summary>
    /// libvirt passes &lt;idmap&gt; as --uid-map/--gid-map, which put virtiofsd into a user namespace, and virtiofsd
    /// refuses that as root. Measured with libvirt 11.3 and virtiofsd 1.13.2: on qemu:///system the define is
    /// accepted and every start fails ("virtiofsd died unexpectedly"; the daemon's log says "uid_map can only be
    /// used by unprivileged user where sandbox mod is namespace", with --sandbox namespace too), while on
    /// qemu:///session, where libvirt runs it as the user, a guest's root writes files the host sees owned by the
    /// mapped id. As root the same mapping is virtiofsd's own --translate-uid/--translate-gid, which needs a daemon
    /// we run: the fix says exactly how.
    /// </summary>
    internal static OptionProblem? PrivilegedLibvirtRule(VirtioFsShare share, OptionContext context)
    {
        if (share.SocketPath is not null || context.DaemonRunsAsRoot != true)
        {
            return null;
        }
        string Rules(IReadOnlyList<VirtioFsIdMapEntry> map) =>
            string.Join(",", map.Select(e => string.Create(CultureInfo.InvariantCulture, $"map:{e.Start}:{e.Target}:{e.Count}")));
        var parts = new List<string>();
        if (share.UidMap.Count > 0)
        {
            parts.Add("-TranslateUid " + Rules(share.UidMap));
        }
        if (share.GidMap.Count > 0)
        {
            parts.Add("-TranslateGid " + Rules(share.GidMap));
        }
        string source = share.Source is { } s ? Quote(s) : "<dir>";
        return new OptionProblem(ErrorIds.IdMapNeedsUnprivilegedLibvirt,
            $"-UidMap/-GidMap (<idmap>) need a virtiofsd that runs unprivileged, and the libvirt at {context.Uri ?? "this connection"} runs it as root: " +
            "virtiofsd refuses --uid-map/--gid-map as root, so the guest would not start (\"virtiofsd died unexpectedly\"; the daemon's log says \"uid_map can only be used by unprivileged user\").",
            $"Run the daemon yourself with the same mapping and attach its socket: Start-VirtioFsDaemon -SharedDirectory {source} {string.Join(" ", parts)} | " +
            $"New-VirtioFsShare -Domain <vm> -Tag {Quote(share.Tag)}. Or define the domain in qemu:///session (libvirt 10.0+), where libvirt runs virtiofsd as the user and <idmap> works.");
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

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

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
