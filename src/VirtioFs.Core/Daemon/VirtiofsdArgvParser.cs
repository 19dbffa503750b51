// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace VirtioFs.Daemon;

/// <summary>
/// What a virtiofsd argv says, in either dialect: <c>--socket-path=P</c> or <c>--socket-path P</c>,
/// <c>--fd=N</c> (libvirt, Incus, Proxmox), <c>--shared-dir</c> (Rust) or <c>-o source=DIR,...</c>
/// (C, and the Rust daemon's deprecated compat form) with libfuse's <c>\,</c> and <c>\\</c> escapes.
/// </summary>
internal sealed class VirtiofsdArgvParser
{
    public string BinaryPath { get; private init; } = "";
    public IReadOnlyList<string> Arguments { get; private init; } = [];
    public string? SharedDirectory { get; private set; }
    public string? SocketPath { get; private set; }
    public string? SocketGroup { get; private set; }
    public int? FileDescriptor { get; private set; }
    public VirtioFsDaemonDialect Dialect { get; private set; } = VirtioFsDaemonDialect.Unknown;

    /// <summary>Every option seen, <c>-o</c> ones by their name (<c>cache</c>) and flags with dashes (<c>--cache</c>).</summary>
    public Dictionary<string, string?> Options { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Parses a full argv (argv[0] first). Returns null when it is not a virtiofsd command line. Interpreted
    /// daemons (<c>python3 /x/virtiofsd ...</c>) count when argv[1] is the virtiofsd script.
    /// </summary>
    public static VirtiofsdArgvParser? TryParse(IReadOnlyList<string> argv)
    {
        var start = -1;
        if (argv.Count > 0 && IsVirtiofsdName(argv[0]))
        {
            start = 0;
        }
        else if (argv.Count > 1 && IsInterpreter(argv[0]) && IsVirtiofsdName(argv[1]))
        {
            start = 1;
        }
        if (start < 0)
        {
            return null;
        }
        var args = new List<string>();
        for (var i = start + 1; i < argv.Count; i++)
        {
            args.Add(argv[i]);
        }
        var cl = new VirtiofsdArgvParser { BinaryPath = argv[start], Arguments = args };
        cl.Parse(args);
        return cl;
    }

    private static bool IsVirtiofsdName(string arg0) => Path.GetFileName(arg0).Contains("virtiofsd", StringComparison.Ordinal);

    private static bool IsInterpreter(string arg0)
    {
        var n = Path.GetFileName(arg0);
        return n.StartsWith("python", StringComparison.Ordinal) || n is "sh" or "bash" or "dash" or "perl";
    }

    private void Parse(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "-o" && i + 1 < args.Count)
            {
                ParseDashO(args[++i]);
                continue;
            }
            if (a.StartsWith("-o", StringComparison.Ordinal) && !a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                ParseDashO(a[2..]);
                continue;
            }
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            string name;
            string? value = null;
            var eq = a.IndexOf('=');
            if (eq > 0)
            {
                name = a[..eq];
                value = a[(eq + 1)..];
            }
            else
            {
                name = a;
                if (TakesValue(name) && i + 1 < args.Count)
                {
                    value = args[++i];
                }
            }
            Options[name] = value;
            switch (name)
            {
                case "--socket-path" or "--socket":
                    SocketPath = value;
                    break;
                case "--socket-group":
                    SocketGroup = value;
                    break;
                case "--fd":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fd))
                    {
                        FileDescriptor = fd;
                    }
                    break;
                case "--shared-dir":
                    SharedDirectory = value;
                    Dialect = VirtioFsDaemonDialect.Rust;
                    break;
                case "--cache" or "--sandbox" or "--log-level" or "--inode-file-handles" or "--announce-submounts"
                    or "--readonly" or "--translate-uid" or "--translate-gid" or "--xattr" or "--posix-acl":
                    // Flags the C daemon never had.
                    Dialect = VirtioFsDaemonDialect.Rust;
                    break;
            }
        }
    }

    /// <summary>Flags that take a separate value when written without '='.</summary>
    private static bool TakesValue(string flag) => flag is "--socket-path" or "--socket" or "--socket-group" or "--fd"
        or "--shared-dir" or "--thread-pool-size" or "--cache" or "--sandbox" or "--seccomp" or "--xattrmap"
        or "--rlimit-nofile" or "--log-level" or "--inode-file-handles" or "--translate-uid" or "--translate-gid"
        or "--uid-map" or "--gid-map" or "--modcaps" or "--tag" or "--migration-mode" or "--migration-on-error";

    private void ParseDashO(string list)
    {
        foreach (var item in SplitEscaped(list))
        {
            var eq = item.IndexOf('=');
            var key = eq >= 0 ? item[..eq] : item;
            var value = eq >= 0 ? item[(eq + 1)..] : null;
            Options[key] = value;
            if (key == "source")
            {
                SharedDirectory = value;
                if (Dialect == VirtioFsDaemonDialect.Unknown)
                {
                    Dialect = VirtioFsDaemonDialect.C;
                }
            }
        }
    }

    /// <summary>Splits a libfuse option list on unescaped commas and removes the escapes.</summary>
    internal static List<string> SplitEscaped(string list)
    {
        var items = new List<string>();
        var sb = new StringBuilder();
        for (var i = 0; i < list.Length; i++)
        {
            var c = list[i];
            if (c == '\\' && i + 1 < list.Length)
            {
                sb.Append(list[++i]);
            }
            else if (c == ',')
            {
                items.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(c);
            }
        }
        items.Add(sb.ToString());
        items.RemoveAll(s => s.Length == 0);
        return items;
    }
}
