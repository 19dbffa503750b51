// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using VirtioFs.Domain;
using VirtioFs.Errors;

namespace VirtioFs.Guest;

/// <summary>
/// Get-VirtioFsGuestMount's Windows steps, run through guest-exec as argv (sc.exe, reg.exe, the WinFsp
/// launcher, schtasks.exe; never cmd.exe): virtio-win's VirtIO-FS service when the domain has one share,
/// WinFsp's launcher (one instance per share) when it has several. Checked before anything changes: the
/// service exists (the viofs driver and virtiofs.exe are installed) and WinFsp is installed.
/// Written from qemu-ga's Windows interface (qga/commands-win32.c) and the tools' documented output;
/// untested on a real Windows guest (none can be booted where this module is tested).
/// </summary>
internal static class WindowsShareMounter
{
    public const string Service = "VirtioFsSvc";
    private const string ServiceKey = @"HKLM\Software\VirtIO-FS";
    private const string WinFspKey = @"HKLM\SOFTWARE\WinFsp";
    private const string LauncherKey = @"HKLM\SOFTWARE\WinFsp\Services\virtiofs";
    private const string LauncherCommandLine = "-t %1 -m %2";

    /// <summary>What the guest has, read before planning.</summary>
    private sealed record Facts(string ServiceState, string StartType, string ServiceBinary, string WinFspDir, string? ServiceMountPoint,
        string? LauncherCommand, bool InstanceRunning, bool TaskExists, bool Several, string Launchctl, string Instance);

    public static VirtioFsGuestMountState? Mount(GuestSession session, GuestMountRequest request, Func<string, bool> approve)
    {
        MountTag.Validate(request.Tag);
        string drive = Drive(request.MountPoint);
        var facts = Read(session, request.Tag);
        var plan = new GuestPlan();
        string persisted;
        if (!facts.Several)
        {
            if (!string.Equals(facts.ServiceMountPoint, drive, StringComparison.OrdinalIgnoreCase))
            {
                Add(session, plan, ["reg.exe", "add", ServiceKey, "/v", "MountPoint", "/t", "REG_SZ", "/d", drive, "/f"]);
            }
            if (request.Persist && facts.StartType != "AUTO_START")
            {
                Add(session, plan, ["sc.exe", "config", Service, "start=", "auto"]);
            }
            if (facts.ServiceState == "RUNNING" && !string.Equals(facts.ServiceMountPoint, drive, StringComparison.OrdinalIgnoreCase))
            {
                Add(session, plan, ["sc.exe", "stop", Service]);
                Add(session, plan, ["sc.exe", "start", Service]);
            }
            else if (facts.ServiceState != "RUNNING")
            {
                Add(session, plan, ["sc.exe", "start", Service]);
            }
            persisted = $"service {Service} (automatic start)";
        }
        else
        {
            if (facts.ServiceState == "RUNNING")
            {
                Add(session, plan, ["sc.exe", "stop", Service]);
            }
            if (request.Persist && facts.StartType != "DISABLED")
            {
                Add(session, plan, ["sc.exe", "config", Service, "start=", "disabled"]);
            }
            if (facts.LauncherCommand != LauncherCommandLine)
            {
                // What WinFsp's fsreg.bat writes, without running a batch file (that needs cmd.exe).
                Add(session, plan, ["reg.exe", "add", LauncherKey, "/v", "Executable", "/t", "REG_SZ", "/d", facts.ServiceBinary, "/f", "/reg:32"]);
                Add(session, plan, ["reg.exe", "add", LauncherKey, "/v", "CommandLine", "/t", "REG_SZ", "/d", LauncherCommandLine, "/f", "/reg:32"]);
                Add(session, plan, ["reg.exe", "add", LauncherKey, "/v", "JobControl", "/t", "REG_DWORD", "/d", "1", "/f", "/reg:32"]);
            }
            if (!facts.InstanceRunning)
            {
                Add(session, plan, [facts.Launchctl, "start", "virtiofs", facts.Instance, request.Tag, drive]);
            }
            if (request.Persist && !facts.TaskExists)
            {
                Add(session, plan, ["schtasks.exe", "/Create", "/F", "/TN", Task(facts.Instance), "/SC", "ONSTART", "/RU", "SYSTEM",
                    "/TR", $"\"{facts.Launchctl}\" start virtiofs {facts.Instance} {request.Tag} {drive}"]);
            }
            persisted = $"task {Task(facts.Instance)}";
        }

        IReadOnlyList<string> changes = [];
        if (plan.Count > 0)
        {
            if (!approve(plan.Describe($"Mount virtio-fs share '{request.Tag}' as {drive} in the Windows guest of {session.Agent.Label}")))
            {
                return null;
            }
            changes = plan.Execute();
        }
        var after = Read(session, request.Tag);
        bool mounted = after.Several ? after.InstanceRunning : after.ServiceState == "RUNNING";
        if (!mounted)
        {
            throw new VirtioFsException(ErrorIds.GuestMountFailed, VirtioFsErrorKind.InvalidResult,
                $"The Windows guest of {session.Agent.Label} does not run {(after.Several ? $"the WinFsp instance {after.Instance}" : $"the {Service} service")} after it was started.", drive,
                "Look at the guest's event log (Application, source VirtIO-FS or WinFsp) for why it stopped.");
        }
        var state = session.NewState(request.Tag);
        state.MountPoint = drive;
        state.Mounted = true;
        state.Persistent = after.Several ? after.TaskExists : after.StartType == "AUTO_START";
        state.PersistedIn = state.Persistent ? persisted : null;
        state.Changes = changes;
        return state;
    }

