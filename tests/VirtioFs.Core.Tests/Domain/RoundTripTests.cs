// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VirtioFs.Domain;
using VirtioFs.Errors;
using Xunit;

namespace VirtioFs.Tests.Core.Domain;

public class RoundTripTests
{
    public static IEnumerable<object[]> DomainFiles() =>
        Fixtures.AllDomainFiles.Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(DomainFiles))]
    public void Load_and_save_without_edits_is_byte_identical(string file)
    {
        string original = Fixtures.Text(file);
        Assert.Equal(original, Fixtures.Load(file).ToXml());
    }

    [Theory]
    [MemberData(nameof(DomainFiles))]
    public void Every_fixture_is_valid_for_libvirt(string file) => Fixtures.AssertValidDomain(Fixtures.Text(file));

    [Fact]
    public void Double_quoted_attributes_keep_their_quotes()
    {
        const string xml = "<domain type=\"kvm\">\n  <name>dq</name>\n  <memory unit=\"MiB\">64</memory>\n  <devices>\n  </devices>\n</domain>\n";
        var doc = DomainDocument.Parse(xml, "dq");
        var edit = ShareEditor.Add(doc, Fixtures.Share(), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks);
        Assert.Contains("<memory unit=\"MiB\">64</memory>", edit.NewXml);
        Assert.StartsWith("<domain type=\"kvm\">", edit.NewXml);
    }

    [Fact]
    public void Xml_declaration_and_comments_survive_an_edit()
    {
        string xml = "<?xml version='1.0' encoding='UTF-8'?>\n<!-- keep me -->\n<domain type='qemu'>\n  <name>d</name>\n  <memory>65536</memory>\n  <devices>\n    <!-- device comment -->\n  </devices>\n</domain>\n";
        var edit = ShareEditor.Add(DomainDocument.Parse(xml, "d"), Fixtures.Share(), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks);
        Assert.StartsWith("<?xml version='1.0' encoding='UTF-8'?>\n<!-- keep me -->\n<domain type='qemu'>", edit.NewXml);
        Assert.Contains("<!-- device comment -->", edit.NewXml);
    }

    [Theory]
    [InlineData("")]
    [InlineData("<domain><name>x</name>")]
    [InlineData("not xml at all")]
    public void Malformed_xml_is_a_clear_error(string xml)
    {
        var e = Assert.Throws<VirtioFsException>(() => DomainDocument.Parse(xml, "bad.xml"));
        Assert.Equal("MalformedDomainXml", e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.InvalidData, e.Kind);
        Assert.Equal("bad.xml", e.Target);
    }

    [Fact]
    public void A_non_domain_document_is_refused()
    {
        var e = Assert.Throws<VirtioFsException>(() => DomainDocument.Parse("<network><name>n</name></network>", "net.xml"));
        Assert.Equal("NotADomainXml", e.ErrorId);
    }

    [Fact]
    public void Crlf_line_ends_and_tab_indentation_are_kept()
    {
        string xml = "<domain type='kvm'>\r\n\t<name>w</name>\r\n\t<memory>65536</memory>\r\n\t<devices>\r\n\t\t<emulator>/usr/bin/qemu-system-x86_64</emulator>\r\n\t</devices>\r\n</domain>\r\n";
        var doc = DomainDocument.Parse(xml, "w");
        Assert.Equal(xml, doc.ToXml());
        var edit = ShareEditor.Add(doc, Fixtures.Share(), "passthrough", VirtioFsSharedMemoryChoice.Auto, null, Fixtures.NoHostChecks);
        Assert.Contains("\r\n\t\t<filesystem type='mount' accessmode='passthrough'>\r\n\t\t\t<driver type='virtiofs'/>", edit.NewXml);
        Assert.Contains("\r\n\t<memoryBacking>\r\n\t\t<source type='memfd'/>", edit.NewXml);
        Assert.DoesNotContain("\r\r", edit.NewXml);
        Assert.Equal(edit.NewXml.Split('\n').Length - 1, edit.NewXml.Split("\r\n").Length - 1);
    }
}
