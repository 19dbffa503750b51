// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using VirtioFs.Internal;
using VirtioFs.QemuConfig;

namespace VirtioFs.Commands;

/// <summary>
/// Sets virtio-fs related keys in libvirt's qemu.conf, changing only the affected lines (the stock
/// commented default is uncommented in place), atomically, with a backup in qemu.conf.bak.
/// </summary>
[Cmdlet(VerbsCommon.Set, "VirtioFsQemuConfig", SupportsShouldProcess = true)]
[OutputType(typeof(VirtioFsQemuConfigSetting))]
public sealed class SetVirtioFsQemuConfigCommand : VirtioFsCmdlet
{
    /// <summary>memory_backing_dir: directory for file-backed guest memory.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MemoryBackingDir { get; set; }

    /// <summary>hugetlbfs_mount: one mount point (written as a string) or several (written as a list).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? HugeTlbFsMount { get; set; }

    /// <summary>virtiofsd_debug: $true/1 to start virtiofsd with debug logging, $false/0 to not.</summary>
    [Parameter]
    public bool VirtiofsdDebug { get; set; }

    /// <summary>Create the memory_backing_dir directory when it does not exist.</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }

    /// <summary>The config file; default /etc/libvirt/qemu.conf.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = QemuConfigFile.DefaultPath;

    /// <summary>Output the settings after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            Run();
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
        }
    }

    private void Run()
    {
        var settings = new List<(string Name, ConfValue Value)>();
        string? createDir = null;
        if (MemoryBackingDir is not null)
        {
            var dir = AbsolutePath(MemoryBackingDir, "-MemoryBackingDir");
            if (!Directory.Exists(dir))
            {
                if (File.Exists(dir) || !Create.IsPresent)
                {
                    throw new VirtioFsException(ErrorIds.MemoryBackingDirNotFound, VirtioFsErrorKind.ObjectNotFound,
                        File.Exists(dir) ? $"memory_backing_dir '{dir}' is a file, not a directory."
                                         : $"memory_backing_dir '{dir}' does not exist; libvirt would fail to start guests with file-backed memory.",
                        MemoryBackingDir, File.Exists(dir) ? "Give a directory." : "Create it, or add -Create.");
                }
                createDir = dir;
            }
            settings.Add((QemuConfigKeys.MemoryBackingDir, ConfValue.Of(dir)));
        }
        if (HugeTlbFsMount is not null)
        {
            var mounts = HugeTlbFsMount.Select(m => AbsolutePath(m, "-HugeTlbFsMount")).ToArray();
            var known = new HugePageSysfs().Mounts();
            foreach (var m in mounts)
            {
                if (!Directory.Exists(m))
                {
                    throw new VirtioFsException(ErrorIds.HugeTlbFsMountNotFound, VirtioFsErrorKind.ObjectNotFound,
                        $"hugetlbfs_mount '{m}' does not exist.", m, "Mount it first with Mount-VirtioFsHugeTlbFs.");
                }
                if (!known.Any(k => k.MountPoint == System.IO.Path.TrimEndingDirectorySeparator(m)))
                {
                    WriteWarning($"'{m}' is not a hugetlbfs mount now; libvirt will fail to start hugepage guests until it is (Mount-VirtioFsHugeTlbFs).");
                }
            }
            settings.Add((QemuConfigKeys.HugeTlbFsMount,
                mounts.Length == 1 ? ConfValue.Of(mounts[0]) : ConfValue.OfStrings(mounts)));
        }
        if (IsBound(nameof(VirtiofsdDebug)))
        {
            settings.Add((QemuConfigKeys.VirtiofsdDebug, ConfValue.Of(VirtiofsdDebug ? 1 : 0)));
        }
        if (settings.Count == 0)
        {
            throw new VirtioFsException(ErrorIds.NoSettingGiven, VirtioFsErrorKind.InvalidArgument,
                "Give at least one of -MemoryBackingDir, -HugeTlbFsMount, -VirtiofsdDebug.", null);
        }

        var path = ResolveFileSystemPath(Path, mustExist: true);
        // Read, plan and write under the file's lock: two runbooks editing qemu.conf must not lose a line.
        using var writers = Platform.FileLock.ForWriting(path, CancelToken);
        var file = new QemuConfigFile(path);
        // Everything is validated and computed before anything is touched.
        var (planned, changes) = file.Plan(settings);
        if (changes.Count == 0)
        {
            WriteVerbose($"{file.Path} already has these values; nothing written.");
        }
        else
        {
            var diff = string.Join("\n", changes.Select(c => c.ToString()));
            if (ShouldProcess(file.Path, $"Edit libvirt config (backup in {file.BackupPath}):\n{diff}\n"))
            {
                if (createDir is not null)
                {
                    Directory.CreateDirectory(createDir);
                    WriteVerbose($"Created {createDir}.");
                }
                file.Commit(planned);
                foreach (var c in changes)
                {
                    WriteVerbose($"{c.Action} {c.Name} at line {c.LineNumber}:\n{c}");
                }
                WriteWarning($"{file.Path} changed (previous version in {file.BackupPath}). libvirt reads it only at start: " +
                             "restart libvirtd (or virtqemud) to apply it.");
            }
        }
        if (PassThru.IsPresent)
        {
            var after = new QemuConfigFile(file.Path);
            foreach (var (name, _) in settings)
            {
                WriteObject(after.Setting(name));
            }
        }
    }

    private string AbsolutePath(string value, string parameter)
    {
        if (!value.StartsWith('/'))
        {
            throw new VirtioFsException(ErrorIds.PathNotAbsolute, VirtioFsErrorKind.InvalidArgument,
                $"{parameter} '{value}' must be an absolute path: libvirtd does not run in your current directory.",
                value, "Give a path starting with '/'.");
        }
        _ = ConfValue.Of(value).Format(); // rejects values the config syntax cannot hold, before any write
        return value.Length > 1 ? value.TrimEnd('/') : value;
    }
}
