// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using VirtioFs.Guest;
using VirtioFs.Libvirt;

namespace VirtioFs.Tests.Fakes;

/// <summary>
/// A running domain with a QEMU guest agent, for tests: it speaks qemu-ga's JSON interface exactly as the real
/// one does through virDomainQemuAgentCommand (measured with libvirt 9.0 and qemu-ga 7.2 in
/// /work/notes/issue12-findings.md §6-9; Windows replies from qga/commands-win32.c): the same reply shapes
/// ({"return":...}), the same argument checking ("Parameter 'x' is unexpected"), the same libvirt error codes and
/// messages (55, 74, 86, 1 with "unable to execute QEMU agent command"), guest-exec-status that answers
/// "exited":false first and forgets a process after its one "exited":true, output keys only when there is output,
/// file handles from 1000 up. Behind it is a small guest: files, directories, mounts, and the programs the module
/// runs, with busybox's messages and exit codes (Linux) or sc.exe/reg.exe's (Windows).
/// </summary>
internal sealed class FakeQemuGa : IGuestDomain
{
    private static readonly Dictionary<string, string[]> s_arguments = new()
    {
        ["guest-ping"] = [],
        ["guest-info"] = [],
        ["guest-get-osinfo"] = [],
        ["guest-file-open"] = ["path", "mode"],
        ["guest-file-read"] = ["handle", "count"],
        ["guest-file-write"] = ["handle", "buf-b64", "count"],
        ["guest-file-close"] = ["handle"],
        ["guest-exec"] = ["path", "arg", "env", "input-data", "capture-output"],
        ["guest-exec-status"] = ["pid"],
    };

    private readonly Dictionary<long, (string Path, bool Write, MemoryStream Data)> _handles = new();
    private readonly Dictionary<long, (GuestProgramResult Result, bool Polled)> _processes = new();
    private long _nextHandle = 1000;
    private long _nextPid = 100;

    public FakeQemuGa(string name = "vm1", bool windows = false)
    {
        Name = name;
        Windows = windows;
        Os = windows
            // qmp_guest_get_osinfo on Windows Server 2019 (build 17763): every field is set.
            ? """{"kernel-release":"17763","kernel-version":"10.0","machine":"x86_64","id":"mswindows","name":"Microsoft Windows","pretty-name":"Windows Server 2019 Standard","version":"Microsoft Windows Server 2019","version-id":"2019","variant":"server","variant-id":"server"}"""
            // The test guest's real reply (Debian 12 kernel, /usr/lib/os-release).
            : """{"name":"Debian GNU/Linux","kernel-release":"6.1.0-57-amd64","version":"12 (bookworm)","pretty-name":"Debian GNU/Linux 12 (bookworm)","version-id":"12","kernel-version":"#1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)","machine":"x86_64","id":"debian"}""";
        if (!windows)
        {
            Dirs.UnionWith(["/", "/etc", "/mnt", "/srv", "/proc", "/lib", "/lib/modules", "/run", "/tmp"]);
            Files["/etc/fstab"] = [];
            Modes["/etc/fstab"] = "644";
        }
    }

    public string Name { get; }

    public string ConnectionUri { get; set; } = "qemu:///system";

    public bool Windows { get; }

    // The domain, as libvirt sees it.
    public bool Running { get; set; } = true;
    public bool Channel { get; set; } = true;
    public bool Connected { get; set; } = true;
    /// <summary>Pings answered "not connected" before the agent comes up (a booting guest).</summary>
    public int PingsBeforeConnected { get; set; }
    /// <summary>Every command fails like a frozen agent: code 86 after the timeout (not waited for here).</summary>
    public bool Hung { get; set; }
    /// <summary>Another caller holds the agent job: code 68.</summary>
    public bool Busy { get; set; }
    public List<string> LiveTags { get; } = ["data"];
    public List<string> DefinedTags { get; } = ["data"];