    public static IReadOnlyList<VirtioFsGuestMountState>? Dismount(GuestSession session, GuestDismountRequest request, Func<string, bool> approve)
    {
        if (request.Tag is null)
        {
            throw new VirtioFsException(ErrorIds.GuestTagNotFound, VirtioFsErrorKind.InvalidArgument,
                $"The guest of {session.Agent.Label} runs Windows, where a share is found by its tag, not its drive letter.", request.MountPoint,
                "Give -Tag (Get-VirtioFsShare lists the tags).");
        }
        var facts = Read(session, request.Tag);
        var plan = new GuestPlan();
        if (!facts.Several)
        {
            if (facts.ServiceState == "RUNNING")
            {
                Add(session, plan, ["sc.exe", "stop", Service]);
            }
            if (request.Persist && facts.StartType == "AUTO_START")
            {
                Add(session, plan, ["sc.exe", "config", Service, "start=", "demand"]);
            }
        }
        else
        {
            if (facts.InstanceRunning)
            {
                Add(session, plan, [facts.Launchctl, "stop", "virtiofs", facts.Instance]);
            }
            if (request.Persist && facts.TaskExists)
            {
                Add(session, plan, ["schtasks.exe", "/Delete", "/TN", Task(facts.Instance), "/F"]);
            }
        }
        if (plan.Count == 0)
        {
            return [];
        }
        if (!approve(plan.Describe($"Dismount virtio-fs share '{request.Tag}' in the Windows guest of {session.Agent.Label}")))
        {
            return null;
        }
        var changes = plan.Execute();
        var state = session.NewState(request.Tag);
        state.MountPoint = facts.ServiceMountPoint;
        state.Changes = changes;
        return [state];
    }

    /// <summary>Z:, Z or Z:\ (default Z:) as the drive the share gets.</summary>
    public static string Drive(string? mountPoint)
    {
        var m = Regex.Match(mountPoint ?? "Z:", @"^([A-Za-z]):?\\?$", RegexOptions.CultureInvariant);
        if (!m.Success)
        {
            throw new VirtioFsException(ErrorIds.InvalidDriveLetter, VirtioFsErrorKind.InvalidArgument,
                $"'{mountPoint}' is not a drive letter; a Windows guest mounts a share as a drive.", mountPoint, "Give -MountPoint Z: (any free letter).");
        }
        return char.ToUpperInvariant(m.Groups[1].Value[0]) + ":";
    }

