// SPDX-License-Identifier: MIT
using System;
using System.Diagnostics;
using System.IO;
using VirtioFs.Daemon;

namespace VirtioFs.Tests.Core.Daemon;

/// <summary>Binaries as probing sees them, from recorded outputs (C: the real 7.2 binary; Rust: the fake's answers).</summary>
internal static class DaemonTestBinaries
{
    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    public static VirtioFsDaemonBinary C72() => DaemonBinaryProbe.FromOutputs(
        new DaemonBinaryCandidate("/usr/lib/qemu/virtiofsd", "Descriptor", null),
        File.ReadAllText(Fixture("daemon", "c-7.2-version.txt")),
        File.ReadAllText(Fixture("daemon", "c-7.2-capabilities.json")),
        File.ReadAllText(Fixture("daemon", "c-7.2-help.txt")));

    /// <summary>The fake Rust daemon's real answers (it is run, so its --help stays the single source).</summary>
    public static VirtioFsDaemonBinary Rust(string versionLine = "virtiofsd 1.13.0")
    {
        var fake = Fixture("fake-rust-virtiofsd");
        return DaemonBinaryProbe.FromOutputs(new DaemonBinaryCandidate("/usr/libexec/virtiofsd", "Descriptor", null),
            versionLine, Run(fake, "--print-capabilities"), Run(fake, "--help"));
    }

    public static string Run(string path, string arg)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(path);
        psi.ArgumentList.Add(arg);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
