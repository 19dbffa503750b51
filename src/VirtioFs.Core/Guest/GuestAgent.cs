// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Libvirt;

namespace VirtioFs.Guest;

/// <summary>
/// The QEMU guest agent's JSON protocol, as the module uses it: ping (with a bounded wait for a guest that
/// is still booting), guest-get-osinfo, files (open/read/write/close) and guest-exec with status polling.
/// Programs run as an argv array, never through a shell. Every libvirt failure becomes an error with an id
/// (ErrorIds) that says whether the agent is missing, not answering or busy, or whether the command failed.
/// Facts this rests on (libvirt 9.0, qemu-ga 7.2): /work/notes/issue12-findings.md.
/// </summary>
internal sealed class GuestAgent
{
    /// <summary>Seconds libvirt waits for one reply. Never 0: NOWAIT fails even against a healthy agent.</summary>
    public const int CommandTimeoutSeconds = 10;

    /// <summary>The most a file read returns; /etc/fstab, /proc/self/mounts and modules.dep are far smaller.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    private const int ReadChunk = 1024 * 1024;

    private readonly IGuestDomain _domain;
    private readonly CancellationToken _ct;

    public GuestAgent(IGuestDomain domain, TimeSpan timeout, CancellationToken ct)
    {
        _domain = domain;
        Timeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(1);
        _ct = ct;
    }

    /// <summary>How long to wait for the agent to answer, and for one guest program to finish.</summary>
    public TimeSpan Timeout { get; }

    public IGuestDomain Domain => _domain;

    public string Label => $"domain '{_domain.Name}' on {_domain.ConnectionUri}";