    // The guest.
    public string Os { get; set; }
    public HashSet<string> Dirs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Modes { get; } = new(StringComparer.Ordinal);
    public List<(string Source, string Target, string Type, string Options)> Mounts { get; } = [("/dev/root", "/", "ext4", "rw,relatime")];
    public bool VirtiofsLoaded { get; set; } = true;
    public bool VirtiofsInModulesDep { get; set; } = true;
    public bool Systemd { get; set; }
    public HashSet<string> EnabledUnits { get; } = new(StringComparer.Ordinal);
    public HashSet<string> BusyMountPoints { get; } = new(StringComparer.Ordinal);
    /// <summary>mount fails this many times with "Invalid argument" before it works (a device still arriving).</summary>
    public int MountFailures { get; set; }
    public string? MountAlwaysFails { get; set; }

    // Windows.
    public bool ServiceInstalled { get; set; } = true;
    public string ServiceState { get; set; } = "STOPPED";
    public string StartType { get; set; } = "DEMAND_START";
    public bool WinFspInstalled { get; set; } = true;
    public Dictionary<string, string> Registry { get; } = new(StringComparer.OrdinalIgnoreCase);
    public HashSet<string> Instances { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Tasks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every command sent, as JSON, in order.</summary>
    public List<string> Sent { get; } = [];

    /// <summary>Every program run, as argv joined by spaces.</summary>
    public List<string> Ran { get; } = [];

    public int Timeouts { get; private set; }

    public bool IsActive() => Running;

    public string LiveXml() => Xml(LiveTags, Channel, Connected ? "connected" : "disconnected");

    public string InactiveXml() => Xml(DefinedTags, Channel, null);

    private string Xml(IEnumerable<string> tags, bool channel, string? state) =>
        $"""
        <domain type='qemu'>
          <name>{Name}</name>
          <memory unit='MiB'>256</memory>
          <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
          <devices>
            {string.Concat(tags.Select(t => $"<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/srv/{t}'/><target dir='{t}'/></filesystem>"))}
            {(channel ? $"<channel type='unix'><source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-1-{Name}/org.qemu.guest_agent.0'/><target type='virtio' name='org.qemu.guest_agent.0'{(state is null ? "" : $" state='{state}'")}/><address type='virtio-serial' controller='0' bus='0' port='1'/></channel>" : "")}
          </devices>
        </domain>
        """;

    public string AgentCommand(string json, int timeoutSeconds)
    {
        Sent.Add(json);
        if (timeoutSeconds == 0 || timeoutSeconds < -2)
        {
            throw new InvalidOperationException($"timeout {timeoutSeconds}: the module must never use NOWAIT (0) or an invalid value");
        }
        if (!Running)
        {
            throw new AgentCallException(55, "Requested operation is not valid: domain is not running");
        }
        if (!Channel)
        {
            throw new AgentCallException(74, "argument unsupported: QEMU guest agent is not configured");
        }
        if (Busy)
        {
            throw new AgentCallException(68, "Timed out during operation: cannot acquire state change lock (held by agent=qemuDispatchDomainAgentCommand)");
        }
        if (Hung)
        {
            Timeouts++;
            throw new AgentCallException(86, "Guest agent is not responding: Guest agent not available for now");
        }
        using var doc = JsonDocument.Parse(json);
        string command = doc.RootElement.GetProperty("execute").GetString()!;
        if (!Connected || (command == "guest-ping" && PingsBeforeConnected > 0))
        {
            if (PingsBeforeConnected > 0 && --PingsBeforeConnected == 0)
            {
                Connected = true;
            }
            throw new AgentCallException(86, "Guest agent is not responding: QEMU guest agent is not connected");
        }
        if (!s_arguments.TryGetValue(command, out var allowed))
        {
            throw Failed(command, $"The command {command} has not been found");
        }
        var args = doc.RootElement.TryGetProperty("arguments", out var a) ? a : default;
        if (args.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in args.EnumerateObject())
            {
                if (!allowed.Contains(p.Name))
                {
                    throw Failed(command, $"Parameter '{p.Name}' is unexpected");
                }
            }
        }
        return "{\"return\":" + Dispatch(command, args) + "}";
    }

    private static AgentCallException Failed(string command, string description) =>
        new(1, $"internal error: unable to execute QEMU agent command '{command}': {description}");

