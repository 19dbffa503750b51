// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using VirtioFs.Platform;

namespace VirtioFs.Libvirt;

/// <summary>What a path is on the far side of a connection.</summary>
internal enum RemotePathKind
{
    /// <summary>Could not be looked at (ssh failed, no shell); see <see cref="RemotePath.Reason"/>.</summary>
    Unknown,
    Directory,
    File,
    Missing,
}

/// <summary>A path on another host: what it is, and where its symlinks and '..' lead there.</summary>
internal sealed record RemotePath(RemotePathKind Kind, string? Resolved, string? Reason);

/// <summary>
/// Looks at a path on the host behind a qemu+ssh URI through ssh itself, with what libvirt would use for
/// that URI: its ssh command (command=), user, port and key (keyfile=), host-key choice (no_verify=), and
/// always batch mode, so nothing can prompt. The local file system says nothing about another host, and
/// libvirt has no call that would: a directory that is missing there only shows when the guest starts.
/// </summary>
internal sealed class SshPathProbe
{
    private const string Marker = "virtiofs-probe";

    // Runs under sh on the far side: kind and resolved path on one marked line, whatever the login shell prints.
    private const string Script =
        "p=$1; r=$(readlink -f -- \"$p\" 2>/dev/null); " +
        "if [ -d \"$p\" ]; then k=directory; elif [ -e \"$p\" ]; then k=file; else k=missing; fi; " +
        "printf '" + Marker + " %s %s\\n' \"$k\" \"$r\"";

    private readonly LibvirtUri _uri;
    private readonly Dictionary<string, RemotePath> _seen = new(StringComparer.Ordinal);

    private SshPathProbe(LibvirtUri uri) => _uri = uri;

    /// <summary>How long one look may take, the ssh login included.</summary>
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The far side's host as the URI names it.</summary>
    public string HostName => _uri.Host;

    /// <summary>A probe for <paramref name="uri"/>, or null with the reason when its transport gives no way to look.</summary>
    public static SshPathProbe? For(LibvirtUri uri, out string whyNot)
    {
        if (uri.Transport == "ssh")
        {
            whyNot = string.Empty;
            return new SshPathProbe(uri);
        }
        whyNot = uri.IsSsh
            ? $"{uri.Host} is reached through libvirt's built-in {uri.Transport} client, which this module cannot reuse to look at files; a qemu+ssh URI to the same host is checked through ssh"
            : $"{(uri.Host.Length > 0 ? uri.Host : uri.Text)} is reached over '{(uri.Transport.Length > 0 ? uri.Transport : uri.Scheme)}', which gives no way to look at that host's files";
        return null;
    }

    /// <summary>The ssh command line, as libvirt builds it for the URI, running <see cref="Script"/> for <paramref name="path"/>.</summary>
    public string[] Argv(string path)
    {
        var argv = new List<string> { _uri.Parameter("command") is { Length: > 0 } command ? command : "ssh" };
        if (_uri.Port is int port)
        {
            argv.AddRange(["-p", port.ToString(CultureInfo.InvariantCulture)]);
        }
        if (_uri.User is { Length: > 0 } user)
        {
            argv.AddRange(["-l", user]);
        }
        if (_uri.Parameter("keyfile") is { Length: > 0 } key)
        {
            argv.AddRange(["-i", key]);
        }
        argv.AddRange(["-T", "-e", "none", "-o", "BatchMode=yes"]);
        if (_uri.Parameter("no_verify") == "1")
        {
            argv.AddRange(["-o", "StrictHostKeyChecking=no"]);
        }
        // ssh joins the words after the host into one line for the far side's login shell: quote each for sh.
        argv.AddRange(["--", _uri.Host, $"sh -c {Quote(Script)} {Marker} {Quote(path)}"]);
        return argv.ToArray();
    }

    /// <summary>What <paramref name="path"/> is on the far side; Unknown (with the reason) when ssh could not tell.</summary>
    public RemotePath Probe(string path, CancellationToken ct)
    {
        if (_seen.TryGetValue(path, out var known))
        {
            return known;
        }
        var argv = Argv(path);
        ProgramResult? result;
        try
        {
            result = ProgramRunner.Execute(argv[0], argv[1..], Timeout, ct);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new RemotePath(RemotePathKind.Unknown, null, $"{argv[0]} cannot run: {e.Message}");
        }
        var facts = Parse(result);
        _seen[path] = facts;
        return facts;
    }

    private static RemotePath Parse(ProgramResult? result)
    {
        if (result is null)
        {
            return new RemotePath(RemotePathKind.Unknown, null, $"ssh did not answer within {Timeout.TotalSeconds:0} s");
        }
        var lines = result.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var line = lines.FirstOrDefault(l => l.StartsWith(Marker + " ", StringComparison.Ordinal));
        if (result.ExitCode != 0 || line is null)
        {
            string said = lines.LastOrDefault() ?? "no output";
            return new RemotePath(RemotePathKind.Unknown, null, $"ssh exited with {result.ExitCode}: {said}");
        }
        var parts = line.Split(' ', 3);
        string? resolved = parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null;
        var kind = parts[1] switch
        {
            "directory" => RemotePathKind.Directory,
            "file" => RemotePathKind.File,
            _ => RemotePathKind.Missing,
        };
        return new RemotePath(kind, resolved, null);
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
