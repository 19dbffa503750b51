// SPDX-License-Identifier: MIT
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace VirtioFs.Daemon;

/// <summary>What libvirt's file naming tells about one of its virtiofsd processes.</summary>
internal sealed record LibvirtDaemonInfo(string Domain, string Alias, string? SocketPath, string? PidFile, string? LogPath);

/// <summary>
/// Recognises libvirt's virtiofsd from the files libvirt names after the domain (libvirt 9, system instance):
/// socket /var/lib/libvirt/qemu/domain-&lt;id&gt;-&lt;short name&gt;/fsN-fs.sock (passed as --fd), pid file
/// /run/libvirt/qemu/&lt;id&gt;-&lt;short name&gt;-fsN-fs.pid, log /var/log/libvirt/qemu/&lt;name&gt;-fsN-virtiofsd.log.
/// The short name is cut to 20 characters, so the full name comes from the log file when one matches.
/// </summary>
internal static partial class LibvirtDaemonNaming
{
    public static LibvirtDaemonInfo? Derive(DaemonHost host, int pid, string? socketPath)
    {
        string? shortName = null;
        string? alias = null;
        string? pidFile = null;
        if (socketPath is not null)
        {
            var m = SocketRegex().Match(socketPath);
            if (m.Success)
            {
                shortName = m.Groups[2].Value;
                alias = m.Groups[3].Value;
            }
        }
        var pidDir = host.Root.Path("/run/libvirt/qemu");
        if (Directory.Exists(pidDir))
        {
            foreach (var file in Directory.EnumerateFiles(pidDir, "*-fs.pid"))
            {
                string text;
                try
                {
                    text = File.ReadAllText(file).Trim();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                if (text != pid.ToString(CultureInfo.InvariantCulture))
                {
                    continue;
                }
                var m = PidFileRegex().Match(Path.GetFileName(file));
                if (m.Success)
                {
                    pidFile = file;
                    shortName ??= m.Groups[2].Value;
                    alias ??= m.Groups[3].Value;
                }
            }
        }
        if (shortName is null || alias is null)
        {
            return null;
        }
        var name = shortName;
        string? log = null;
        var logDir = host.Root.Path("/var/log/libvirt/qemu");
        var suffix = $"-{alias}-virtiofsd.log";
        if (File.Exists(Path.Combine(logDir, shortName + suffix)))
        {
            log = Path.Combine(logDir, shortName + suffix);
        }
        else if (Directory.Exists(logDir))
        {
            var matches = Directory.EnumerateFiles(logDir, "*" + suffix)
                .Where(f => Path.GetFileName(f).StartsWith(shortName, StringComparison.Ordinal)).ToList();
            if (matches.Count == 1)
            {
                log = matches[0];
                var file = Path.GetFileName(log);
                name = file[..^suffix.Length];
            }
        }
        return new LibvirtDaemonInfo(name, alias, socketPath, pidFile, log);
    }

    [GeneratedRegex(@"^/var/lib/libvirt/qemu/domain-(\d+)-(.+)/(fs\d+)-fs\.sock$")]
    private static partial Regex SocketRegex();

    [GeneratedRegex(@"^(\d+)-(.+)-(fs\d+)-fs\.pid$")]
    private static partial Regex PidFileRegex();
}