    /// <summary>The WinFsp launcher instance for a tag; also named in Get-VirtioFsGuestMount's manual steps.</summary>
    public static string Instance(string tag) =>
        "viofs-" + new string(tag.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_' ? c : '_').ToArray());

    private static string Task(string instance) => @"VirtioFs\" + instance;

    private static Facts Read(GuestSession session, string tag)
    {
        var agent = session.Agent;
        var query = agent.Exec("sc.exe", ["query", Service]);
        if (!query.Succeeded)
        {
            throw new VirtioFsException(ErrorIds.GuestWindowsDriverMissing, VirtioFsErrorKind.NotInstalled,
                $"The Windows guest of {agent.Label} has no {Service} service, so virtio-win's virtio-fs driver and virtiofs.exe are not installed ({query.Explanation}). Nothing was changed.",
                Service, "Install virtio-win-guest-tools.exe from the virtio-win ISO in the guest (it installs the viofs driver and the VirtIO-FS service), then run the command again.");
        }
        var config = agent.Exec("sc.exe", ["qc", Service]);
        var winfsp = agent.Exec("reg.exe", ["query", WinFspKey, "/v", "InstallDir", "/reg:32"]);
        string? dir = RegValue(winfsp.StdOut, "InstallDir");
        if (!winfsp.Succeeded || dir is null)
        {
            throw new VirtioFsException(ErrorIds.GuestWinFspMissing, VirtioFsErrorKind.NotInstalled,
                $"The Windows guest of {agent.Label} has no WinFsp ({winfsp.Explanation}); the VirtIO-FS service is a WinFsp file system. Nothing was changed.",
                "WinFsp", "Install WinFsp (winfsp-<version>.msi from https://winfsp.dev/rel/, with its Core feature) in the guest, then run the command again.");
        }
        string arch = session.Os.Machine is { } machine && machine.Contains("arm", StringComparison.OrdinalIgnoreCase) || session.Os.Machine == "aarch64" ? "a64" : "x64";
        string launchctl = dir.TrimEnd('\\') + @"\bin\launchctl-" + arch + ".exe";
        string instance = Instance(tag);
        bool several = session.LiveTags.Count > 1;
        string? serviceMountPoint = RegValue(agent.Exec("reg.exe", ["query", ServiceKey, "/v", "MountPoint"]).StdOut, "MountPoint");
        string? launcherCommand = null;
        bool instanceRunning = false, taskExists = false;
        if (several)
        {
            launcherCommand = RegValue(agent.Exec("reg.exe", ["query", LauncherKey, "/v", "CommandLine", "/reg:32"]).StdOut, "CommandLine");
            instanceRunning = agent.Exec(launchctl, ["info", "virtiofs", instance]).Succeeded;
            taskExists = agent.Exec("schtasks.exe", ["/Query", "/TN", Task(instance)]).Succeeded;
        }
        return new Facts(Field(query.StdOut, "STATE") ?? "UNKNOWN", Field(config.StdOut, "START_TYPE") ?? "UNKNOWN",
            BinaryPath(config.StdOut) ?? @"C:\Program Files\Virtio-Win\VioFS\virtiofs.exe", dir, serviceMountPoint,
            launcherCommand, instanceRunning, taskExists, several, launchctl, instance);
    }

    private static void Add(GuestSession session, GuestPlan plan, string[] argv)
    {
        // No environment: guest-exec's env would replace Windows' whole one (PATH, SystemRoot), which sc.exe and reg.exe need.
        plan.Add(GuestAgent.Display(argv[0], argv[1..]), () => session.Agent.ExecChecked(argv, env: null,
            "Read the guest's message above (sc.exe and reg.exe print the Windows error)."));
    }

    /// <summary>"        STATE              : 4  RUNNING" gives RUNNING; START_TYPE : 2   AUTO_START gives AUTO_START.</summary>
    internal static string? Field(string output, string name)
    {
        var m = Regex.Match(output, @"^\s*" + name + @"\s*:\s*\d+\s+(\S+)", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>BINARY_PATH_NAME of sc.exe qc, without its quotes.</summary>
    internal static string? BinaryPath(string output)
    {
        var m = Regex.Match(output, @"^\s*BINARY_PATH_NAME\s*:\s*(.+?)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        if (!m.Success)
        {
            return null;
        }
        string v = m.Groups[1].Value;
        return v.StartsWith('"') ? v[1..].Split('"')[0] : v;
    }

    /// <summary>"    InstallDir    REG_SZ    C:\Program Files (x86)\WinFsp\" gives the value.</summary>
    internal static string? RegValue(string output, string name)
    {
        var m = Regex.Match(output, @"^\s+" + Regex.Escape(name) + @"\s+REG_\w+\s+(.*?)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
        return m.Success ? m.Groups[1].Value : null;
    }
}
