// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Guest;
using VirtioFs.Tests.Fakes;
using Xunit;

namespace VirtioFs.Tests.Core.Guest;

/// <summary>The Windows steps against a stand-in that answers with qemu-ga's Windows JSON and the tools' output.</summary>
public sealed class WindowsShareMounterTests
{
    private readonly List<string> _plans = [];

    private static GuestSession Session(FakeQemuGa ga)
    {
        var session = GuestSession.Open(ga, TimeSpan.FromSeconds(5), CancellationToken.None);
        session.Connect(null);
        return session;
    }

    private VirtioFsGuestMountState? Mount(FakeQemuGa ga, string? drive = "Z:", bool persist = true, bool approve = true) =>
        WindowsShareMounter.Mount(Session(ga), new GuestMountRequest("data", drive, false, [], persist, false), p => { _plans.Add(p); return approve; });

    [Fact]
    public void One_share_uses_the_VirtIO_FS_service()
    {
        var ga = new FakeQemuGa("win1", windows: true);
        Assert.Null(Mount(ga, approve: false));
        Assert.Equal(
            "Mount virtio-fs share 'data' as Z: in the Windows guest of domain 'win1' on qemu:///system:" + Environment.NewLine +
            @"  reg.exe add 'HKLM\Software\VirtIO-FS' /v MountPoint /t REG_SZ /d Z: /f" + Environment.NewLine +
            "  sc.exe config VirtioFsSvc start= auto" + Environment.NewLine +
            "  sc.exe start VirtioFsSvc", Assert.Single(_plans));
        Assert.Equal("STOPPED", ga.ServiceState);
        var state = Mount(ga)!;
        Assert.True(state.Mounted && state.Persistent);
        Assert.Equal("Z:", state.MountPoint);
        Assert.Equal("service VirtioFsSvc (automatic start)", state.PersistedIn);
        Assert.Equal("Windows Server 2019 Standard", state.GuestOs);
        Assert.Equal("AUTO_START", ga.StartType);
        Assert.Equal("Z:", ga.Registry[@"HKLM\Software\VirtIO-FS\MountPoint"]);
        Assert.Empty(Mount(ga)!.Changes);
    }

    [Fact]
    public void Several_shares_use_the_WinFsp_launcher()
    {
        var ga = new FakeQemuGa("win2", windows: true) { ServiceState = "RUNNING" };
        ga.LiveTags.Add("media");
        Assert.Null(Mount(ga, drive: "y", approve: false));
        Assert.Equal(
            "Mount virtio-fs share 'data' as Y: in the Windows guest of domain 'win2' on qemu:///system:" + Environment.NewLine +
            "  sc.exe stop VirtioFsSvc" + Environment.NewLine +
            "  sc.exe config VirtioFsSvc start= disabled" + Environment.NewLine +
            @"  reg.exe add 'HKLM\SOFTWARE\WinFsp\Services\virtiofs' /v Executable /t REG_SZ /d 'C:\Program Files\Virtio-Win\VioFS\virtiofs.exe' /f /reg:32" + Environment.NewLine +
            @"  reg.exe add 'HKLM\SOFTWARE\WinFsp\Services\virtiofs' /v CommandLine /t REG_SZ /d '-t %1 -m %2' /f /reg:32" + Environment.NewLine +
            @"  reg.exe add 'HKLM\SOFTWARE\WinFsp\Services\virtiofs' /v JobControl /t REG_DWORD /d 1 /f /reg:32" + Environment.NewLine +
            @"  'C:\Program Files (x86)\WinFsp\bin\launchctl-x64.exe' start virtiofs viofs-data data Y:" + Environment.NewLine +
            @"  schtasks.exe /Create /F /TN 'VirtioFs\viofs-data' /SC ONSTART /RU SYSTEM /TR '""C:\Program Files (x86)\WinFsp\bin\launchctl-x64.exe"" start virtiofs viofs-data data Y:'",
            Assert.Single(_plans));
        Assert.Equal("RUNNING", ga.ServiceState);
        var state = Mount(ga, drive: "Y:")!;
        Assert.True(state.Mounted && state.Persistent);
        Assert.Contains("viofs-data", ga.Instances);
        Assert.Equal(@"task VirtioFs\viofs-data", state.PersistedIn);
        Assert.Empty(Mount(ga, drive: "Y:")!.Changes);
        var off = Assert.Single(WindowsShareMounter.Dismount(Session(ga), new GuestDismountRequest("data", null, true), _ => true)!);
        Assert.Equal([@"'C:\Program Files (x86)\WinFsp\bin\launchctl-x64.exe' stop virtiofs viofs-data", @"schtasks.exe /Delete /TN 'VirtioFs\viofs-data' /F"], off.Changes);
        Assert.Empty(ga.Instances);
        Assert.Empty(ga.Tasks);
    }

    [Fact]
    public void Without_the_driver_or_WinFsp_nothing_is_changed()
    {
        var noDriver = new FakeQemuGa("w", windows: true) { ServiceInstalled = false };
        var e = Assert.Throws<VirtioFsException>(() => Mount(noDriver));
        Assert.Equal(ErrorIds.GuestWindowsDriverMissing, e.ErrorId);
        Assert.Contains("The specified service does not exist as an installed service.", e.Message);
        var noWinFsp = new FakeQemuGa("w", windows: true) { WinFspInstalled = false };
        var f = Assert.Throws<VirtioFsException>(() => Mount(noWinFsp));
        Assert.Equal(ErrorIds.GuestWinFspMissing, f.ErrorId);
        Assert.Contains("unable to find the specified registry key", f.Message);
        Assert.Empty(_plans);
        Assert.All(noWinFsp.Ran, r => Assert.Matches(" (query|qc) ", r));
    }

    [Theory]
    [InlineData(null, "Z:")]
    [InlineData("x", "X:")]
    [InlineData("Q:\\", "Q:")]
    public void Drives_are_letters(string? given, string drive) => Assert.Equal(drive, WindowsShareMounter.Drive(given));

    [Fact]
    public void A_linux_path_is_no_drive() =>
        Assert.Equal(ErrorIds.InvalidDriveLetter, Assert.Throws<VirtioFsException>(() => WindowsShareMounter.Drive("/srv/www")).ErrorId);
}
