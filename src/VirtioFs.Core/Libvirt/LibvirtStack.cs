// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Libvirt;

/// <summary>
/// What the libvirt behind one connection would run and can do: its version and QEMU's (asked over the connection),
/// whom it runs virtiofsd as, the file system it sees, and the virtiofsd it would pick there. HostContext, the doctor
/// and the validator learn these facts here, so that nothing about this machine (its /usr, /etc, QEMU, virtiofsd) is
/// taken for a libvirt that lives elsewhere: in a container or another root reached through its socket (its files are
/// read through /proc/PID/root of the libvirtd that answers, and its binaries are described, not run), in a user's
/// session (per-user descriptors, virtiofsd unprivileged), or on another machine (no file view at all).
/// </summary>
internal sealed partial class LibvirtStack
{
    private readonly Func<string?, VirtioFsDaemonBinary?> _daemonFor;
    private readonly Dictionary<string, VirtioFsDaemonBinary?> _daemons = new(StringComparer.Ordinal);

    public LibvirtStack(string uri, Version? libvirtVersion, Version? qemuVersion, bool isSession, uint? daemonUid,
        HostRoot? files, string filesDescription, Func<string?, VirtioFsDaemonBinary?>? daemonFor = null, string? sessionConfigHome = null)
    {
        Uri = uri;
        LibvirtVersion = libvirtVersion;
        QemuVersion = qemuVersion;
        IsSession = isSession;
        DaemonUid = daemonUid;
        Files = files;
        FilesDescription = filesDescription;
        SessionConfigHome = sessionConfigHome;
        _daemonFor = daemonFor ?? FindDaemon;
    }

    public string Uri { get; }

    /// <summary>The libvirt daemon's version (virConnectGetLibVersion); null for an XML file checked without libvirt.</summary>
    public Version? LibvirtVersion { get; }

    /// <summary>QEMU's version as that libvirt reports it (virConnectGetVersion); null when unknown.</summary>
    public Version? QemuVersion { get; }

    /// <summary>A session libvirt (qemu:///session): per user, runs QEMU and virtiofsd as that user.</summary>
    public bool IsSession { get; }

    /// <summary>The uid of the libvirtd that answers (SO_PEERCRED of its socket); null when it could not be asked.</summary>
    public uint? DaemonUid { get; }

    /// <summary>
    /// libvirt runs virtiofsd as root: a privileged libvirt (qemu:///system, or any libvirtd running as root). virtiofsd
    /// then refuses --uid-map/--gid-map (ID mapping through a user namespace is for unprivileged daemons).
    /// </summary>
    public bool RunsDaemonAsRoot => DaemonUid is uint uid ? uid == 0 : !IsSession;

    /// <summary>The file system that libvirt sees; null when there is none from here (another machine).</summary>
    public HostRoot? Files { get; }

    /// <summary>Where <see cref="Files"/> comes from, for messages: "this host", "the file system of libvirtd (pid N) ...".</summary>
    public string FilesDescription { get; }

    /// <summary>The session user's config directory as a path in <see cref="Files"/> (its qemu/vhost-user descriptors); null for system.</summary>
    public string? SessionConfigHome { get; }

    /// <summary>Its binaries can be run here: the same mount namespace, so the same libraries.</summary>
    public bool CanRunBinaries => Files?.IsReal == true;

    /// <summary>
    /// The virtiofsd libvirt would run for a share with this &lt;binary path&gt; (null: the one its vhost-user descriptors
    /// name first); null when unknown (no file view, nothing installed, not a virtiofsd).
    /// </summary>
    public VirtioFsDaemonBinary? DaemonFor(string? binaryPath)
    {
        string key = binaryPath ?? string.Empty;
        lock (_daemons)
        {
            if (!_daemons.TryGetValue(key, out var daemon))
            {
                daemon = _daemonFor(binaryPath);
                _daemons[key] = daemon;
            }
            return daemon;
        }
    }

    /// <summary>Why <see cref="DaemonFor"/> found nothing for the default binary, when it did not.</summary>
    public string? DaemonProblem { get; private set; }

    /// <summary>
    /// Every virtiofsd candidate in libvirt's order (the first is what it runs), each probed where it can run and
    /// described from its descriptor and package where it cannot. Empty without a file view.
    /// </summary>
    public IReadOnlyList<VirtioFsDaemonBinary> AllDaemons(CancellationToken ct, out string? error) =>
        AllDaemons(Uri, Files, FilesDescription, IsSession ? SessionConfigHome : null, ct, out error);

