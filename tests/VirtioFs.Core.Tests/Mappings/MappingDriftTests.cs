// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Mappings;
using Xunit;

namespace VirtioFs.Tests.Core.Mappings;

/// <summary>
/// Desired state on domain documents: the managed marker survives libvirt's layout, drift is Missing,
/// Different or Extra for exactly what the declaration says, and the edit that removes it changes nothing
/// else and leaves no drift behind.
/// </summary>
public sealed class MappingDriftTests
{
    private const string Host = "kvm1";
    private const string Uri = "qemu+ssh://root@kvm1/system";

    private static MappingDocument Declaration(Action<MappingEntry>? data = null, params (string Mapping, string Domain)[] assignments)
    {
        var doc = new MappingDocument();
        foreach (var name in new[] { "data", "media", "logs" })
        {
            var e = new MappingEntry(name);
            e.Paths[Host] = "/srv/" + name;
            e.Paths["localhost"] = "/local/" + name;
            doc.Mappings[name] = e;
        }
        data?.Invoke(doc.Mappings["data"]);
        foreach (var (m, d) in assignments)
        {
            doc.Assignments.Add(new MappingAssignment(m, Uri, d));
        }
        return doc;
    }

    private static MappingHostPlan Plan(MappingDocument doc) => new(doc, "m.json", Uri, _ => true);

    private static IReadOnlyList<ShareDrift> Drift(DomainDocument dom, MappingHostPlan plan) =>
        MappingDrift.Compare(dom, plan.For(dom.Name), plan.Host, plan.Ours);

    /// <summary>Applies every drift's edit, as Sync does, one define each.</summary>
    private static DomainDocument SyncAll(DomainDocument dom, MappingHostPlan plan, bool prune)
    {
        foreach (var d in Drift(dom, plan).Where(d => d.Kind is not null))
        {
            dom = MappingSyncEdit.Build(dom, d.Tag, plan, dom.Name, prune, Fixtures.NoHostChecks).After;
        }
        return dom;
    }

    [Fact]
    public void TheMarkerIsWrittenIntoMetadataAndReadBack()
    {
        var dom = Fixtures.Load("pc-minimal.xml");
        Assert.True(ManagedShareMarker.Mark(dom, "data", new ShareMark("data", Host)));
        Assert.False(ManagedShareMarker.Mark(dom, "data", new ShareMark("data", Host)));
        Assert.True(ManagedShareMarker.Mark(dom, "logs", new ShareMark("logs", Host)));
        string xml = dom.ToXml();
        Assert.Contains("  <metadata>\n    <virtiofs:shares xmlns:virtiofs='urn:virtiofs-powershell:mappings:1'>\n      <virtiofs:share tag='data' mapping='data' host='kvm1'/>\n      <virtiofs:share tag='logs' mapping='logs' host='kvm1'/>\n    </virtiofs:shares>\n  </metadata>\n", xml);
        Fixtures.AssertValidDomain(xml);
        var back = ManagedShareMarker.Read(DomainDocument.Parse(xml, "x"));
        Assert.Equal(new ShareMark("data", Host), back["data"]);

        Assert.True(ManagedShareMarker.Unmark(dom, "data"));
        Assert.True(ManagedShareMarker.Unmark(dom, "logs"));
        Assert.False(ManagedShareMarker.Unmark(dom, "logs"));
        Assert.Equal(Fixtures.Text("pc-minimal.xml"), dom.ToXml());
    }

    [Fact]
    public void ANewMarkerLineIsQuotedLikeTheLinesLibvirtWroteBack()
    {
        var dom = Fixtures.Load("pc-minimal.xml");
        ManagedShareMarker.Mark(dom, "data", new ShareMark("data", Host));
        // What libvirt returns after the define: its metadata with double quotes.
        dom = DomainDocument.Parse(dom.ToXml().Replace("tag='data' mapping='data' host='kvm1'", "tag=\"data\" mapping=\"data\" host=\"kvm1\"", StringComparison.Ordinal)
            .Replace("xmlns:virtiofs='urn:virtiofs-powershell:mappings:1'", "xmlns:virtiofs=\"urn:virtiofs-powershell:mappings:1\"", StringComparison.Ordinal), "x");
        ManagedShareMarker.Mark(dom, "logs", new ShareMark("logs", Host));
        Assert.Contains("<virtiofs:share tag=\"logs\" mapping=\"logs\" host=\"kvm1\"/>", dom.ToXml());
    }

