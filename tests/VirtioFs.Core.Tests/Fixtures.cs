// SPDX-License-Identifier: MIT
using System;
using System.Diagnostics;
using System.IO;
using VirtioFs.Domain;
using Xunit;

namespace VirtioFs.Tests.Core;

/// <summary>Access to tests/fixtures and to libvirt's schema validator.</summary>
internal static class Fixtures
{
    public static string DomainsDir => Path.Combine(AppContext.BaseDirectory, "fixtures", "domains");

    public static string Text(string name) => File.ReadAllText(Path.Combine(DomainsDir, name));

    public static DomainDocument Load(string name) => DomainDocument.Parse(Text(name), name);

    public static string[] AllDomainFiles => Directory.GetFiles(DomainsDir, "*.xml");

    /// <summary>A host context that does not look at this machine's paths and knows no libvirt version.</summary>
    public static readonly HostContext NoHostChecks = new(checkHostPaths: false, libvirtVersion: null);

    public static ShareSettings Share(string tag = "data", string source = "/srv/data") => new() { Tag = tag, Source = source };

    /// <summary>Runs virt-xml-validate (libvirt-clients) on the XML; fails the test with its output if invalid.</summary>
    public static void AssertValidDomain(string xml)
    {
        const string tool = "/usr/bin/virt-xml-validate";
        Assert.True(File.Exists(tool), "virt-xml-validate is missing: apt-get install libvirt-clients libxml2-utils");
        string file = Path.Combine(Path.GetTempPath(), $"vfs-validate-{Guid.NewGuid():N}.xml");
        File.WriteAllText(file, xml);
        try
        {
            var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(file);
            psi.ArgumentList.Add("domain");
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"virt-xml-validate rejected the XML:\n{output}\n{xml}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
