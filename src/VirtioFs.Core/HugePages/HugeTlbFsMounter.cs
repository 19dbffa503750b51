// SPDX-License-Identifier: MIT
using System;
using System.IO;
using System.Linq;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.HugePages;

/// <summary>
/// Mounts hugetlbfs for one page size with mount(8) (argv, no shell). libvirt needs a mount per page
/// size it uses and reads the mount list only when libvirtd starts, which the cmdlet tells the admin.
/// </summary>
internal sealed class HugeTlbFsMounter
{
    private readonly HugePageSysfs _sysfs;

    public HugeTlbFsMounter(HugePageSysfs sysfs)
    {
        _sysfs = sysfs;
    }

    /// <summary>The mount that already serves this size at this path, or null.</summary>
    public HugeTlbFsMountInfo? Existing(string path, long kib)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var here = _sysfs.Mounts().LastOrDefault(m => m.MountPoint == full);
        if (here is null)
        {
            return null;
        }
        if (here.PageSizeKiB != kib)
        {
            throw new VirtioFsException(ErrorIds.HugeTlbFsMountedWithOtherSize, VirtioFsErrorKind.ResourceExists,
                $"'{full}' is already a hugetlbfs mount for {PageSize.Format(here.PageSizeKiB)} pages, not {PageSize.Format(kib)}.",
                path, $"Use another directory for {PageSize.Format(kib)} pages, e.g. /dev/hugepages{PageSize.FormatKernel(kib)}.");
        }
        return here;
    }

    public VirtioFsHugeTlbFsMount Mount(string path, long kib)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var existing = Existing(full, kib);
        if (existing is not null)
        {
            return new VirtioFsHugeTlbFsMount(existing.MountPoint, kib, existing.Options, created: false);
        }
        if (File.Exists(full))
        {
            throw new VirtioFsException(ErrorIds.MountPointNotDirectory, VirtioFsErrorKind.InvalidArgument,
                $"'{full}' is a file; hugetlbfs needs a directory.", path);
        }
        Directory.CreateDirectory(full);
        string[] argv = ["-t", "hugetlbfs", "-o", "pagesize=" + PageSize.FormatKernel(kib), "hugetlbfs", full];
        ProgramResult? run;
        try
        {
            run = ProgramRunner.Execute("mount", argv, TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VirtioFsException(ErrorIds.MountNotInstalled, VirtioFsErrorKind.NotInstalled,
                "mount(8) was not found.", "mount", "Install util-linux (apt-get install mount).", e);
        }
        int exit = run?.ExitCode ?? -1;
        string stderr = run?.Output ?? "mount did not finish within 30 s";
        if (exit != 0)
        {
            var kind = stderr.Contains("permission", StringComparison.OrdinalIgnoreCase) || stderr.Contains("only root", StringComparison.OrdinalIgnoreCase)
                ? VirtioFsErrorKind.PermissionDenied : VirtioFsErrorKind.InvalidResult;
            throw new VirtioFsException(ErrorIds.HugeTlbFsMountFailed, kind,
                $"mount -t hugetlbfs -o pagesize={PageSize.FormatKernel(kib)} hugetlbfs {full} failed (exit {exit}): {stderr.Trim()}",
                path, kind == VirtioFsErrorKind.PermissionDenied ? "Run as root." : null);
        }
        var mounted = Existing(full, kib) ?? throw new VirtioFsException(ErrorIds.HugeTlbFsMountMissing, VirtioFsErrorKind.InvalidResult,
            $"mount reported success but '{full}' is not in /proc/mounts as hugetlbfs.", path);
        return new VirtioFsHugeTlbFsMount(mounted.MountPoint, kib, mounted.Options, created: true);
    }
}