    [Fact]
    public void TheMarkerSharesMetadataWithOthers()
    {
        var dom = Fixtures.Load("q35-full.xml");
        ManagedShareMarker.Mark(dom, "legacy", new ShareMark("data", Host));
        string xml = dom.ToXml();
        Assert.Contains("</libosinfo:libosinfo>\n    <virtiofs:shares", xml);
        ManagedShareMarker.Unmark(dom, "legacy");
        Assert.Equal(Fixtures.Text("q35-full.xml"), dom.ToXml());
    }

    [Fact]
    public void AMissingShareIsAddedWithItsOptionsAndMarkedAndThenThereIsNoDrift()
    {
        var doc = Declaration(d => { d.Options["Cache"] = VirtioFsCacheMode.Always; d.Options["ReadOnly"] = true; }, ("data", "pc-*"));
        var plan = Plan(doc);
        var dom = Fixtures.Load("pc-minimal.xml");
        var drift = Assert.Single(Drift(dom, plan));
        Assert.Equal(VirtioFsMappingDriftKind.Missing, drift.Kind);
        Assert.Contains("Source: (none) -> /srv/data", drift.Differences);
        Assert.Contains("Cache: (default) -> Always", drift.Differences);
        Assert.Contains("ManagedBy: (none) -> data (kvm1)", drift.Differences);

        var edit = MappingSyncEdit.Build(dom, "data", plan, dom.Name, prune: false, Fixtures.NoHostChecks);
        var share = Assert.Single(ShareEditor.List(edit.After));
        Assert.Equal("/srv/data", share.Source);
        Assert.Equal(VirtioFsCacheMode.Always, share.Cache);
        Assert.True(share.ReadOnly);
        Assert.True(share.SharedMemoryReady);
        Assert.NotNull(edit.Device); // hot-plugged into a running guest, as New-VirtioFsShare does
        Assert.Equal(new ShareMark("data", Host), ManagedShareMarker.Read(edit.After)["data"]);
        Fixtures.AssertValidDomain(edit.NewXml);
        Assert.All(Drift(edit.After, plan), d => Assert.Null(d.Kind));
    }

    [Fact]
    public void ADifferentShareGetsOnlyTheDifferingOptions()
    {
        var doc = Declaration(d => { d.Options["Cache"] = VirtioFsCacheMode.None; d.Options["QueueSize"] = 1024; d.Options["Xattr"] = false; }, ("data", "multi01"));
        var plan = Plan(doc);
        var dom = Fixtures.Load("several-filesystems.xml");
        var drift = Drift(dom, plan).Single(d => d.Tag == "data");
        Assert.Equal(VirtioFsMappingDriftKind.Different, drift.Kind);
        // Queue 1024 already matches; sandbox, locks and thread pool are not the mapping's business.
        Assert.Equal(["Xattr: True -> False", "Cache: Always -> None", "ManagedBy: (none) -> data (kvm1)"], drift.Differences);

        var edit = MappingSyncEdit.Build(dom, "data", plan, dom.Name, prune: false, Fixtures.NoHostChecks);
        var changed = edit.Diff("x").Split('\n').Where(l => (l.StartsWith('-') || l.StartsWith('+')) && !l.StartsWith("---") && !l.StartsWith("+++")).ToList();
        Assert.Equal(2, changed.Count(l => l.StartsWith('-')));
        Assert.Contains("-      <binary path='/usr/lib/qemu/virtiofsd' xattr='on'>", changed);
        Assert.Contains("-        <cache mode='always'/>", changed);
        var after = ShareEditor.List(edit.After).Single(s => s.Tag == "data");
        Assert.Equal(16, after.ThreadPoolSize);
        Assert.Equal("pci 0000:07:00.0", after.Address);
        Assert.All(Drift(edit.After, plan), d => Assert.Null(d.Kind));
        Assert.False(edit.OnlyMetadata); // the share itself changes: that one does wait for a boot
    }

    [Fact]
    public void AnUnmarkedMatchingShareIsAdoptedByMarkingItOnly()
    {
        var plan = Plan(Declaration(null, ("data", "multi01")));
        var dom = Fixtures.Load("several-filesystems.xml");
        var drift = Drift(dom, plan).Single();
        Assert.Equal(VirtioFsMappingDriftKind.Different, drift.Kind);
        Assert.False(drift.ShareDiffers);
        var edit = MappingSyncEdit.Build(dom, "data", plan, dom.Name, prune: false, Fixtures.NoHostChecks);
        Assert.Equal(["marked 'data' as made from mapping 'data' for host 'kvm1'"], edit.Changes);
        Assert.DoesNotContain(edit.Diff("x").Split('\n'), l => l.StartsWith('-') && !l.StartsWith("---"));
        Assert.Equal(ShareEditor.List(dom).Select(s => s.ToString()), ShareEditor.List(edit.After).Select(s => s.ToString()));
        Assert.True(edit.OnlyMetadata); // no "applies at its next boot" warning for a running guest
    }

