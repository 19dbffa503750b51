// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Starts a detached virtiofsd for one directory and waits until its socket listens.</summary>
[Cmdlet(VerbsLifecycle.Start, "VirtioFsDaemon", SupportsShouldProcess = true)]
[OutputType(typeof(VirtioFsDaemon))]
public sealed class StartVirtioFsDaemonCommand : VirtioFsCmdlet
{
    /// <summary>The host directory to share.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Source", "FullName")]
    [ValidateNotNullOrEmpty]
    public string SharedDirectory { get; set; } = "";

    /// <summary>The vhost-user socket; generated under the runtime directory when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SocketPath { get; set; }

    /// <summary>Group owning the socket; defaults to the group libvirt runs QEMU as. '' for a root-only socket.</summary>
    [Parameter]
    [AllowEmptyString]
    public string? SocketGroup { get; set; }

    /// <summary>Our name for the daemon; defaults to the directory's leaf name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Cache policy.</summary>
    [Parameter]
    public VirtioFsDaemonCacheMode Cache { get; set; }

    /// <summary>Extended attributes (-Xattr:$false disables explicitly).</summary>
    [Parameter]
    public SwitchParameter Xattr { get; set; }

    /// <summary>POSIX ACLs.</summary>
    [Parameter]
    public SwitchParameter PosixAcl { get; set; }

    /// <summary>Sandbox mode.</summary>
    [Parameter]
    public VirtioFsDaemonSandboxMode Sandbox { get; set; }

    /// <summary>Worker thread pool size.</summary>
    [Parameter]
    [ValidateRange(0, 1024)]
    public int ThreadPoolSize { get; set; }

    /// <summary>Rust: --inode-file-handles.</summary>
    [Parameter]
    public VirtioFsInodeFileHandles InodeFileHandles { get; set; }

    /// <summary>Announce submounts to the guest.</summary>
    [Parameter]
    public SwitchParameter AnnounceSubmounts { get; set; }

    /// <summary>Rust 1.13+: refuse guest writes.</summary>
    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    /// <summary>Honour O_DIRECT from the guest.</summary>
    [Parameter]
    public SwitchParameter AllowDirectIo { get; set; }

    /// <summary>FUSE writeback cache.</summary>
    [Parameter]
    public SwitchParameter Writeback { get; set; }

    /// <summary>xattr name mapping rules.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? XattrMap { get; set; }

    /// <summary>Rust 1.13+: --translate-uid rules.</summary>
    [Parameter]
    public string[] TranslateUid { get; set; } = [];

    /// <summary>Rust 1.13+: --translate-gid rules.</summary>
    [Parameter]
    public string[] TranslateGid { get; set; } = [];

    /// <summary>RLIMIT_NOFILE for the daemon (0 leaves it unchanged).</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long RlimitNofile { get; set; }

    /// <summary>Rust 1.11+: how a migration describes the guest's open files (FileHandles needs 1.12).</summary>
    [Parameter]
    public VirtioFsMigrationMode MigrationMode { get; set; }

    /// <summary>Rust 1.11+: what the destination does when a file cannot be restored.</summary>
    [Parameter]
    public VirtioFsMigrationOnError MigrationOnError { get; set; }

    /// <summary>Rust 1.11+: the destination checks that it opened the very inodes the source had (find-paths mode).</summary>
    [Parameter]
    public SwitchParameter MigrationVerifyHandles { get; set; }

    /// <summary>Log level.</summary>
    [Parameter]
    public VirtioFsLogLevel LogLevel { get; set; }

    /// <summary>Arguments appended verbatim (escape hatch for options without a parameter).</summary>
    [Parameter]
    public string[] ExtraArgument { get; set; } = [];

    /// <summary>The virtiofsd to run; defaults to the one libvirt would pick.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BinaryPath { get; set; }

    /// <summary>Shares a system directory (/, /etc, /var/lib/libvirt ...) that is otherwise refused.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Seconds to wait for the socket.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 10;

    protected override void ProcessRecord()
    {
        VirtioFsDaemonBinary binary;
        DaemonLaunchPlan plan;
        var supervisor = DaemonCmdletSupport.Supervisor();
        Platform.FileLock? writers = null;
        try
        {
            writers = supervisor.Store.LockWriters(CancelToken);
            var dir = ResolveFileSystemPath(SharedDirectory, mustExist: false);
            var socket = SocketPath is null ? null : ResolveFileSystemPath(SocketPath, mustExist: false);
            var binaryPath = BinaryPath is null ? null : ResolveFileSystemPath(BinaryPath, mustExist: false);
            binary = supervisor.ResolveBinary(binaryPath, CancelToken);
            var options = new DaemonOptions
            {
                SharedDirectory = dir,
                AllowUnsafeSharedDirectory = Force.IsPresent,
                SocketPath = socket ?? "",
                SocketGroup = IsBound(nameof(SocketGroup)) ? SocketGroup : HostAccounts.LibvirtQemuGroup(new DaemonHost()),
                Cache = IsBound(nameof(Cache)) ? Cache : null,
                Xattr = BoundSwitch(nameof(Xattr), Xattr),
                PosixAcl = BoundSwitch(nameof(PosixAcl), PosixAcl),
                Sandbox = IsBound(nameof(Sandbox)) ? Sandbox : null,
                ThreadPoolSize = IsBound(nameof(ThreadPoolSize)) ? ThreadPoolSize : null,
                InodeFileHandles = IsBound(nameof(InodeFileHandles)) ? InodeFileHandles : null,
                AnnounceSubmounts = BoundSwitch(nameof(AnnounceSubmounts), AnnounceSubmounts),
                ReadOnly = ReadOnly.IsPresent,
                AllowDirectIo = BoundSwitch(nameof(AllowDirectIo), AllowDirectIo),
                Writeback = BoundSwitch(nameof(Writeback), Writeback),
                XattrMap = XattrMap,
                TranslateUid = TranslateUid,
                TranslateGid = TranslateGid,
                RlimitNofile = IsBound(nameof(RlimitNofile)) ? RlimitNofile : null,
                MigrationMode = IsBound(nameof(MigrationMode)) ? MigrationMode : null,
                MigrationOnError = IsBound(nameof(MigrationOnError)) ? MigrationOnError : null,
                MigrationVerifyHandles = MigrationVerifyHandles.IsPresent,
                LogLevel = IsBound(nameof(LogLevel)) ? LogLevel : null,
                ExtraArguments = ExtraArgument,
            };
            plan = supervisor.Plan(Name, options, binary);
        }
        catch (VirtioFsException e)
        {
            writers?.Dispose();
            ThrowCoreError(e);
            return;
        }
        using var held = writers;

        var commandLine = plan.Binary.Path + " " + string.Join(" ", plan.Arguments.Select(a => a.Contains(' ') ? $"'{a}'" : a));
        WriteVerbose($"{plan.Name}: {commandLine}");
        if (!ShouldProcess(plan.SharedDirectory, $"Start virtiofsd '{plan.Name}' on socket {plan.SocketPath}: {commandLine}"))
        {
            return;
        }
        var progress = new ProgressRecord(1, $"Starting virtiofsd '{plan.Name}'", "Waiting for the socket");
        try
        {
            var daemon = supervisor.Launch(plan, TimeSpan.FromSeconds(TimeoutSec),
                status => { progress.StatusDescription = status; WriteProgress(progress); }, CancelToken);
            WriteObject(daemon);
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the supervisor has already killed the half-started daemon and removed its files.
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
