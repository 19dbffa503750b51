// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.Daemon;

/// <summary>
/// Turns <see cref="DaemonOptions"/> into the argv of one dialect and refuses, before anything starts,
/// every option the chosen binary cannot take. Each refusal names the option and the binary.
/// </summary>
internal static class VirtiofsdArgvBuilder
{
    /// <summary>The Rust virtiofsd that brought migration (--migration-mode, --migration-on-error, --migration-verify-handles).</summary>
    public const string MigrationSince = "1.11.0";

    public static IReadOnlyList<string> Build(DaemonOptions o, VirtioFsDaemonBinary binary) => binary.Dialect switch
    {
        VirtioFsDaemonDialect.C => BuildC(o, binary),
        VirtioFsDaemonDialect.Rust => BuildRust(o, binary),
        _ => throw new VirtioFsException(ErrorIds.DaemonProbeFailed, VirtioFsErrorKind.InvalidResult,
            $"Cannot tell whether '{binary.Path}' is the C or the Rust virtiofsd: it answered neither --print-capabilities nor --help in a known way.",
            binary.Path, "Pass -BinaryPath with a working virtiofsd."),
    };

    /// <summary>libfuse's option parser treats '\' as an escape and ',' as a separator inside one -o.</summary>
    public static string EscapeCOption(string value)
    {
        var sb = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '\\' or ',')
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static IReadOnlyList<string> BuildC(DaemonOptions o, VirtioFsDaemonBinary b)
    {
        var argv = new List<string>();
        void Flag(string name, string? value, string what)
        {
            Require(b, name, what);
            argv.Add(value is null ? name : $"{name}={value}");
        }
        void Opt(string name, string? value, string what)
        {
            Require(b, name, what);
            argv.Add("-o");
            argv.Add(value is null ? name : $"{name}={EscapeCOption(value)}");
        }

        Flag("--socket-path", o.SocketPath, "-SocketPath");
        if (!string.IsNullOrEmpty(o.SocketGroup))
        {
            Flag("--socket-group", o.SocketGroup, "-SocketGroup");
        }
        Opt("source", o.SharedDirectory, "-SharedDirectory");
        if (o.Cache is { } cache)
        {
            var value = cache switch
            {
                VirtioFsDaemonCacheMode.Auto => "auto",
                VirtioFsDaemonCacheMode.Always => "always",
                VirtioFsDaemonCacheMode.Never => "none",
                _ => throw Unsupported(b, "-Cache Metadata", "the C virtiofsd knows only cache=none, auto and always",
                    "Use -Cache Never, Auto or Always, or install the Rust virtiofsd."),
            };
            Opt("cache", value, "-Cache");
        }
        if (o.Xattr is { } xattr)
        {
            Opt(xattr ? "xattr" : "no_xattr", null, "-Xattr");
        }
        if (o.PosixAcl is { } acl)
        {
            Opt(acl ? "posix_acl" : "no_posix_acl", null, "-PosixAcl");
        }
        if (o.Sandbox is { } sandbox)
        {
            if (sandbox == VirtioFsDaemonSandboxMode.None)
            {
                throw Unsupported(b, "-Sandbox None", "the C virtiofsd knows only sandbox=namespace and chroot",
                    "Use -Sandbox Chroot (containers) or Namespace.");
            }
            Opt("sandbox", sandbox == VirtioFsDaemonSandboxMode.Chroot ? "chroot" : "namespace", "-Sandbox");
        }
        if (o.ThreadPoolSize is { } pool)
        {
            Flag("--thread-pool-size", pool.ToString(CultureInfo.InvariantCulture), "-ThreadPoolSize");
        }
        if (o.InodeFileHandles is not null)
        {
            throw Unsupported(b, "-InodeFileHandles", "inode file handles (--inode-file-handles) exist only in the Rust virtiofsd",
                "Drop -InodeFileHandles or install the Rust virtiofsd.");
        }
        if (o.AnnounceSubmounts is { } announce)
        {
            // The C daemon has no negative form; its default is off, so 'false' needs no argument.
            if (announce)
            {
                Opt("announce_submounts", null, "-AnnounceSubmounts");
            }
        }
        if (o.ReadOnly)
        {
            throw Unsupported(b, "-ReadOnly", "read-only shares (--readonly) need the Rust virtiofsd 1.13 or later",
                "Use <readonly/> in the domain XML, or install the Rust virtiofsd >= 1.13.");
        }
        if (o.AllowDirectIo is { } dio)
        {
            Opt(dio ? "allow_direct_io" : "no_allow_direct_io", null, "-AllowDirectIo");
        }
        if (o.Writeback is { } wb)
        {
            Opt(wb ? "writeback" : "no_writeback", null, "-Writeback");
        }
        if (o.XattrMap is { } map)
        {
            Opt("xattrmap", map, "-XattrMap");
        }
        if (o.TranslateUid.Count > 0 || o.TranslateGid.Count > 0)
        {
            throw Unsupported(b, o.TranslateUid.Count > 0 ? "-TranslateUid" : "-TranslateGid",
                "in-daemon UID/GID translation (--translate-uid/--translate-gid) needs the Rust virtiofsd 1.13 or later",
                "Install the Rust virtiofsd >= 1.13, or use libvirt's <idmap>.");
        }
        if (o.RlimitNofile is { } nofile)
        {
            Flag("--rlimit-nofile", nofile.ToString(CultureInfo.InvariantCulture), "-RlimitNofile");
        }
        if (o.MigrationMode is not null || o.MigrationOnError is not null || o.MigrationVerifyHandles)
        {
            throw Unsupported(b, o.MigrationMode is not null ? "-MigrationMode" : o.MigrationOnError is not null ? "-MigrationOnError" : "-MigrationVerifyHandles",
                $"the C virtiofsd cannot migrate (migration needs the Rust virtiofsd {MigrationSince} or later)",
                "Install the Rust virtiofsd (Debian 13: apt-get install virtiofsd) and pass it as -BinaryPath, or drop the migration options.");
        }
        if (o.LogLevel is { } level)
        {
            var value = level switch
            {
                VirtioFsLogLevel.Error => "err",
                VirtioFsLogLevel.Warn => "warn",
                VirtioFsLogLevel.Info => "info",
                VirtioFsLogLevel.Debug => "debug",
                _ => throw Unsupported(b, $"-LogLevel {level}", "the C virtiofsd knows only log_level=debug, info, warn and err",
                    "Use -LogLevel Debug, Info, Warn or Error."),
            };
            Opt("log_level", value, "-LogLevel");
        }
        argv.AddRange(o.ExtraArguments);
        return argv;
    }