    [Fact]
    public void ASocketShareGetsTheMappingsDirectory()
    {
        var plan = Plan(Declaration(null, ("media", "multi01")));
        var dom = Fixtures.Load("several-filesystems.xml");
        var drift = Drift(dom, plan).Single();
        Assert.Contains("Source: socket /run/virtiofs/media.sock -> /srv/media", drift.Differences);
        var edit = MappingSyncEdit.Build(dom, "media", plan, dom.Name, prune: false, Fixtures.NoHostChecks);
        var media = ShareEditor.List(edit.After).Single(s => s.Tag == "media");
        Assert.Equal("/srv/media", media.Source);
        Assert.Null(media.SocketPath);
    }

    [Fact]
    public void AnExtraShareIsOnlyOneThisFileMarkedForThisHostAndGoesOnlyWithPrune()
    {
        var doc = Declaration(null, ("data", "pc-minimal"), ("logs", "pc-minimal"));
        var dom = SyncAll(Fixtures.Load("pc-minimal.xml"), Plan(doc), prune: false);
        Assert.Equal(["data", "logs"], ShareEditor.List(dom).Select(s => s.Tag));
        // A share by hand, and one marked by another file (a mapping this file does not have).
        dom = ShareEditor.Add(dom, Fixtures.Share("hand", "/srv/hand"), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks).After;
        dom = MappingSyncEdit.Marked(ShareEditor.Add(dom, Fixtures.Share("other", "/srv/o"), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks),
            "other", new ShareMark("not-in-this-file", Host)).After;

        doc.Assignments.RemoveAll(a => a.Mapping == "logs");
        var plan = Plan(doc);
        var extra = Drift(dom, plan).Single(d => d.Kind is not null);
        Assert.Equal(("logs", VirtioFsMappingDriftKind.Extra), (extra.Tag, extra.Kind!.Value));

        // Seen through another host's connection (one libvirtd, several names; a migrated guest): not ours there.
        var elsewhere = new MappingHostPlan(doc, "m.json", "qemu+ssh://root@kvm2/system", _ => true);
        Assert.Empty(MappingDrift.Compare(dom, elsewhere.For(dom.Name), elsewhere.Host, elsewhere.Ours));
        // Not selected by -Name: not looked at.
        var onlyData = new MappingHostPlan(doc, "m.json", Uri, n => n == "data");
        Assert.All(MappingDrift.Compare(dom, onlyData.For(dom.Name), onlyData.Host, onlyData.Ours), d => Assert.Null(d.Kind));

        Assert.Equal(dom.ToXml(), MappingSyncEdit.Build(dom, "logs", plan, dom.Name, prune: false, Fixtures.NoHostChecks).NewXml);
        var pruned = MappingSyncEdit.Build(dom, "logs", plan, dom.Name, prune: true, Fixtures.NoHostChecks);
        Assert.Equal(["data", "hand", "other"], ShareEditor.List(pruned.After).Select(s => s.Tag));
        Assert.False(ManagedShareMarker.Read(pruned.After).ContainsKey("logs"));
        Assert.All(Drift(pruned.After, plan), d => Assert.Null(d.Kind));
    }

    [Fact]
    public void TheHostPlanReportsWhatCannotBeMetAndMatchesPatterns()
    {
        var doc = Declaration(null, ("data", "web*"), ("data", "db[12]"), ("media", "db1"), ("gone", "x"));
        doc.Mappings["media"].Paths.Remove(Host);
        var plan = Plan(doc);
        Assert.Equal([ErrorIds.MappingHostMissing, ErrorIds.MappingNotFound], plan.Problems.Select(p => p.ErrorId).Order());
        Assert.Equal(["data"], plan.For("web01").Select(s => s.Tag));
        Assert.Equal("/srv/data", plan.For("db2").Single().Directory);
        Assert.Empty(plan.For("db3"));
        Assert.Empty(plan.For("Web01"));
        Assert.Empty(plan.NamedDomains);
    }

    [Theory]
    [InlineData("web*", "web01", true)]
    [InlineData("web*", "db", false)]
    [InlineData("w?b", "web", true)]
    [InlineData("db[12]", "db2", true)]
    [InlineData("db[1-3]", "db3", true)]
    [InlineData("db[12]", "db3", false)]
    [InlineData("a.b", "aXb", false)]
    [InlineData("a+b", "a+b", true)]
    [InlineData("Web", "web", false)]
    public void DomainPatternsAreGlobs(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, new DomainPattern(pattern).Matches(name));
    }
}
