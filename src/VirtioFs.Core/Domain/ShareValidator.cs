// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.Domain;

/// <summary>
/// Every check libvirt, QEMU or virtiofsd would make later (at define, at start, or never, leaving
/// a hung guest), made before anything is written. Each failure is a VirtioFsException with a
/// stable id, the offending value as target and what to do.
/// </summary>
internal static class ShareValidator
{
    private static readonly Regex s_userAlias = new("^ua-[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant);

    /// <summary>True for an alias libvirt keeps in the persistent definition: ua- then letters, digits, '_' and '-'.</summary>
    public static bool IsUserAlias(string alias) => s_userAlias.IsMatch(alias);

    /// <summary>Validates the final state of a share being created or changed.</summary>
    /// <param name="domain">The domain as it will be written, minus this share.</param>
    /// <param name="merged">The share's complete settings after the change.</param>
    /// <param name="asked">What the caller asked for (used for messages and version checks).</param>
    /// <param name="self">The element being changed (Set), excluded from uniqueness checks.</param>
    public static void Validate(DomainDocument domain, VirtioFsShare merged, ShareSettings asked, HostContext host, XElement? self)
    {
        // A new share's tag, or a new name for one; a legacy tag left as it is stays changeable (and the doctor flags it).
        if (self is null || asked.Tag is not null)
        {
            ValidateTag(merged.Tag);
        }
        foreach (var other in domain.Filesystems.Where(f => f != self))
        {
            if (string.Equals(FilesystemElement.TagOf(other), merged.Tag, StringComparison.Ordinal))
            {
                throw new VirtioFsException(ErrorIds.TagExists, VirtioFsErrorKind.ResourceExists,
                    $"Domain '{domain.Name}' already has a filesystem with tag '{merged.Tag}'; the guest could not tell them apart.",
                    merged.Tag, "Choose another -Tag, or change the existing share with Set-VirtioFsShare.");
            }
        }

        if (merged.AccessMode != "passthrough")
        {
            throw new VirtioFsException(ErrorIds.UnsupportedAccessMode, VirtioFsErrorKind.InvalidArgument,
                $"virtio-fs supports only accessmode 'passthrough', not '{merged.AccessMode}'.", merged.AccessMode,
                "Use -AccessMode passthrough (the default); ID mapping is done with -UidMap/-GidMap.");
        }

        foreach (var option in ShareOptions.All)
        {
            if (option.ValueOf(merged) is { } value && option.Check(value) is { } problem)
            {
                throw new VirtioFsException(problem.ErrorId, VirtioFsErrorKind.InvalidArgument, problem.Message, value, problem.Fix);
            }
        }

        ValidateSourceOrSocket(merged, asked, host);

        if (merged.BinaryPath is { } b && host.CheckHostPaths && asked.BinaryPath is not null && !File.Exists(host.Files.Path(b)))
        {
            throw new VirtioFsException(ErrorIds.BinaryNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The virtiofsd binary '{b}' does not exist on the host libvirt runs on.", b,
                "Install virtiofsd (Debian 12: qemu-system-common ships /usr/lib/qemu/virtiofsd) or fix -BinaryPath.");
        }

        // The release first: an option libvirt does not know is refused for that, whatever else it needs.
        ValidateLibvirtVersion(merged, host);
        ValidateContext(domain, merged, host);
        ValidateDaemonDialect(merged, asked, host);
        ValidateBoot(domain, merged, self);
        ValidateAlias(domain, merged, asked, self);
    }

    /// <summary>The option table's context rules (ShareOption.ContextRule): e.g. &lt;idmap&gt; where libvirt runs virtiofsd as root.</summary>
    private static void ValidateContext(DomainDocument domain, VirtioFsShare merged, HostContext host)
    {
        var context = host.Options;
        foreach (var option in ShareOptions.All)
        {
            if (option.IsUsed(merged) && option.ContextRule(merged, context) is { } problem)
            {
                throw new VirtioFsException(problem.ErrorId, VirtioFsErrorKind.NotEnabled, problem.Message, "-" + option.Name,
                    problem.Fix?.Replace("<vm>", domain.Name, StringComparison.Ordinal));
            }
        }
    }

    /// <summary>
    /// Options the virtiofsd libvirt would run does not honour (ShareOption.Dialects): &lt;lock&gt; with the Rust
    /// daemon (libvirt 9.0 starts it and it exits on "Invalid compat argument '-o flock'"; libvirt 11.3 accepts the
    /// define and refuses every start: "locking options are not supported by this virtiofsd"), &lt;idmap&gt; with
    /// the C daemon (it has no ID mapping). The daemon is the one of the connection's libvirt (LibvirtStack), read
    /// from the file system that libvirt sees. Checked when the change touches such an option or the binary.
    /// </summary>
    private static void ValidateDaemonDialect(VirtioFsShare merged, ShareSettings asked, HostContext host)
    {
        // Asking which virtiofsd libvirt would run means running it three times (DaemonBinaryProbe), ~15 ms:
        // ask only when the share uses an option that one of the dialects lacks. For any other share the answer
        // could not change the outcome, and a fleet of New-VirtioFsShare calls would pay it per domain.
        if (merged.SocketPath is not null || !ShareOptions.All.Any(o => o.Dialects != DaemonDialects.Both && o.IsUsed(merged))
            || host.DaemonFor(merged.BinaryPath) is not { } daemon)
        {
            return;
        }
        foreach (var option in ShareOptions.UnsupportedBy(merged, ShareOptions.DialectOf(daemon)))
        {
            if (!option.IsAsked(asked) && asked.BinaryPath is null)
            {
                continue;
            }
            bool lockOption = option == ShareOptions.PosixLock || option == ShareOptions.Flock;
            throw new VirtioFsException(option.DialectErrorId!, VirtioFsErrorKind.InvalidArgument,
                lockOption
                    ? $"-PosixLock/-Flock (<lock>) work only with the legacy C virtiofsd, and libvirt would run {daemon.Path}, the Rust one, which has no lock options: the guest would fail to start."
                    : $"-{option.Name} ({option.XmlName}) works only with the Rust virtiofsd, and libvirt would run {daemon.Path}, the C one, which has no ID mapping: the guest would fail to start.",
                option.IsAsked(asked) ? "-" + option.Name : daemon.Path,
                lockOption
                    ? "Leave out -PosixLock/-Flock (the Rust daemon handles POSIX and flock locks itself), or remove them with Set-VirtioFsShare -Reset PosixLock,Flock."
                    : "Install the Rust virtiofsd and name it with -BinaryPath, or leave out -UidMap/-GidMap.");
        }
    }

    /// <summary>The mount tag rule (MountTag), kept here because every caller validates a share.</summary>
    public static void ValidateTag(string? tag) => MountTag.Validate(tag);

    private static void ValidateSourceOrSocket(VirtioFsShare merged, ShareSettings asked, HostContext host)
    {
        if (merged.Source is not null && merged.SocketPath is not null)
        {
            throw new VirtioFsException(ErrorIds.SourceAndSocket, VirtioFsErrorKind.InvalidArgument,
                "A share has either a source directory (libvirt runs virtiofsd) or a socket (you run virtiofsd), not both.",
                merged.SocketPath, "Give -Source or -SocketPath, not both.");
        }
        if (merged.Source is null && merged.SocketPath is null)
        {
            throw new VirtioFsException(ErrorIds.SourceMissing, VirtioFsErrorKind.InvalidArgument,
                "The share needs a host directory (-Source) or the socket of a virtiofsd you run (-SocketPath).", merged.Tag,
                "Give -Source /host/dir, or pipe Start-VirtioFsDaemon into New-VirtioFsShare.");
        }
        if (merged.SocketPath is { } socket)
        {
            if (!socket.StartsWith('/'))
            {
                throw new VirtioFsException(ErrorIds.SocketPathNotAbsolute, VirtioFsErrorKind.InvalidArgument,
                    $"The socket path '{socket}' is not absolute.", socket, "Give the full path of the daemon's socket.");
            }
            UnixSocketPath.EnsureFits(socket, ", so QEMU could not connect", "Use a shorter path, e.g. under /run/virtiofs/.");
            var daemonOptions = asked.DaemonOptionsGiven().ToList();
            if (daemonOptions.Count > 0)
            {
                throw new VirtioFsException(ErrorIds.DaemonOptionsWithSocket, VirtioFsErrorKind.InvalidArgument,
                    $"{string.Join(", ", daemonOptions.Select(o => "-" + o))} configure the virtiofsd libvirt starts; with -SocketPath you run the daemon yourself and libvirt ignores them.",
                    socket, "Pass these options to Start-VirtioFsDaemon instead, or use -Source so libvirt runs virtiofsd.");
            }
            return;
        }
        string source = merged.Source!;
        if (!source.StartsWith('/'))
        {
            throw new VirtioFsException(ErrorIds.SourceNotAbsolute, VirtioFsErrorKind.InvalidArgument,
                $"The source '{source}' is not an absolute path; libvirt needs one.", source,
                "Give the full path of the host directory, e.g. /srv/share.");
        }
        if (asked.Source is null)
        {
            return;
        }
        if (host.CheckHostPaths)
        {
            // Where the guest's root could reach the host's own files: the path resolved on this host.
            SharedDirectoryGuard.Ensure(source, resolveOnThisHost: true, asked.AllowUnsafeSource, "New-/Set-VirtioFsShare");
            // Looked up where libvirt looks: this host, or the mount namespace of a libvirtd in a container or another root.
            string seen = host.Files.Path(source);
            if (File.Exists(seen))
            {
                throw SourceNotDirectory(source, "the host libvirt runs on");
            }
            if (!Directory.Exists(seen))
            {
                throw SourceNotFound(source, "the host libvirt runs on");
            }
            return;
        }
        if (host.RemotePaths is { } remote)
        {
            CheckRemoteSource(source, asked, host, remote);
            return;
        }
        SharedDirectoryGuard.Ensure(source, resolveOnThisHost: false, asked.AllowUnsafeSource, "New-/Set-VirtioFsShare");
        if (host.RemotePathsUnchecked is { } why)
        {
            host.Warn($"The source directory '{source}' was not checked: {why}. Make sure it exists there, or the guest will fail to start.");
        }
    }

    /// <summary>The source on another host, looked at through ssh: resolved there, then the same rules as here.</summary>
    private static void CheckRemoteSource(string source, ShareSettings asked, HostContext host, SshPathProbe remote)
    {
        var facts = remote.Probe(source, host.Cancel);
        if (facts.Kind == RemotePathKind.Unknown)
        {
            SharedDirectoryGuard.Ensure(source, resolveOnThisHost: false, asked.AllowUnsafeSource, "New-/Set-VirtioFsShare");
            host.Warn($"The source directory '{source}' on {remote.HostName} could not be checked ({facts.Reason}). Make sure it exists there, or the guest will fail to start.");
            return;
        }
        SharedDirectoryGuard.EnsureResolved(source, facts.Resolved ?? source, asked.AllowUnsafeSource, "New-/Set-VirtioFsShare");
        if (facts.Kind == RemotePathKind.File)
        {
            throw SourceNotDirectory(source, remote.HostName);
        }
        if (facts.Kind == RemotePathKind.Missing)
        {
            throw SourceNotFound(source, remote.HostName);
        }
    }

    private static VirtioFsException SourceNotDirectory(string source, string where) =>
        new(ErrorIds.SourceNotDirectory, VirtioFsErrorKind.InvalidArgument,
            $"The source '{source}' on {where} is a file; virtio-fs shares a directory.", source, "Give a directory.");

    private static VirtioFsException SourceNotFound(string source, string where) =>
        new(ErrorIds.SourceNotFound, VirtioFsErrorKind.ObjectNotFound,
            $"The source directory '{source}' does not exist on {where}; the guest would fail to start.", source,
            "Create it there (New-Item -ItemType Directory, or mkdir over ssh), or use -SkipSourceCheck for XML meant for another host.");

    private static void ValidateBoot(DomainDocument domain, VirtioFsShare merged, XElement? self)
    {
        if (merged.BootOrder is not int order)
        {
            return;
        }
        if (order < 1)
        {
            throw new VirtioFsException(ErrorIds.InvalidBootOrder, VirtioFsErrorKind.InvalidArgument,
                $"Boot order {order} is invalid: it starts at 1.", order);
        }
        if (domain.Root.Element("os")?.Element("boot") is not null)
        {
            throw new VirtioFsException(ErrorIds.BootOrderConflict, VirtioFsErrorKind.InvalidArgument,
                $"Domain '{domain.Name}' boots by <os><boot dev=…/>; libvirt refuses per-device boot order together with it.",
                order, "Remove the <boot dev> elements from <os> and give every boot device an order, or omit -BootOrder.");
        }
        var devices = domain.Devices;
        if (devices is null)
        {
            return;
        }
        foreach (var boot in devices.Descendants("boot"))
        {
            if (self is not null && boot.Ancestors().Contains(self))
            {
                continue;
            }
            if (MemoryUnits.ParseInt((string?)boot.Attribute("order")) == order)
            {
                throw new VirtioFsException(ErrorIds.BootOrderInUse, VirtioFsErrorKind.ResourceExists,
                    $"Boot order {order} is already used by a <{boot.Parent?.Name.LocalName}> device of domain '{domain.Name}'.",
                    order, "Choose an unused boot order.");
            }
        }
    }

    private static void ValidateAlias(DomainDocument domain, VirtioFsShare merged, ShareSettings asked, XElement? self)
    {
        if (merged.Alias is not { } alias)
        {
            return;
        }
        // Only an alias the caller asks for is checked: one already in the definition was accepted by libvirt.
        bool unchanged = asked.Alias is null;
        if (!unchanged && !s_userAlias.IsMatch(alias))
        {
            throw new VirtioFsException(ErrorIds.InvalidAlias, VirtioFsErrorKind.InvalidArgument,
                $"The alias '{alias}' is not a user alias: libvirt keeps only aliases starting with 'ua-' and made of letters, digits, '_' and '-'.",
                alias, "Use e.g. ua-share0.");
        }
        bool taken = domain.Devices?.Descendants("alias")
            .Any(a => (string?)a.Attribute("name") == alias && (self is null || !a.Ancestors().Contains(self))) ?? false;
        if (taken)
        {
            throw new VirtioFsException(ErrorIds.AliasInUse, VirtioFsErrorKind.ResourceExists,
                $"The alias '{alias}' is already used in domain '{domain.Name}'.", alias, "Choose another alias.");
        }
    }

    private static void ValidateLibvirtVersion(VirtioFsShare merged, HostContext host)
    {
        if (host.LibvirtVersion is not Version have)
        {
            return;
        }
        if (have < ShareOption.VirtioFsSince)
        {
            throw new VirtioFsException(ErrorIds.OptionNeedsNewerLibvirt, VirtioFsErrorKind.NotEnabled,
                $"virtio-fs needs libvirt {ShareOption.VirtioFsSince} or later; the connected libvirt is {have}.",
                "virtiofs", $"Upgrade libvirt to {ShareOption.VirtioFsSince}+.");
        }
        foreach (var option in ShareOptions.TooNewFor(merged, have))
        {
            bool readOnly = option == ShareOptions.ReadOnly;
            throw new VirtioFsException(ErrorIds.OptionNeedsNewerLibvirt, VirtioFsErrorKind.NotEnabled,
                $"-{option.Name} needs libvirt {option.LibvirtSince} or later; the connected libvirt is {have}" +
                (readOnly
                    ? " (older releases refuse the define: \"virtiofs does not yet support read-only mode\")."
                    : $" (older releases reject {option.XmlName} at a validated define, \"XML document failed to validate against schema\", and drop it silently otherwise)."),
                option.Name, $"Upgrade libvirt to {option.LibvirtSince}+, or leave out -{option.Name}" +
                (readOnly ? "; a read-only bind mount of the source gives the same protection." : "."));
        }
    }
}