    private string Dispatch(string command, JsonElement args)
    {
        switch (command)
        {
            case "guest-ping":
                return "{}";
            case "guest-get-osinfo":
                return Os;
            case "guest-file-open":
            {
                string path = args.GetProperty("path").GetString()!;
                string mode = args.TryGetProperty("mode", out var m) ? m.GetString()! : "r";
                bool write = mode.StartsWith('w') || mode.StartsWith('a');
                if (!write && ReadVirtual(path) is null)
                {
                    throw Failed(command, $"failed to open file '{path}' (mode: '{mode}'): No such file or directory");
                }
                if (write)
                {
                    string parent = Path.GetDirectoryName(path)!;
                    if (!Dirs.Contains(parent))
                    {
                        throw Failed(command, $"failed to open file '{path}' (mode: '{mode}'): No such file or directory");
                    }
                    if (!Files.ContainsKey(path))
                    {
                        Modes[path] = "666"; // DEFAULT_NEW_FILE_MODE of qga/commands-posix.c
                    }
                    Files[path] = [];
                }
                long id = _nextHandle++;
                _handles[id] = (path, write, write ? new MemoryStream() : new MemoryStream(ReadVirtual(path)!, writable: false));
                return id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            case "guest-file-read":
            {
                var h = Handle(command, args);
                int count = args.TryGetProperty("count", out var c) ? c.GetInt32() : 4096;
                var buf = new byte[count];
                int n = h.Data.Read(buf, 0, count);
                bool eof = h.Data.Position >= h.Data.Length;
                return $"{{\"count\":{n},\"buf-b64\":\"{Convert.ToBase64String(buf, 0, n)}\",\"eof\":{(eof ? "true" : "false")}}}";
            }
            case "guest-file-write":
            {
                var h = Handle(command, args);
                var bytes = Convert.FromBase64String(args.GetProperty("buf-b64").GetString()!);
                h.Data.Write(bytes);
                Files[h.Path] = h.Data.ToArray();
                return $"{{\"count\":{bytes.Length},\"eof\":false}}";
            }
            case "guest-file-close":
            {
                long id = args.GetProperty("handle").GetInt64();
                Handle(command, args);
                _handles.Remove(id);
                return "{}";
            }
            case "guest-exec":
            {
                string path = args.GetProperty("path").GetString()!;
                var argv = args.TryGetProperty("arg", out var arr) ? arr.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
                Ran.Add(string.Join(' ', new[] { path }.Concat(argv)));
                var result = Windows ? RunWindows(path, argv) : RunLinux(Path.GetFileName(path), argv);
                if (result is null)
                {
                    throw Failed(command, $"Guest agent command failed, error was 'Failed to execute child process \u201c{path}\u201d (No such file or directory)'");
                }
                long pid = _nextPid++;
                _processes[pid] = (result, false);
                return $"{{\"pid\":{pid}}}";
            }
            case "guest-exec-status":
            {
                long pid = args.GetProperty("pid").GetInt64();
                if (!_processes.TryGetValue(pid, out var p))
                {
                    throw Failed(command, "Invalid parameter 'pid'");
                }
                if (!p.Polled)
                {
                    _processes[pid] = (p.Result, true);
                    return "{\"exited\":false}";
                }
                _processes.Remove(pid);
                var sb = new StringBuilder($"{{\"exitcode\":{p.Result.ExitCode}");
                if (p.Result.Err.Length > 0)
                {
                    sb.Append($",\"err-data\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Result.Err))}\"");
                }
                if (p.Result.Out.Length > 0)
                {
                    sb.Append($",\"out-data\":\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Result.Out))}\"");
                }
                if (p.Result.Err.Length > 0)
                {
                    sb.Append(",\"err-truncated\":false");
                }
                if (p.Result.Out.Length > 0)
                {
                    sb.Append(",\"out-truncated\":false");
                }
                return sb.Append(",\"exited\":true}").ToString();
            }
            default:
                throw Failed(command, $"The command {command} has not been found");
        }
    }

    private (string Path, bool Write, MemoryStream Data) Handle(string command, JsonElement args)
    {
        long id = args.GetProperty("handle").GetInt64();
        return _handles.TryGetValue(id, out var h) ? h : throw Failed(command, $"handle '{id}' has not been found");
    }

    /// <summary>What reading a path gives: /proc files from the guest's state, else the file; null when missing.</summary>
    private byte[]? ReadVirtual(string path)
    {
        string? text = path switch
        {
            "/proc/self/mounts" => string.Concat(Mounts.Select(m => $"{m.Source} {m.Target.Replace(" ", "\\040", StringComparison.Ordinal)} {m.Type} {m.Options} 0 0\n")),
            "/proc/filesystems" => "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n" + (VirtiofsLoaded ? "\tfuseblk\nnodev\tfuse\nnodev\tfusectl\nnodev\tvirtiofs\n" : ""),
            "/proc/1/comm" => Systemd ? "systemd\n" : "init\n",
            _ when path == $"/lib/modules/{KernelRelease}/modules.dep" => VirtiofsInModulesDep
                ? "kernel/drivers/virtio/virtio.ko:\nkernel/fs/fuse/fuse.ko:\nkernel/fs/fuse/virtiofs.ko: kernel/fs/fuse/fuse.ko kernel/drivers/virtio/virtio.ko\n"
                : "kernel/drivers/virtio/virtio.ko:\n",
            _ => null,
        };
        if (text is not null)
        {
            return Encoding.UTF8.GetBytes(text);
        }
        return Files.TryGetValue(path, out var bytes) ? bytes : null;
    }

    public string KernelRelease => JsonDocument.Parse(Os).RootElement.GetProperty("kernel-release").GetString()!;

    public string Text(string path) => Encoding.UTF8.GetString(Files[path]);

    private static GuestProgramResult Ok(string output = "") => new(0, output, "");

    private static GuestProgramResult Fail(int code, string err, string output = "") => new(code, output, err);

    // ---- Linux: busybox 1.35's messages and exit codes (findings §8) ----

    private GuestProgramResult? RunLinux(string program, string[] argv)
    {
        switch (program)
        {
            case "stat":
            {
                var paths = argv.SkipWhile(a => a != "--").Skip(1).ToList();
                var output = new StringBuilder();
                var err = new StringBuilder();
                foreach (string p in paths)
                {
                    if (Dirs.Contains(p))
                    {
                        output.Append($"directory:755:{p}\n");
                    }
                    else if (Files.TryGetValue(p, out var f))
                    {
                        output.Append($"{(f.Length == 0 ? "regular empty file" : "regular file")}:{Modes.GetValueOrDefault(p, "644")}:{p}\n");
                    }
                    else
                    {
                        err.Append($"stat: can't stat '{p}': No such file or directory\n");
                    }
                }
                return new GuestProgramResult(err.Length > 0 ? 1 : 0, output.ToString(), err.ToString());
            }
            case "mkdir":
            {
                string target = argv.Last();
                foreach (string dir in LinuxGuest.Ancestry(target))
                {
                    if (Files.ContainsKey(dir))
                    {
                        return Fail(1, $"mkdir: can't create directory '{dir}': File exists\n");
                    }
                    Dirs.Add(dir);
                }
                return Ok();
            }
            case "rmdir":
                foreach (string dir in argv)
                {
                    if (Dirs.Any(d => d.StartsWith(dir + "/", StringComparison.Ordinal)) || Files.Keys.Any(f => f.StartsWith(dir + "/", StringComparison.Ordinal)))
                    {
                        return Fail(1, $"rmdir: '{dir}': Directory not empty\n");
                    }
                    Dirs.Remove(dir);
                }
                return Ok();
            case "modprobe":
                if (!VirtiofsInModulesDep)
                {
                    return Fail(1, $"modprobe: module {argv.Last()} not found in modules.dep\n");
                }
                VirtiofsLoaded = true;
                return Ok();
            case "mount":
                return Mount(argv);
            case "umount":
            {
                string mp = argv.Last();
                int i = Mounts.FindLastIndex(m => m.Target == mp);
                if (i < 0)
                {
                    return Fail(1, $"umount: can't unmount {mp}: Invalid argument\n");
                }
                if (BusyMountPoints.Contains(mp))
                {
                    return Fail(1, $"umount: can't unmount {mp}: Device or resource busy\n");
                }
                Mounts.RemoveAt(i);
                return Ok();
            }
            case "chmod":
                if (!Files.ContainsKey(argv[1]))
                {
                    return Fail(1, $"chmod: {argv[1]}: No such file or directory\n");
                }
                Modes[argv[1]] = argv[0];
                return Ok();
            case "mv":
            {
                string from = argv[^2], to = argv[^1];
                if (!Files.Remove(from, out var bytes))
                {
                    return Fail(1, $"mv: can't rename '{from}': No such file or directory\n");
                }
                Files[to] = bytes;
                Modes[to] = Modes.GetValueOrDefault(from, "644");
                Modes.Remove(from);
                return Ok();
            }
            case "rm":
                Files.Remove(argv.Last());
                return Ok();
            case "systemctl" when Systemd:
                switch (argv[0])
                {
                    case "daemon-reload":
                        return Ok();
                    case "enable":
                        EnabledUnits.Add(argv[1]);
                        return Ok();
                    case "disable":
                        EnabledUnits.Remove(argv[1]);
                        return Ok();
                    case "is-enabled":
                        return EnabledUnits.Contains(argv[1]) ? Ok("enabled\n") : Fail(1, "", "disabled\n");
                    default:
                        return Fail(1, $"Unknown command verb {argv[0]}.\n");
                }
            default:
                return null;
        }
    }

    private GuestProgramResult Mount(string[] argv)
    {
        string tag = argv[^2], mp = argv[^1];
        string options = argv.SkipWhile(a => a != "-o").Skip(1).FirstOrDefault() ?? string.Empty;
        string fail(string why) => $"mount: mounting {tag} on {mp} failed: {why}\n";
        if (MountAlwaysFails is { } message)
        {
            return Fail(255, fail(message));
        }
        if (!VirtiofsLoaded)
        {
            if (!VirtiofsInModulesDep)
            {
                return Fail(255, fail("No such device"));
            }
            VirtiofsLoaded = true; // the kernel's request_module("fs-virtiofs")
        }
        if (Files.ContainsKey(mp))
        {
            return Fail(255, fail("Not a directory"));
        }
        if (!Dirs.Contains(mp))
        {
            return Fail(255, fail("No such file or directory"));
        }
        if (MountFailures > 0)
        {
            MountFailures--;
            return Fail(255, fail("Invalid argument"));
        }
        if (!LiveTags.Contains(tag))
        {
            return Fail(255, fail("Invalid argument"));
        }
        if (Mounts.Any(m => m.Target == mp && m.Source == tag))
        {
            return Fail(255, fail("Device or resource busy"));
        }
        var opts = options.Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        string kernel = (opts.Contains("ro") ? "ro" : "rw") + (opts.Contains("noatime") ? ",noatime" : ",relatime");
        Mounts.Add((tag, mp, "virtiofs", kernel));
        return Ok();
    }

    // ---- Windows: sc.exe, reg.exe, schtasks.exe and WinFsp's launchctl as they print ----

    private const string ServiceBinary = @"C:\Program Files\Virtio-Win\VioFS\virtiofs.exe";
    private const string WinFspDir = @"C:\Program Files (x86)\WinFsp\";

    private GuestProgramResult? RunWindows(string path, string[] argv)
    {
        string program = path.Split('\\').Last().ToLowerInvariant();
        switch (program)
        {
            case "sc.exe":
                return Sc(argv);
            case "reg.exe":
                return Reg(argv);
            case "schtasks.exe":
            {
                string name = argv[Array.IndexOf(argv, "/TN") + 1];
                if (argv[0] == "/Query")
                {
                    return Tasks.Contains(name)
                        ? Ok($"\r\nFolder: \\VirtioFs\r\nTaskName                                 Next Run Time          Status\r\n======================================== ====================== ===============\r\n{name.Split('\\').Last(),-40} N/A                    Ready\r\n")
                        : Fail(1, "ERROR: The system cannot find the file specified.\r\n");
                }
                if (argv[0] == "/Create")
                {
                    Tasks.Add(name);
                    return Ok($"SUCCESS: The scheduled task \"{name}\" has successfully been created.\r\n");
                }
                Tasks.Remove(name);
                return Ok($"SUCCESS: The scheduled task \"{name}\" was successfully deleted.\r\n");
            }
            case "launchctl-x64.exe" when WinFspInstalled && path.StartsWith(WinFspDir, StringComparison.OrdinalIgnoreCase):
            {
                string instance = argv[2];
                switch (argv[0])
                {
                    case "start":
                        Instances.Add(instance);
                        return Ok($"{argv[1]} {instance} {string.Join(' ', argv.Skip(3))}\r\n");
                    case "stop":
                        Instances.Remove(instance);
                        return Ok($"{argv[1]} {instance}\r\n");
                    default:
                        return Instances.Contains(instance) ? Ok($"{argv[1]} {instance} {ServiceBinary}\r\n") : Fail(1, "KO FAILED: The system cannot find the file specified.\r\n");
                }
            }
            default:
                return null;
        }
    }

    private GuestProgramResult Sc(string[] argv)
    {
        string name = argv[1];
        if (!ServiceInstalled || name != "VirtioFsSvc")
        {
            // sc.exe prints its errors on stdout and exits with the Win32 error.
            return new GuestProgramResult(1060, $"[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n", "");
        }
        switch (argv[0])
        {
            case "query":
                return Ok($"\r\nSERVICE_NAME: {name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : {(ServiceState == "RUNNING" ? 4 : 1)}  {ServiceState}\r\n                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n        SERVICE_EXIT_CODE  : 0  (0x0)\r\n        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n");
            case "qc":
                int code = StartType switch { "AUTO_START" => 2, "DISABLED" => 4, _ => 3 };
                return Ok($"[SC] QueryServiceConfig SUCCESS\r\n\r\nSERVICE_NAME: {name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        START_TYPE         : {code}   {StartType}\r\n        ERROR_CONTROL      : 1   NORMAL\r\n        BINARY_PATH_NAME   : \"{ServiceBinary}\"\r\n        LOAD_ORDER_GROUP   :\r\n        TAG                : 0\r\n        DISPLAY_NAME       : VirtIO-FS Service\r\n        DEPENDENCIES       : WinFsp.Launcher\r\n                           : VirtioFsDrv\r\n        SERVICE_START_NAME : LocalSystem\r\n");
            case "start":
                ServiceState = "RUNNING";
                return Ok($"\r\nSERVICE_NAME: {name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : 2  START_PENDING\r\n");
            case "stop":
                ServiceState = "STOPPED";
                return Ok($"\r\nSERVICE_NAME: {name}\r\n        TYPE               : 10  WIN32_OWN_PROCESS\r\n        STATE              : 3  STOP_PENDING\r\n");
            case "config":
                StartType = argv[3] switch { "auto" => "AUTO_START", "disabled" => "DISABLED", _ => "DEMAND_START" };
                return Ok("[SC] ChangeServiceConfig SUCCESS\r\n");
            default:
                return Fail(1639, "", "ERROR:  Invalid Option\r\n");
        }
    }

    private GuestProgramResult Reg(string[] argv)
    {
        string key = argv[1];
        string value = argv[Array.IndexOf(argv, "/v") + 1];
        string id = key + "\\" + value;
        if (argv[0] == "query")
        {
            if (key.Equals(@"HKLM\SOFTWARE\WinFsp", StringComparison.OrdinalIgnoreCase) && value == "InstallDir" && WinFspInstalled)
            {
                return Ok($"\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\WinFsp\r\n    InstallDir    REG_SZ    {WinFspDir}\r\n\r\n");
            }
            return Registry.TryGetValue(id, out var v)
                ? Ok($"\r\n{key.Replace("HKLM", "HKEY_LOCAL_MACHINE", StringComparison.Ordinal)}\r\n    {value}    REG_SZ    {v}\r\n\r\n")
                : Fail(1, "ERROR: The system was unable to find the specified registry key or value.\r\n");
        }
        Registry[id] = argv[Array.IndexOf(argv, "/d") + 1];
        return Ok("The operation completed successfully.\r\n\r\n");
    }
}

/// <summary>What a program in the fake guest did.</summary>
internal sealed record GuestProgramResult(int ExitCode, string Out, string Err);
