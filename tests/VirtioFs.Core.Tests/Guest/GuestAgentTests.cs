// SPDX-License-Identifier: MIT
using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Tests.Fakes;
using Xunit;

namespace VirtioFs.Tests.Core.Guest;

public sealed class GuestAgentTests
{
    private static GuestAgent Agent(FakeQemuGa ga, double seconds = 5) => new(ga, TimeSpan.FromSeconds(seconds), CancellationToken.None);

    [Fact]
    public void Commands_are_the_agents_json_and_never_use_nowait()
    {
        var ga = new FakeQemuGa();
        var agent = Agent(ga);
        agent.WaitReady();
        agent.Exec("mkdir", ["-p", "/mnt/x"], LinuxGuest.Environment);
        Assert.Equal("""{"execute":"guest-ping"}""", ga.Sent[0]);
        Assert.Equal("""{"execute":"guest-exec","arguments":{"path":"mkdir","arg":["-p","/mnt/x"],"env":["LC_ALL=C","PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"capture-output":true}}""", ga.Sent[1]);
        Assert.Matches("""^\{"execute":"guest-exec-status","arguments":\{"pid":\d+\}\}$""", ga.Sent[2]);
    }

    [Fact]
    public void Exec_polls_until_the_process_exited_and_decodes_its_output()
    {
        var ga = new FakeQemuGa();
        ga.Dirs.Add("/srv/www");
        var r = Agent(ga).Exec("stat", ["-L", "-c", "%F:%a:%n", "--", "/srv/www", "/nope"], LinuxGuest.Environment);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("directory:755:/srv/www\n", r.StdOut);
        Assert.Equal("stat: can't stat '/nope': No such file or directory\n", r.StdErr);
        // exited:false first, then the one status that says exited.
        Assert.Equal(2, ga.Sent.Count(s => s.Contains("guest-exec-status", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_missing_program_is_the_agents_error()
    {
        var e = Assert.Throws<VirtioFsException>(() => Agent(new FakeQemuGa()).Exec("/bin/nosuchprogram", []));
        Assert.Equal(ErrorIds.GuestAgentCommandFailed, e.ErrorId);
        Assert.Contains("Failed to execute child process \u201c/bin/nosuchprogram\u201d", e.Message);
        Assert.DoesNotContain("unable to execute QEMU agent command", e.Message);
    }

    [Fact]
    public void Files_are_read_whole_and_a_missing_one_is_null()
    {
        var ga = new FakeQemuGa();
        var big = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", 150_000))); // 2.4 MB: three reads
        ga.Files["/etc/big"] = big;
        var agent = Agent(ga);
        Assert.Equal(big, agent.ReadFile("/etc/big"));
        Assert.Null(agent.ReadFile("/etc/nothere"));
        Assert.Equal(3, ga.Sent.Count(s => s.Contains("guest-file-read", StringComparison.Ordinal)));
        Assert.Equal(1, ga.Sent.Count(s => s.Contains("guest-file-close", StringComparison.Ordinal)));
    }

    [Fact]
    public void Written_files_arrive_byte_for_byte()
    {
        var ga = new FakeQemuGa();
        Agent(ga).WriteFile("/etc/new", Encoding.UTF8.GetBytes("data /mnt/data virtiofs defaults,nofail 0 0\n"));
        Assert.Equal("data /mnt/data virtiofs defaults,nofail 0 0\n", ga.Text("/etc/new"));
        Assert.Equal("666", ga.Modes["/etc/new"]);
    }

    [Fact]
    public void A_booting_guest_is_waited_for()
    {
        var ga = new FakeQemuGa { Connected = false, PingsBeforeConnected = 3 };
        int waits = 0;
        Agent(ga, 10).WaitReady(_ => waits++);
        Assert.Equal(3, waits);
        Assert.Equal(4, ga.Sent.Count);
    }

    [Fact]
    public void An_agent_that_never_answers_fails_within_the_time_given()
    {
        var ga = new FakeQemuGa { Hung = true };
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<VirtioFsException>(() => Agent(ga, 1.2).WaitReady());
        Assert.Equal(ErrorIds.GuestAgentUnresponsive, e.ErrorId);
        Assert.Equal(VirtioFsErrorKind.OperationTimeout, e.Kind);
        Assert.Contains("did not answer within 1 s", e.Message);
        Assert.Contains("Guest agent not available for now", e.Message);
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.0, 4);
    }

    [Theory]
    [InlineData(nameof(FakeQemuGa.Running), "DomainNotRunning", VirtioFsErrorKind.InvalidOperation)]
    [InlineData(nameof(FakeQemuGa.Channel), "GuestAgentNotConfigured", VirtioFsErrorKind.NotEnabled)]
    [InlineData(nameof(FakeQemuGa.Busy), "GuestAgentBusy", VirtioFsErrorKind.ResourceBusy)]
    public void Libvirts_error_codes_become_ids(string fault, string id, VirtioFsErrorKind kind)
    {
        var ga = new FakeQemuGa();
        switch (fault)
        {
            case nameof(FakeQemuGa.Running): ga.Running = false; break;
            case nameof(FakeQemuGa.Channel): ga.Channel = false; break;
            default: ga.Busy = true; break;
        }
        var e = Assert.Throws<VirtioFsException>(() => Agent(ga).WaitReady());
        Assert.Equal(id, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        Assert.False(string.IsNullOrEmpty(e.RecommendedAction));
        Assert.Single(ga.Sent);
    }

    [Fact]
    public void Os_info_is_read_from_both_systems()
    {
        var linux = Agent(new FakeQemuGa()).GetOsInfo();
        Assert.False(linux.IsWindows);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", linux.Display);
        Assert.Equal(new Version(6, 1), linux.LinuxKernel);
        var windows = Agent(new FakeQemuGa(windows: true)).GetOsInfo();
        Assert.True(windows.IsWindows);
        Assert.Equal("Windows Server 2019 Standard", windows.Display);
        Assert.Equal("17763", windows.KernelRelease);
    }

    [Theory]
    [InlineData("6.1.0-57-amd64", 6, 1)]
    [InlineData("4.18.0-553.el8_10.x86_64", 4, 18)]
    [InlineData("5.4.0-1", 5, 4)]
    public void Kernel_releases_parse(string release, int major, int minor) =>
        Assert.Equal(new Version(major, minor), new GuestOsInfo("x", null, null, null, release, null, null).LinuxKernel);

    [Fact]
    public void Command_lines_are_shown_with_quotes_only_where_needed()
    {
        Assert.Equal("mount -t virtiofs -o ro,noatime www /srv/www", GuestAgent.Display("mount", ["-t", "virtiofs", "-o", "ro,noatime", "www", "/srv/www"]));
        Assert.Equal("reg.exe add 'HKLM\\Software\\VirtIO-FS' /d 'a b'", GuestAgent.Display("reg.exe", ["add", "HKLM\\Software\\VirtIO-FS", "/d", "a b"]));
    }
}