    /// <summary>
    /// <see cref="AllDaemons(CancellationToken, out string?)"/> for a file view without a stack (the doctor of a libvirt
    /// it could not connect to still reads the files it would use), so both say the same about the same files.
    /// </summary>
    /// <param name="xdgConfigHome">A session user's config directory in <paramref name="files"/>; null for system libvirt.</param>
    public static IReadOnlyList<VirtioFsDaemonBinary> AllDaemons(string uri, HostRoot? files, string filesDescription,
        string? xdgConfigHome, CancellationToken ct, out string? error)
    {
        error = null;
        if (files is null)
        {
            error = $"No file view of {uri}: {filesDescription}.";
            return [];
        }
        var list = new List<VirtioFsDaemonBinary>();
        foreach (var candidate in new DaemonBinaryLocator(DaemonHostOf(files, xdgConfigHome)).Find())
        {
            try
            {
                list.Add(files.IsReal ? DaemonBinaryProbe.Probe(candidate, ct) : DaemonBinaryDescription.Describe(files, candidate));
            }
            catch (VirtioFsException e)
            {
                error ??= e.Message;
            }
        }
        return list;
    }

    /// <summary>libvirt's qemu.conf as a path in <see cref="Files"/> (system: /etc/libvirt/qemu.conf; session: the user's).</summary>
    public string QemuConfigPath => IsSession && SessionConfigHome is { } home && Files is { } f
        ? f.HostPathOf(Path.Combine(home, "libvirt", "qemu.conf"))
        : QemuConfig.QemuConfigFile.DefaultPath;

    /// <summary>One line naming the stack: libvirt, QEMU and the virtiofsd it runs.</summary>
    public string Summary
    {
        get
        {
            var d = DaemonFor(null);
            string daemon = d is null ? "virtiofsd unknown" : $"virtiofsd {d.Path} ({d.Dialect}{(d.Version is { } v ? " " + v : string.Empty)})";
            return $"libvirt {LibvirtVersion?.ToString() ?? "unknown"}{(IsSession ? " (session)" : string.Empty)}, QEMU {QemuVersion?.ToString() ?? "unknown"}, {daemon}";
        }
    }

    /// <summary>The daemon view of <see cref="Files"/>: system libvirt reads only /usr/share and /etc; a session also the user's config.</summary>
    private DaemonHost Host() => DaemonHostOf(Files ?? HostRoot.Real, IsSession ? SessionConfigHome : null);

    /// <summary>
    /// $PATH is searched only in a view whose binaries run here (<see cref="CanRunBinaries"/>): elsewhere it names
    /// this machine's directories, not that libvirt's.
    /// </summary>
    private static DaemonHost DaemonHostOf(HostRoot files, string? xdgConfigHome) => new()
    {
        Root = files,
        XdgConfigHome = xdgConfigHome,
        SearchPath = files.IsReal ? Environment.GetEnvironmentVariable("PATH") : null,
    };

    private VirtioFsDaemonBinary? FindDaemon(string? binaryPath)
    {
        if (Files is null)
        {
            DaemonProblem ??= $"No file view of {Uri}: {FilesDescription}.";
            return null;
        }
        try
        {
            if (CanRunBinaries)
            {
                return new DaemonSupervisor(Host()).ResolveBinary(binaryPath, CancellationToken.None);
            }
            if (binaryPath is not null)
            {
                // libvirt runs a named binary; its features are in a descriptor that names it, if any.
                var named = new DaemonBinaryLocator(Host()).ReadDescriptors().FirstOrDefault(d => d.Binary == binaryPath);
                return DaemonBinaryLocator.IsExecutableFile(Files.Path(binaryPath))
                    ? DaemonBinaryDescription.Describe(Files, new DaemonBinaryCandidate(binaryPath, "Explicit", named.Descriptor))
                    : null;
            }
            var first = new DaemonBinaryLocator(Host()).Find().FirstOrDefault();
            if (first is null)
            {
                DaemonProblem ??= $"No virtiofsd in {FilesDescription}: no vhost-user descriptor of type 'fs' names one.";
                return null;
            }
            return DaemonBinaryDescription.Describe(Files, first);
        }
        catch (VirtioFsException e)
        {
            // A binary that cannot be found or probed is reported elsewhere (BinaryNotFound, the doctor); here it is unknown.
            if (binaryPath is null)
            {
                DaemonProblem ??= e.Message;
            }
            return null;
        }
    }

    // ------------------------------------------------------------------ gathering

    /// <summary>The stack behind an open connection: versions from libvirt, the rest from the libvirtd that answers.</summary>
    public static LibvirtStack Of(LibvirtConnection connection)
    {
        var uri = connection.ParsedUri;
        var view = Locate(uri);
        return new LibvirtStack(connection.Uri, connection.LibraryVersion, connection.HypervisorVersion, uri.IsSession,
            view.Uid, view.Files, view.Description, sessionConfigHome: view.ConfigHome);
    }

    /// <summary>This host's system libvirt, for XML files checked here (no connection): the client library's version.</summary>
    public static LibvirtStack ThisHost(Version? libvirtVersion) =>
        new("(this host)", libvirtVersion, null, isSession: false, daemonUid: 0, HostRoot.Real, "this host");

