// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Guest;

/// <summary>Whether a guest kernel can mount virtiofs, and what says so.</summary>
internal sealed record VirtioFsSupport(bool Loaded, bool Loadable, string Evidence)
{
    public bool Available => Loaded || Loadable;
}

/// <summary>
/// A Linux guest seen through its agent: files read with guest-file-* (/proc/self/mounts, /proc/filesystems,
/// modules.dep, /etc/fstab, /proc/1/comm) and programs run with guest-exec as argv, in the C locale so their
/// messages read the same everywhere. Nothing here changes the guest except <see cref="Run"/> and
/// <see cref="ReplaceFile"/>.
/// </summary>
internal sealed class LinuxGuest
{
    /// <summary>guest-exec's env replaces the whole environment: a PATH, and messages in English.</summary>
    public static readonly string[] Environment = ["LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    public const string FstabPath = "/etc/fstab";

    public const string UnitDirectory = "/etc/systemd/system";

    /// <summary>
    /// The .mount unit of a mount point. systemd.mount(5) requires the unit to be named after its Where=, so the
    /// mount point alone finds it: when one is written, read back and removed.
    /// </summary>
    public static string UnitName(string mountPoint) => SystemdPathEscape.Escape(mountPoint) + ".mount";

    /// <summary>Where <see cref="UnitName"/> lives: the administrator's unit directory, which overrides packaged units.</summary>
    public static string UnitPath(string mountPoint) => $"{UnitDirectory}/{UnitName(mountPoint)}";

    /// <summary>
    /// The tag (What=) a mount unit mounts, when it mounts virtiofs; null for a unit of another type (a tmpfs or
    /// NFS unit at the same mount point is the administrator's, not a share's) or no unit. Read as systemd reads
    /// it (systemd.syntax(7)): only the [Mount] section, comments skipped, blanks around '=' ignored, the last
    /// assignment wins.
    /// </summary>
    public static string? VirtioFsUnitTag(string? unit)
    {
        if (unit is null)
        {
            return null;
        }
        string? section = null, what = null, type = null;
        foreach (string raw in unit.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            if (line[0] == '[')
            {
                section = line;
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (section != "[Mount]" || eq < 0)
            {
                continue;
            }
            string key = line[..eq].TrimEnd();
            if (key == "What")
            {
                what = line[(eq + 1)..].TrimStart();
            }
            else if (key == "Type")
            {
                type = line[(eq + 1)..].TrimStart();
            }
        }
        return type == "virtiofs" && !string.IsNullOrEmpty(what) ? what : null;
    }

    /// <summary>The first kernel with virtio-fs (some distributions backported it, e.g. RHEL 8's 4.18).</summary>
    public static readonly Version FirstKernel = new(5, 4);

    /// <summary>What to do about a guest that cannot mount virtiofs; Mount-VirtioFsShare and Test-VirtioFsDomain give the same advice.</summary>
    public static readonly string KernelFix =
        $"Give the guest a kernel with virtio-fs: Linux {FirstKernel} or later with CONFIG_VIRTIO_FS (Debian, Ubuntu, Fedora and RHEL 8.2+ kernels have it as the module virtiofs)";

    public LinuxGuest(GuestSession session)
    {
        Session = session;
    }

    public GuestSession Session { get; }

    public GuestAgent Agent => Session.Agent;

    public IReadOnlyList<MountEntry> Mounts() =>
        MountTable.Parse((Agent.ReadText("/proc/self/mounts") ?? string.Empty).Split('\n'));

    /// <summary>virtiofs registered (/proc/filesystems), or its module known to modprobe (modules.dep of the running kernel).</summary>
    public VirtioFsSupport Support()
    {
        string filesystems = Agent.ReadText("/proc/filesystems") ?? string.Empty;
        if (filesystems.Split('\n').Any(l => l.Split('\t', ' ').LastOrDefault()?.Trim() == "virtiofs"))
        {
            return new VirtioFsSupport(true, true, "virtiofs is in /proc/filesystems");
        }
        string depPath = $"/lib/modules/{Session.Os.KernelRelease}/modules.dep";
        string? dep = Agent.ReadText(depPath);
        bool loadable = dep is not null && Regex.IsMatch(dep, @"(^|/)virtiofs\.ko(\.[a-z]+)?:", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        return new VirtioFsSupport(false, loadable,
            loadable ? $"virtiofs is not loaded; {depPath} lists its module"
            : dep is null ? $"virtiofs is not in /proc/filesystems and there is no {depPath}"
            : $"virtiofs is neither in /proc/filesystems nor in {depPath}");
    }

    /// <summary>The guest's error when it cannot mount virtiofs at all.</summary>
    public VirtioFsException Unsupported(VirtioFsSupport support)
    {
        string why = PredatesVirtioFs(Session.Os)
            ? $"its kernel {Session.Os.KernelRelease} predates virtio-fs (Linux {FirstKernel})"
            : $"its kernel {Session.Os.KernelRelease} has no virtiofs file system (built without CONFIG_VIRTIO_FS, or its modules are not installed)";
        return new VirtioFsException(ErrorIds.GuestVirtioFsUnsupported, VirtioFsErrorKind.NotInstalled,
            $"The guest of {Agent.Label} ({Session.Os.Display}) cannot mount virtio-fs: {why}; {support.Evidence}. Nothing was changed.",
            Session.Os.KernelRelease,
            KernelFix + ", then run the command again.");
    }

    /// <summary>
    /// True when the guest's kernel is older than the first with virtio-fs. Only an explanation: a backport (RHEL 8's
    /// 4.18) is still found by <see cref="Support"/>, so this says why, never whether.
    /// </summary>
    public static bool PredatesVirtioFs(GuestOsInfo os) => os.LinuxKernel is { } kernel && kernel < FirstKernel;

    /// <summary>True when the guest's PID 1 is systemd (what sd_booted() tells a program in the guest).</summary>
    public bool RunsSystemd() => (Agent.ReadText("/proc/1/comm") ?? string.Empty).Trim() == "systemd";

    /// <summary>The file type and octal mode of each path that exists (stat -L), keyed by path.</summary>
    public IReadOnlyDictionary<string, (string Type, string Mode)> Stat(IEnumerable<string> paths)
    {
        var list = paths.Distinct(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (list.Count == 0)
        {
            return result;
        }
        // Missing paths only make stat exit 1 with a message; the others are still printed.
        var run = Run(["stat", "-L", "-c", "%F:%a:%n", "--", .. list]);
        foreach (string line in run.StdOut.Split('\n'))
        {
            var parts = line.Split(':', 3);
            if (parts.Length == 3 && list.Contains(parts[2], StringComparer.Ordinal))
            {
                result[parts[2]] = (parts[0], parts[1]);
            }
        }
        return result;
    }

    public GuestExecResult Run(string[] argv) => Agent.Exec(argv[0], argv[1..], Environment);

    /// <summary>Runs a command that must succeed, in <see cref="Environment"/>; its stderr is the error.</summary>
    public void RunChecked(string[] argv, string errorId = ErrorIds.GuestCommandFailed) =>
        Agent.ExecChecked(argv, Environment,
            "Read the guest's message above; the command's output is shown as the guest printed it.", errorId);

    /// <summary>
    /// Replaces a file as an atomic rename: a temporary file beside it (qemu-ga creates new files with mode
    /// 0666), given the old file's mode, then moved over it. A crash leaves the old file or the new one.
    /// </summary>
    public void ReplaceFile(string path, string content, string mode)
    {
        string temp = path + ".virtiofs-new";
        Agent.WriteFile(temp, Encoding.UTF8.GetBytes(content));
        try
        {
            RunChecked(["chmod", mode, temp]);
            RunChecked(["mv", "-f", temp, path]);
        }
        catch (VirtioFsException)
        {
            Run(["rm", "-f", temp]);
            throw;
        }
    }

    /// <summary>Every directory from the root down to <paramref name="path"/>, e.g. /srv, /srv/www.</summary>
    public static IReadOnlyList<string> Ancestry(string path)
    {
        var list = new List<string>();
        var sb = new StringBuilder();
        foreach (string part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append('/').Append(part);
            list.Add(sb.ToString());
        }
        return list;
    }
}
