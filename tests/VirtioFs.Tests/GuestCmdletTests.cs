// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using VirtioFs.Commands;
using VirtioFs.Internal;
using VirtioFs.Tests.Fakes;
using Xunit;

namespace VirtioFs.Tests.Cmdlets;

/// <summary>
/// Mount-/Dismount-VirtioFsShare and Get-VirtioFsGuestMount -Live in-process, against the stand-in agent: the
/// Windows path cannot run on a real guest here, so what it prints under -WhatIf is its tested output.
/// GuestCmdlet.DomainSource is process-wide, so these tests run one at a time (one collection).
/// </summary>
[Collection(nameof(GuestCmdletTests))]
public sealed class GuestCmdletTests : IDisposable
{
    private readonly Dictionary<string, FakeQemuGa> _domains = new(StringComparer.Ordinal);
    private readonly CapturingHost _host = new();
    private readonly Runspace _runspace;

    public GuestCmdletTests()
    {
        GuestCmdlet.DomainSource = (name, uri) => _domains.TryGetValue(name, out var d) ? d : throw new InvalidOperationException($"no fake domain {name}");
        var iss = InitialSessionState.CreateDefault2();
        foreach (var type in typeof(MountVirtioFsShareCommand).Assembly.GetTypes().Where(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).Length > 0))
        {
            var attr = (CmdletAttribute)type.GetCustomAttributes(typeof(CmdletAttribute), false)[0];
            iss.Commands.Add(new SessionStateCmdletEntry($"{attr.VerbName}-{attr.NounName}", type, null));
        }
        _runspace = RunspaceFactory.CreateRunspace(_host, iss);
        _runspace.Open();
    }

    public void Dispose()
    {
        GuestCmdlet.DomainSource = null;
        _runspace.Dispose();
    }

    private FakeQemuGa Add(FakeQemuGa d)
    {
        _domains[d.Name] = d;
        return d;
    }

    private (List<PSObject> Output, ErrorRecord[] Errors, string[] Warnings) Run(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        var output = ps.Invoke().ToList();
        return (output, ps.Streams.Error.ToArray(), ps.Streams.Warning.Select(w => w.Message).ToArray());
    }

    [Fact]
    public void A_windows_guest_with_one_share_prints_the_service_steps_under_WhatIf()
    {
        var win = Add(new FakeQemuGa("win1", windows: true));
        var (output, errors, _) = Run("Mount-VirtioFsShare -Domain win1 -Tag data -MountPoint Z: -Persist -WhatIf");
        Assert.Empty(errors);
        Assert.Empty(output);
        Assert.Equal(
        [
            "What if: Mount virtio-fs share 'data' as Z: in the Windows guest of domain 'win1' on qemu:///system:",
            @"  reg.exe add 'HKLM\Software\VirtIO-FS' /v MountPoint /t REG_SZ /d Z: /f",
            "  sc.exe config VirtioFsSvc start= auto",
            "  sc.exe start VirtioFsSvc",
        ], _host.Lines);
        // Under -WhatIf only the read-only checks ran in the guest.
        Assert.Equal(["sc.exe query VirtioFsSvc", "sc.exe qc VirtioFsSvc", @"reg.exe query HKLM\SOFTWARE\WinFsp /v InstallDir /reg:32", @"reg.exe query HKLM\Software\VirtIO-FS /v MountPoint"], win.Ran);
        Assert.Equal("STOPPED", win.ServiceState);
    }

    [Fact]
    public void A_windows_guest_with_several_shares_prints_the_launcher_steps_under_WhatIf()
    {
        var win = Add(new FakeQemuGa("win2", windows: true) { ServiceState = "RUNNING" });
        win.LiveTags.Add("media");
        var (_, errors, _) = Run("Mount-VirtioFsShare -Domain win2 -Tag media -MountPoint X: -WhatIf");
        Assert.Empty(errors);
        Assert.Equal(
        [
            "What if: Mount virtio-fs share 'media' as X: in the Windows guest of domain 'win2' on qemu:///system:",
            "  sc.exe stop VirtioFsSvc",
            @"  reg.exe add 'HKLM\SOFTWARE\WinFsp\Services\virtiofs' /v Executable /t REG_SZ /d 'C:\Program Files\Virtio-Win\VioFS\virtiofs.exe' /f /reg:32",
            @"  reg.exe add 'HKLM\SOFTWARE\WinFsp\Services\virtiofs' /v CommandLine /t REG_SZ /d '-t %1 -m %2' /f /reg:32",
            @"  reg.exe add 'HKLM\SOFTWARE\WinFsp\Services\virtiofs' /v JobControl /t REG_DWORD /d 1 /f /reg:32",
            @"  'C:\Program Files (x86)\WinFsp\bin\launchctl-x64.exe' start virtiofs viofs-media media X:",
        ], _host.Lines);
        Assert.Equal("RUNNING", win.ServiceState);
        Assert.Empty(win.Instances);
    }

    [Fact]
    public void A_linux_guest_is_mounted_and_the_share_binds_from_the_pipeline()
    {
        var vm = Add(new FakeQemuGa("vm1"));
        var (output, errors, _) = Run("[pscustomobject]@{ Domain = 'vm1'; ConnectionUri = ''; Tag = 'data'; ReadOnly = $true } | Mount-VirtioFsShare -MountPoint /srv/data -Persist");
        Assert.Empty(errors);
        var state = Assert.IsType<VirtioFsGuestMountState>(Assert.Single(output).BaseObject);
        Assert.True(state.Mounted && state.ReadOnly && state.Persistent);
        Assert.Equal("vm1", state.Domain);
        Assert.Equal("data /srv/data virtiofs defaults,ro,nofail 0 0\n", vm.Text("/etc/fstab"));
        var (live, liveErrors, _) = Run("Get-VirtioFsGuestMount -Domain vm1 -Live");
        Assert.Empty(liveErrors);
        Assert.Equal("/srv/data", ((VirtioFsGuestMountState)Assert.Single(live).BaseObject).MountPoint);
        var (gone, goneErrors, _) = Run("Get-VirtioFsGuestMount -Domain vm1 -Live | Dismount-VirtioFsShare -Persist -PassThru");
        Assert.Empty(goneErrors);
        Assert.False(((VirtioFsGuestMountState)Assert.Single(gone).BaseObject).Mounted);
        Assert.Empty(vm.Files["/etc/fstab"]);
    }

    [Fact]
    public void Dismounting_what_is_not_mounted_warns_and_changes_nothing()
    {
        Add(new FakeQemuGa("vm1"));
        var (output, errors, warnings) = Run("Dismount-VirtioFsShare -Domain vm1 -Tag data -Persist");
        Assert.Empty(output);
        Assert.Empty(errors);
        Assert.Contains("nothing changed", Assert.Single(warnings));
        var (_, none, _) = Run("Dismount-VirtioFsShare -Domain vm1");
        Assert.StartsWith("NoShareGiven,", Assert.Single(none).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("Running", "DomainNotRunning", ErrorCategory.InvalidOperation)]
    [InlineData("Channel", "GuestAgentNotConfigured", ErrorCategory.NotEnabled)]
    [InlineData("Tag", "GuestTagNotFound", ErrorCategory.ObjectNotFound)]
    [InlineData("Kernel", "GuestVirtioFsUnsupported", ErrorCategory.NotInstalled)]
    [InlineData("File", "GuestMountPointNotDirectory", ErrorCategory.InvalidArgument)]
    [InlineData("Fstab", "GuestFstabConflict", ErrorCategory.ResourceExists)]
    [InlineData("MountFails", "GuestMountFailed", ErrorCategory.InvalidOperation)]
    public void Each_fault_has_its_id_a_target_and_a_fix(string fault, string id, ErrorCategory category)
    {
        var vm = Add(new FakeQemuGa("vm1"));
        string tag = "data";
        switch (fault)
        {
            case "Running": vm.Running = false; break;
            case "Channel": vm.Channel = false; break;
            case "Tag": tag = "nope"; break;
            case "Kernel": vm.VirtiofsLoaded = false; vm.VirtiofsInModulesDep = false; break;
            case "File": vm.Files["/srv/data"] = [1]; break;
            case "Fstab": vm.Files["/etc/fstab"] = "other /srv/data nfs defaults 0 0\n"u8.ToArray(); break;
            default: vm.MountAlwaysFails = "Permission denied"; break;
        }
        var (output, errors, _) = Run($"Mount-VirtioFsShare -Domain vm1 -Tag {tag} -MountPoint /srv/data -Persist");
        Assert.Empty(output);
        var error = Assert.Single(errors);
        Assert.StartsWith(id + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.NotNull(error.TargetObject);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        Assert.DoesNotContain(vm.Mounts, m => m.Type == "virtiofs");
        Assert.DoesNotContain("/srv/data virtiofs", System.Text.Encoding.UTF8.GetString(vm.Files["/etc/fstab"]));
    }

    /// <summary>A host whose UI keeps what -WhatIf writes.</summary>
    private sealed class CapturingHost : PSHost
    {
        private readonly CapturingUi _ui = new();

        public List<string> Lines => _ui.Lines;

        public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
        public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
        public override Guid InstanceId { get; } = Guid.NewGuid();
        public override string Name => "VirtioFs.Tests";
        public override PSHostUserInterface UI => _ui;
        public override Version Version => new(1, 0);
        public override void EnterNestedPrompt() => throw new NotSupportedException();
        public override void ExitNestedPrompt() => throw new NotSupportedException();
        public override void NotifyBeginApplication() { }
        public override void NotifyEndApplication() { }
        public override void SetShouldExit(int exitCode) { }
    }

    private sealed class CapturingUi : PSHostUserInterface
    {
        private string _partial = string.Empty;

        public List<string> Lines { get; } = [];

        public override PSHostRawUserInterface? RawUI => null;
        public override string ReadLine() => string.Empty;
        public override SecureString ReadLineAsSecureString() => new();
        public override void Write(string value) => _partial += value;
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);
        public override void WriteLine(string value)
        {
            Lines.AddRange((_partial + value).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'));
            _partial = string.Empty;
        }
        public override void WriteDebugLine(string message) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => new();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => defaultChoice;
    }
}