    /// <summary>
    /// Pings until the agent answers or <see cref="Timeout"/> passes: right after a start the agent needs
    /// 8-33 s on TCG. Retries only "not connected / not available" (86); a missing channel, a stopped
    /// domain or another caller holding the agent for 30 s (68) fail at once. Returns how long it took.
    /// </summary>
    public TimeSpan WaitReady(Action<TimeSpan>? waiting = null)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            _ct.ThrowIfCancellationRequested();
            int seconds = (int)Math.Clamp(Math.Ceiling((Timeout - sw.Elapsed).TotalSeconds), 1, 5);
            try
            {
                Call("guest-ping", null, seconds);
                return sw.Elapsed;
            }
            catch (VirtioFsException e) when (e.ErrorId == ErrorIds.GuestAgentUnresponsive)
            {
                if (sw.Elapsed >= Timeout)
                {
                    throw new VirtioFsException(ErrorIds.GuestAgentUnresponsive, VirtioFsErrorKind.OperationTimeout,
                        $"The QEMU guest agent of {Label} did not answer within {Timeout.TotalSeconds:0} s ({e.InnerException?.Message ?? e.Message}). Nothing was changed in the guest.",
                        _domain.Name, UnresponsiveFix, e);
                }
                waiting?.Invoke(sw.Elapsed);
                if (_ct.WaitHandle.WaitOne(500))
                {
                    _ct.ThrowIfCancellationRequested();
                }
            }
        }
    }

    public GuestOsInfo GetOsInfo() => GuestOsInfo.Parse(Call("guest-get-osinfo"));

    /// <summary>A whole file of the guest, or null when it does not exist.</summary>
    public byte[]? ReadFile(string path)
    {
        long handle;
        try
        {
            handle = Call("guest-file-open", w => { w.WriteString("path", path); w.WriteString("mode", "r"); }).GetInt64();
        }
        catch (VirtioFsException e) when (e.InnerException is AgentCallException { Code: AgentCallException.InternalError } a
                                          && a.AgentDescription.Contains("No such file or directory", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            using var buffer = new MemoryStream();
            while (true)
            {
                var ret = Call("guest-file-read", w => { w.WriteNumber("handle", handle); w.WriteNumber("count", ReadChunk); });
                int count = ret.TryGetProperty("count", out var c) ? c.GetInt32() : 0;
                if (count > 0 && ret.TryGetProperty("buf-b64", out var b) && b.GetString() is { Length: > 0 } b64)
                {
                    var bytes = Convert.FromBase64String(b64);
                    buffer.Write(bytes, 0, bytes.Length);
                }
                if (buffer.Length > MaxFileBytes)
                {
                    throw new VirtioFsException(ErrorIds.GuestAgentCommandFailed, VirtioFsErrorKind.LimitsExceeded,
                        $"{path} in {Label} is larger than {MaxFileBytes / (1024 * 1024)} MiB; it is not read through the agent.", path);
                }
                if (count == 0 || (ret.TryGetProperty("eof", out var eof) && eof.GetBoolean()))
                {
                    return buffer.ToArray();
                }
            }
        }
        finally
        {
            Close(handle);
        }
    }

    public string? ReadText(string path) => ReadFile(path) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// Writes a guest file (created with mode 0666 by qemu-ga when new, so callers write a temporary file,
    /// set its mode and rename it over the real one).
    /// </summary>
    public void WriteFile(string path, byte[] content)
    {
        long handle = Call("guest-file-open", w => { w.WriteString("path", path); w.WriteString("mode", "w"); }).GetInt64();
        try
        {
            for (int offset = 0; offset < content.Length; offset += ReadChunk)
            {
                int n = Math.Min(ReadChunk, content.Length - offset);
                string b64 = Convert.ToBase64String(content, offset, n);
                Call("guest-file-write", w => { w.WriteNumber("handle", handle); w.WriteString("buf-b64", b64); });
            }
        }
        finally
        {
            Close(handle);
        }
    }

    /// <summary>
    /// Runs a program in the guest (argv, no shell; <paramref name="env"/> replaces the whole environment
    /// when given) and waits for it, polling guest-exec-status. The first status that says "exited" is the
    /// only one: qemu-ga forgets the process after it.
    /// </summary>
    public GuestExecResult Exec(string path, IReadOnlyList<string> args, IReadOnlyList<string>? env = null, TimeSpan? timeout = null)
    {
        var ret = Call("guest-exec", w =>
        {
            w.WriteString("path", path);
            w.WriteStartArray("arg");
            foreach (string a in args)
            {
                w.WriteStringValue(a);
            }
            w.WriteEndArray();
            if (env is not null)
            {
                w.WriteStartArray("env");
                foreach (string e in env)
                {
                    w.WriteStringValue(e);
                }
                w.WriteEndArray();
            }
            w.WriteBoolean("capture-output", true);
        });
        long pid = ret.GetProperty("pid").GetInt64();
        var limit = timeout ?? Timeout;
        var sw = Stopwatch.StartNew();
        int delay = 20;
        while (true)
        {
            var status = Call("guest-exec-status", w => w.WriteNumber("pid", pid));
            if (status.TryGetProperty("exited", out var exited) && exited.GetBoolean())
            {
                return new GuestExecResult(
                    status.TryGetProperty("exitcode", out var code) ? code.GetInt32() : null,
                    status.TryGetProperty("signal", out var sig) ? sig.GetInt32() : null,
                    Decode(status, "out-data"), Decode(status, "err-data"));
            }
            if (sw.Elapsed >= limit)
            {
                throw new VirtioFsException(ErrorIds.GuestCommandTimeout, VirtioFsErrorKind.OperationTimeout,
                    $"'{Display(path, args)}' did not finish within {limit.TotalSeconds:0} s in {Label}; it still runs there as pid {pid}.",
                    Display(path, args), "Look at the guest (a mount that hangs usually means the share's virtiofsd is gone: Get-VirtioFsDaemon, Test-VirtioFsDomain), or give more time with -TimeoutSec.");
            }
            if (_ct.WaitHandle.WaitOne(delay))
            {
                _ct.ThrowIfCancellationRequested();
            }
            delay = Math.Min(delay * 2, 250);
        }
    }

    /// <summary>
    /// Runs a program that must succeed (<see cref="Exec"/>, argv[0] the program). A failure is
    /// <paramref name="errorId"/> naming the command line, how it ended and what it printed; <paramref name="hint"/>
    /// says where to read more, which differs between a Linux and a Windows guest.
    /// </summary>
    public void ExecChecked(IReadOnlyList<string> argv, IReadOnlyList<string>? env, string hint, string errorId = ErrorIds.GuestCommandFailed)
    {
        var args = argv.Skip(1).ToArray();
        var r = Exec(argv[0], args, env);
        if (r.Succeeded)
        {
            return;
        }
        string shown = Display(argv[0], args);
        // The exit status is said once: Explanation falls back to it when the command printed nothing.
        string ended = r.Signal is int s ? $"killed by signal {s}" : $"exit code {r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}";
        string said = r.Explanation == ended ? $": {ended}" : $" ({ended}): {r.Explanation}";
        throw new VirtioFsException(errorId, VirtioFsErrorKind.InvalidOperation,
            $"'{shown}' failed in the guest of {Label}{said}", shown, hint);
    }

    /// <summary>A command line to show: argv joined, with POSIX quotes where needed.</summary>
    public static string Display(string path, IReadOnlyList<string> args)
    {
        var parts = new List<string> { Quote(path) };
        foreach (string a in args)
        {
            parts.Add(Quote(a));
        }
        return string.Join(' ', parts);
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.IndexOfAny([' ', '\t', '\'', '"', '\\', '$', '`', '*', '?', ';', '&', '|', '<', '>', '(', ')', '%']) < 0
            ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private void Close(long handle)
    {
        try
        {
            Call("guest-file-close", w => w.WriteNumber("handle", handle));
        }
        catch (VirtioFsException)
        {
            // The handle dies with the agent anyway; the caller's own error matters more.
        }
    }

    private static string Decode(JsonElement status, string name) =>
        status.TryGetProperty(name, out var v) && v.GetString() is { Length: > 0 } b64 ? Encoding.UTF8.GetString(Convert.FromBase64String(b64)) : string.Empty;

    /// <summary>Sends one command; the reply's "return" value, or an error with an id.</summary>
    public JsonElement Call(string command, Action<Utf8JsonWriter>? arguments = null, int timeoutSeconds = CommandTimeoutSeconds)
    {
        _ct.ThrowIfCancellationRequested();
        string json = Build(command, arguments);
        string reply;
        try
        {
            reply = _domain.AgentCommand(json, timeoutSeconds);
        }
        catch (AgentCallException e)
        {
            throw Map(e, command);
        }
        try
        {
            using var doc = JsonDocument.Parse(reply);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("return", out var ret))
            {
                return ret.Clone();
            }
        }
        catch (JsonException)
        {
        }
        throw new VirtioFsException(ErrorIds.GuestAgentCommandFailed, VirtioFsErrorKind.InvalidResult,
            $"The guest agent of {Label} answered {command} with something that is not a reply: {reply}", command);
    }

    internal static string Build(string command, Action<Utf8JsonWriter>? arguments)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("execute", command);
            if (arguments is not null)
            {
                w.WriteStartObject("arguments");
                arguments(w);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private const string UnresponsiveFix =
        "Check that qemu-guest-agent is installed and running in the guest (systemctl status qemu-guest-agent); right after a start give it longer with -TimeoutSec. Test-VirtioFsDomain shows the channel's state.";

    private VirtioFsException Map(AgentCallException e, string command) => e.Code switch
    {
        AgentCallException.OperationInvalid => new VirtioFsException(ErrorIds.DomainNotRunning, VirtioFsErrorKind.InvalidOperation,
            $"Domain '{_domain.Name}' on {_domain.ConnectionUri} is not running, so its guest cannot be reached ({e.Message}).", _domain.Name,
            $"Start it (virsh -c {_domain.ConnectionUri} start {_domain.Name}) and run the command again once the guest agent answers.", e),
        AgentCallException.ArgumentUnsupported => NotConfigured(e),
        AgentCallException.AgentUnresponsive => new VirtioFsException(ErrorIds.GuestAgentUnresponsive, VirtioFsErrorKind.OperationTimeout,
            $"The QEMU guest agent of {Label} does not answer {command}: {e.Message}", _domain.Name, UnresponsiveFix, e),
        AgentCallException.OperationTimeout => new VirtioFsException(ErrorIds.GuestAgentBusy, VirtioFsErrorKind.ResourceBusy,
            $"Another caller has held the guest agent of {Label} for 30 s ({e.Message}).", _domain.Name,
            "Wait for the other agent command (virsh qemu-agent-command, a backup's fsfreeze) to finish, then run the command again.", e),
        _ => new VirtioFsException(ErrorIds.GuestAgentCommandFailed, VirtioFsErrorKind.InvalidResult,
            $"The guest agent of {Label} failed {command}: {e.AgentDescription}", command,
            "Read the agent's message above; qemu-ga logs to the guest's journal (journalctl -u qemu-guest-agent).", e),
    };

    public VirtioFsException NotConfigured(Exception? inner = null) => new(ErrorIds.GuestAgentNotConfigured, VirtioFsErrorKind.NotEnabled,
        $"{char.ToUpperInvariant(Label[0])}{Label[1..]} has no QEMU guest agent channel (org.qemu.guest_agent.0), so the module cannot reach its guest. Nothing was changed.",
        _domain.Name,
        $"Add the channel: Add-VirtioFsGuestAgentChannel -Domain {_domain.Name} (it applies at the next start unless the domain has a virtio-serial controller), and install qemu-guest-agent in the guest.",
        inner);
}
