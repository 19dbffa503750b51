// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using VirtioFs.Platform;

namespace VirtioFs.HugePages;

/// <summary>What -Persist did: files written, files already right, files removed, and advice it could not act on.</summary>
internal sealed class HugePagePersistResult
{
    public List<string> Written { get; } = [];

    public List<string> Unchanged { get; } = [];

    public List<string> Removed { get; } = [];

    /// <summary>Kernel command-line parameters to add by hand (1 GiB pages: only boot-time reservation is reliable).</summary>
    public string? KernelCommandLine { get; set; }
}

/// <summary>
/// Makes a pool size survive a reboot. The default page size host-wide is what vm.nr_hugepages
/// controls, so it goes to sysctl.d. Other sizes and per-node pools have no sysctl, so a oneshot
/// boot unit writes the same sysfs file the allocator writes. 1 GiB pages are rarely free once the
/// host has run a while, so for them the kernel command line is the reliable way and is advised too.
/// Every file is compared first: an unchanged pool writes nothing.
/// </summary>
internal sealed class HugePagePersistence
{
    public const string SysctlFile = "/etc/sysctl.d/80-virtiofs-hugepages.conf";
    public const string UnitDir = "/etc/systemd/system";

    private readonly HostRoot _host;

    public HugePagePersistence(HostRoot? host = null)
    {
        _host = host ?? HostRoot.Real;
    }

    public static string UnitName(long kib, int node) =>
        node < 0 ? $"virtiofs-hugepages-{kib}kB.service" : $"virtiofs-hugepages-{kib}kB-node{node}.service";

    /// <summary>The files this would write, without writing (for -WhatIf).</summary>
    public static string Target(long kib, int node, long defaultKiB) =>
        kib == defaultKiB && node < 0 ? SysctlFile : $"{UnitDir}/{UnitName(kib, node)}";

    public HugePagePersistResult Persist(long kib, int node, long count, long defaultKiB)
    {
        var result = new HugePagePersistResult();
        if (kib == defaultKiB && node < 0)
        {
            var text = "# Written by VirtioFs (Set-VirtioFsHugePage -Persist): the default-size hugepage pool at boot.\n" +
                       $"vm.nr_hugepages = {count.ToString(CultureInfo.InvariantCulture)}\n";
            Put(SysctlFile, count == 0 ? null : text, result);
        }
        else
        {
            var unit = UnitName(kib, node);
            var sysfs = HugePageSysfs.CountFileOnHost(kib, node);
            var where = node < 0 ? "host-wide" : $"on NUMA node {node}";
            var text = $"""
                # Written by VirtioFs (Set-VirtioFsHugePage -Persist).
                [Unit]
                Description=VirtioFs hugepage pool: {count} x {PageSize.Format(kib)} pages {where}
                DefaultDependencies=no
                After=local-fs.target
                Before=libvirtd.service virtqemud.service sysinit.target
                ConditionPathExists={sysfs}

                [Service]
                Type=oneshot
                RemainAfterExit=yes
                ExecStart=/bin/sh -c 'echo {count} > {sysfs}'

                [Install]
                WantedBy=sysinit.target

                """.Replace("\r\n", "\n", StringComparison.Ordinal);
            Put($"{UnitDir}/{unit}", count == 0 ? null : text, result);
            // What 'systemctl enable' does; done by hand so it also works where systemd is not running now.
            var link = _host.Path($"{UnitDir}/sysinit.target.wants/{unit}");
            if (count == 0)
            {
                if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
                {
                    File.Delete(link);
                    result.Removed.Add($"{UnitDir}/sysinit.target.wants/{unit}");
                }
            }
            else if (new FileInfo(link).LinkTarget is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(link)!);
                File.CreateSymbolicLink(link, $"{UnitDir}/{unit}");
                result.Written.Add($"{UnitDir}/sysinit.target.wants/{unit}");
            }
            else
            {
                result.Unchanged.Add($"{UnitDir}/sysinit.target.wants/{unit}");
            }
        }
        if (kib >= 1024 * 1024 && count > 0)
        {
            var size = PageSize.FormatKernel(kib);
            result.KernelCommandLine = node < 0
                ? $"hugepagesz={size} hugepages={count}"
                : $"hugepagesz={size} hugepages={node}:{count}";
        }
        return result;
    }

    private void Put(string hostPath, string? text, HugePagePersistResult result)
    {
        var file = _host.Path(hostPath);
        using var writers = FileLock.ForWriting(file);
        if (text is null)
        {
            if (File.Exists(file))
            {
                File.Delete(file);
                result.Removed.Add(hostPath);
            }
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (File.Exists(file) && File.ReadAllBytes(file).AsSpan().SequenceEqual(bytes))
        {
            result.Unchanged.Add(hostPath);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        AtomicFile.Replace(file, bytes);
        result.Written.Add(hostPath);
    }
}