    private static IReadOnlyList<string> BuildRust(DaemonOptions o, VirtioFsDaemonBinary b)
    {
        // Seen on the real virtiofsd 1.13: "the argument '--posix-acl' cannot be used with --translate-uid",
        // and it exits before listening. Say so before starting it.
        if (o.PosixAcl == true && (o.TranslateUid.Count > 0 || o.TranslateGid.Count > 0))
        {
            throw new VirtioFsException(ErrorIds.DaemonOptionConflict, VirtioFsErrorKind.InvalidArgument,
                $"-PosixAcl cannot be combined with -TranslateUid/-TranslateGid: '{b.Path}' refuses --posix-acl together with in-daemon ID translation.",
                "-PosixAcl", "Drop -PosixAcl, or map IDs with a user namespace instead (libvirt's <idmap>, virtiofsd --uid-map/--gid-map through -ExtraArgument).");
        }
        // "--migration-verify-handles: Only for find-paths migration mode" (virtiofsd 1.13's --help).
        if (o.MigrationVerifyHandles && o.MigrationMode == VirtioFsMigrationMode.FileHandles)
        {
            throw new VirtioFsException(ErrorIds.DaemonOptionConflict, VirtioFsErrorKind.InvalidArgument,
                "-MigrationVerifyHandles works only with -MigrationMode FindPaths: with file handles the destination opens the very same inodes anyway.",
                "-MigrationVerifyHandles", "Drop -MigrationVerifyHandles, or use -MigrationMode FindPaths.");
        }
        var argv = new List<string>();
        // '--flag=value' keeps a value that starts with '-' from being read as another flag.
        void Flag(string name, string? value, string what, string? since = null)
        {
            Require(b, name, what, since);
            argv.Add(value is null ? name : $"{name}={value}");
        }

        Flag("--shared-dir", o.SharedDirectory, "-SharedDirectory");
        Flag("--socket-path", o.SocketPath, "-SocketPath");
        if (!string.IsNullOrEmpty(o.SocketGroup))
        {
            Flag("--socket-group", o.SocketGroup, "-SocketGroup");
        }
        if (o.Cache is { } cache)
        {
            Flag("--cache", cache.ToString().ToLowerInvariant(), "-Cache", cache == VirtioFsDaemonCacheMode.Metadata ? "1.8.0" : null);
        }
        if (o.Xattr == true)
        {
            Flag("--xattr", null, "-Xattr");
        }
        if (o.PosixAcl == true)
        {
            Flag("--posix-acl", null, "-PosixAcl", "1.2.0");
        }
        if (o.Sandbox is { } sandbox)
        {
            Flag("--sandbox", sandbox.ToString().ToLowerInvariant(), "-Sandbox");
        }
        if (o.ThreadPoolSize is { } pool)
        {
            Flag("--thread-pool-size", pool.ToString(CultureInfo.InvariantCulture), "-ThreadPoolSize");
        }
        if (o.InodeFileHandles is { } ifh)
        {
            var since = ifh switch { VirtioFsInodeFileHandles.Prefer => "1.2.0", VirtioFsInodeFileHandles.Mandatory => "1.1.0", _ => null };
            Flag("--inode-file-handles", ifh.ToString().ToLowerInvariant(), "-InodeFileHandles", since);
        }
        if (o.AnnounceSubmounts is { } announce)
        {
            Flag(announce ? "--announce-submounts" : "--no-announce-submounts", null, "-AnnounceSubmounts");
        }
        if (o.ReadOnly)
        {
            Flag("--readonly", null, "-ReadOnly", "1.13.0");
        }
        if (o.AllowDirectIo == true)
        {
            Flag("--allow-direct-io", null, "-AllowDirectIo");
        }
        if (o.Writeback == true)
        {
            Flag("--writeback", null, "-Writeback");
        }
        if (o.XattrMap is { } map)
        {
            Flag("--xattrmap", map, "-XattrMap");
        }
        foreach (var rule in o.TranslateUid)
        {
            Flag("--translate-uid", rule, "-TranslateUid", "1.13.0");
        }
        foreach (var rule in o.TranslateGid)
        {
            Flag("--translate-gid", rule, "-TranslateGid", "1.13.0");
        }
        if (o.RlimitNofile is { } nofile)
        {
            Flag("--rlimit-nofile", nofile.ToString(CultureInfo.InvariantCulture), "-RlimitNofile");
        }
        // Options libvirt does not expose (it runs its daemon with the defaults: find-paths, abort). Each is checked
        // against the daemon's --help and version: 1.11 brought migration, 1.12 the file-handles mode.
        if (o.MigrationMode is { } mode)
        {
            Flag("--migration-mode", mode == VirtioFsMigrationMode.FileHandles ? "file-handles" : "find-paths", $"-MigrationMode {mode}",
                mode == VirtioFsMigrationMode.FileHandles ? "1.12.0" : MigrationSince);
        }
        if (o.MigrationOnError is { } onError)
        {
            Flag("--migration-on-error", onError == VirtioFsMigrationOnError.GuestError ? "guest-error" : "abort", "-MigrationOnError", MigrationSince);
        }
        if (o.MigrationVerifyHandles)
        {
            Flag("--migration-verify-handles", null, "-MigrationVerifyHandles", MigrationSince);
        }
        if (o.LogLevel is { } level)
        {
            Flag("--log-level", level.ToString().ToLowerInvariant(), "-LogLevel");
        }
        argv.AddRange(o.ExtraArguments);
        return argv;
    }

    /// <summary>
    /// Refuses an option the binary's --help does not list, or (Rust) one newer than its version. When --help
    /// listed nothing (an odd build), only the version gate applies, so a working daemon is not refused blindly.
    /// </summary>
    private static void Require(VirtioFsDaemonBinary b, string option, string what, string? since = null)
    {
        if (b.SupportedOptions.Count > 0 && !b.Supports(option))
        {
            throw Unsupported(b, what, $"its --help does not list '{option}'",
                "Drop the option, or pass -BinaryPath with a virtiofsd that supports it (Get-VirtioFsDaemonBinary shows SupportedOptions).");
        }
        if (since is not null && b.Version is { } v && v < Version.Parse(since))
        {
            throw Unsupported(b, what, $"'{option}' needs virtiofsd {since} or later and this is {v}",
                "Upgrade virtiofsd, or drop the option.");
        }
    }

    private static VirtioFsException Unsupported(VirtioFsDaemonBinary b, string what, string why, string action) =>
        new(ErrorIds.DaemonOptionUnsupported, VirtioFsErrorKind.InvalidArgument,
            $"{what} is not supported by {b.Path} ({b.Dialect} virtiofsd {b.Version?.ToString() ?? "of unknown version"}): {why}.",
            what, action);
}