    internal sealed record View(HostRoot? Files, uint? Uid, string Description, string? ConfigHome);

    /// <summary>
    /// Where the libvirt of a URI lives and what it sees. Another machine: nothing. On this machine: the libvirtd that
    /// listens on the URI's socket (its pid and uid from SO_PEERCRED); its own mount namespace is read through
    /// /proc/PID/root, this host's as it is. When the daemon cannot be asked, a socket under another root
    /// (ROOT/run/libvirt/libvirt-sock) names that root.
    /// </summary>
    internal static View Locate(LibvirtUri uri)
    {
        if (!uri.IsThisHost)
        {
            return new View(null, null, $"{uri.Host} is another machine, whose files cannot be read from here", null);
        }
        string? socket = SocketOf(uri);
        var peer = socket is null ? null : UnixSocketPeer.Of(socket);
        HostRoot? files = null;
        string description = "this host";
        uint? uid = peer?.Uid;
        if (peer is not null)
        {
            bool? same = SameMountNamespace(peer.ProcessId);
            if (same == true)
            {
                files = HostRoot.Real;
            }
            else if (same == false && Directory.Exists($"/proc/{peer.ProcessId}/root/usr"))
            {
                files = HostRoot.OfProcess(peer.ProcessId);
                description = $"the file system of libvirtd (pid {peer.ProcessId}), which runs in a mount namespace of its own";
            }
        }
        if (files is null && socket is not null && RootOfSocket(socket) is { } root)
        {
            files = new HostRoot(root);
            description = $"the root {root} that holds its socket";
        }
        files ??= HostRoot.Real;
        if (uid is null && socket is not null && FileStatus.Of(socket) is { } st)
        {
            uid = st.Uid;
        }
        uid ??= uri.IsSession ? LibC.GetUid() : 0;
        string? configHome = uri.IsSession ? SessionConfigHomeOf(peer?.ProcessId, uid.Value, files) : null;
        return new View(files, uid, description, configHome);
    }

    /// <summary>The socket the client library connects to for a local URI: socket=, else the default of the daemon kind.</summary>
    internal static string? SocketOf(LibvirtUri uri)
    {
        if (uri.Parameter("socket") is { Length: > 0 } given)
        {
            return given;
        }
        string dir;
        if (uri.IsSession)
        {
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            dir = Path.Combine(string.IsNullOrEmpty(runtime) ? $"/run/user/{LibC.GetUid()}" : runtime, "libvirt");
        }
        else
        {
            dir = "/run/libvirt";
        }
        // Modular daemons first, as the client library tries them.
        foreach (var name in new[] { "virtqemud-sock", "libvirt-sock" })
        {
            string path = Path.Combine(dir, name);
            if (FileStatus.Of(path) is { IsSocket: true })
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>ROOT of ROOT/run/libvirt/libvirt-sock or ROOT/run/user/UID/libvirt/virtqemud-sock, when ROOT looks like a system.</summary>
    internal static string? RootOfSocket(string socket)
    {
        var m = SocketUnderRootRegex().Match(socket);
        if (!m.Success)
        {
            return null;
        }
        string root = m.Groups["root"].Value;
        return Directory.Exists(Path.Combine(root, "usr")) && Directory.Exists(Path.Combine(root, "etc")) ? root : null;
    }

    private static bool? SameMountNamespace(int pid)
    {
        try
        {
            var mine = new FileInfo("/proc/self/ns/mnt").LinkTarget;
            var theirs = new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget;
            return mine is null || theirs is null ? null : mine == theirs;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The session daemon's $XDG_CONFIG_HOME (its environment), else HOME/.config of its user, as a path in the view.</summary>
    private static string? SessionConfigHomeOf(int? pid, uint uid, HostRoot files)
    {
        if (pid is int p)
        {
            try
            {
                var env = File.ReadAllText($"/proc/{p}/environ", Encoding.UTF8).Split('\0')
                    .Select(kv => kv.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
                if (env.TryGetValue("XDG_CONFIG_HOME", out var xdg) && xdg.Length > 0)
                {
                    return files.Path(xdg);
                }
                if (env.TryGetValue("HOME", out var home) && home.Length > 0)
                {
                    return files.Path(Path.Combine(home, ".config"));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // not ours to read: fall back to the account database
            }
        }
        return HostAccounts.UserById(files, uid)?.Home is { } passwdHome ? files.Path(Path.Combine(passwdHome, ".config")) : null;
    }

    [GeneratedRegex(@"^(?<root>/.+?)/(?:var/)?run/(?:libvirt|user/\d+/libvirt)/[a-z]+-sock(?:-ro)?$")]
    private static partial Regex SocketUnderRootRegex();
}
