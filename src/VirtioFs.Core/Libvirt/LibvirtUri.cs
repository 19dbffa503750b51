// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;

namespace VirtioFs.Libvirt;

/// <summary>
/// A libvirt connection URI taken apart: driver+transport://user@host:port/path?param=value. Used to tell
/// this host from another one, to reach the far side's file system over the same ssh, and to add the
/// parameters that keep a connection from ever prompting.
/// </summary>
internal sealed class LibvirtUri
{
    private LibvirtUri(string text, string scheme, string? user, string host, int? port, string path, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        Text = text;
        Scheme = scheme;
        User = user;
        Host = host;
        Port = port;
        Path = path;
        Parameters = parameters;
    }

    public string Text { get; }

    /// <summary>qemu, qemu+ssh, qemu+libssh, qemu+unix, test ...</summary>
    public string Scheme { get; }

    /// <summary>After the '+': ssh, libssh, libssh2, tcp, tls, unix, ext; empty for the default.</summary>
    public string Transport => Scheme.Contains('+', StringComparison.Ordinal) ? Scheme[(Scheme.IndexOf('+', StringComparison.Ordinal) + 1)..] : string.Empty;

    public string? User { get; }

    /// <summary>The host part without brackets, lower case; empty for a local URI.</summary>
    public string Host { get; }

    public int? Port { get; }

    /// <summary>/system, /session ...</summary>
    public string Path { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }

    public string? Parameter(string name) => Parameters.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>ssh, libssh and libssh2 reach the host through SSH.</summary>
    public bool IsSsh => Transport is "ssh" or "libssh" or "libssh2";

    /// <summary>
    /// True when the URI names this machine: no host part, or localhost / 127.0.0.1 / ::1 without a port.
    /// A loopback address with a port is usually a tunnel to another machine, and any other host name is
    /// taken for another host (a name that happens to resolve here is still treated as remote, which
    /// errs on the safe side: nothing of this host's files is trusted for it).
    /// </summary>
    public bool IsThisHost => Host.Length == 0 || (Port is null && Host is "localhost" or "127.0.0.1" or "::1");

    /// <summary>Privileged libvirt (qemu:///system) runs virtiofsd as root; /session as the user.</summary>
    public bool IsSession => Path.TrimEnd('/').EndsWith("/session", StringComparison.Ordinal);

    public static LibvirtUri Parse(string uri)
    {
        int sep = uri.IndexOf("://", StringComparison.Ordinal);
        if (sep < 0)
        {
            return new LibvirtUri(uri, uri, null, string.Empty, null, string.Empty, []);
        }
        string scheme = uri[..sep];
        string rest = uri[(sep + 3)..];
        string query = string.Empty;
        int q = rest.IndexOf('?');
        if (q >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }
        int slash = rest.IndexOf('/');
        string authority = slash >= 0 ? rest[..slash] : rest;
        string path = slash >= 0 ? rest[slash..] : string.Empty;
        string? user = null;
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            user = Uri.UnescapeDataString(authority[..at]);
            authority = authority[(at + 1)..];
        }
        string host = authority;
        int? port = null;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            host = close > 0 ? authority[1..close] : authority.Trim('[', ']');
            if (close > 0 && close + 1 < authority.Length && authority[close + 1] == ':' && int.TryParse(authority[(close + 2)..], out int p6))
            {
                port = p6;
            }
        }
        else if (authority.LastIndexOf(':') is int colon and >= 0 && authority.IndexOf(':') == colon)
        {
            host = authority[..colon];
            if (int.TryParse(authority[(colon + 1)..], out int p4))
            {
                port = p4;
            }
        }
        var parameters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : string.Empty))
            .ToList();
        return new LibvirtUri(uri, scheme.ToLowerInvariant(), user, host.ToLowerInvariant(), port, path, parameters);
    }

    /// <summary>
    /// The URI libvirt is given: for the ssh transport, no_tty=1 is added when the URI does not say, so ssh
    /// runs in batch mode and never waits on a terminal for a password or a host key (with a terminal ssh
    /// reads /dev/tty even when stdin is closed). Other URIs are passed as they are.
    /// </summary>
    public string ForLibvirt() =>
        Transport == "ssh" && Parameter("no_tty") is null
            ? Text + (Text.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "no_tty=1"
            : Text;
}
