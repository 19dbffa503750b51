// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using VirtioFs.HugePages;

namespace VirtioFs.Tests.Core;

/// <summary>
/// A faithful fake of the kernel's hugepage files for what this host cannot show: two NUMA nodes and
/// 1 GiB pages next to 2 MiB ones. Same names and layout as the real sysfs/procfs.
/// </summary>
internal sealed class FakeSysfs : IDisposable
{
    public FakeSysfs()
    {
        Root = Path.Combine(Path.GetTempPath(), "vfs-sysfs-" + Guid.NewGuid().ToString("N"));
        foreach (var kib in new long[] { 2048, 1048576 })
        {
            var host = Dir($"sys/kernel/mm/hugepages/hugepages-{kib}kB");
            Put(host, "nr_hugepages", kib == 2048 ? 300 : 2);
            Put(host, "free_hugepages", kib == 2048 ? 250 : 2);
            Put(host, "resv_hugepages", kib == 2048 ? 10 : 0);
            Put(host, "surplus_hugepages", 0);
            Put(host, "nr_overcommit_hugepages", 0);
            Put(host, "nr_hugepages_mempolicy", kib == 2048 ? 300 : 2);
            for (int node = 0; node < 2; node++)
            {
                var nd = Dir($"sys/devices/system/node/node{node}/hugepages/hugepages-{kib}kB");
                Put(nd, "nr_hugepages", kib == 2048 ? 150 : 1);
                Put(nd, "free_hugepages", kib == 2048 ? 125 : 1);
                Put(nd, "surplus_hugepages", 0);
            }
        }
        for (int node = 0; node < 2; node++)
        {
            File.WriteAllText(Path.Combine(Dir($"sys/devices/system/node/node{node}"), "meminfo"),
                $"Node {node} MemTotal:       16384000 kB\nNode {node} MemFree:        12000000 kB\n");
        }
        Dir("sys/devices/system/node/power"); // not a node: must be ignored
        File.WriteAllText(Path.Combine(Dir("sys/devices/system/node"), "online"), "0-1\n");
        var proc = Dir("proc");
        File.WriteAllText(Path.Combine(proc, "meminfo"),
            "MemTotal:       32768000 kB\nMemFree:        24000000 kB\nHugePages_Total:     300\nHugepagesize:       2048 kB\nHugetlb:         2711552 kB\n");
        File.WriteAllText(Path.Combine(proc, "mounts"),
            "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n" +
            "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n" +
            "hugetlbfs /dev/hugepages1G hugetlbfs rw,relatime,pagesize=1024M 0 0\n" +
            "none /mnt/huge\\040pages hugetlbfs rw,relatime 0 0\n");
        File.WriteAllText(Path.Combine(Dir("proc/sys/vm"), "compact_memory"), "0\n");
    }

    public string Root { get; }

    public VirtioFs.Platform.HostRoot Host => new(Root);

    public HugePageSysfs Sysfs => new(Host);

    public string Dir(string rel)
    {
        var d = Path.Combine(Root, rel);
        Directory.CreateDirectory(d);
        return d;
    }

    public string Read(string rel) => File.ReadAllText(Path.Combine(Root, rel)).Trim();

    private static void Put(string dir, string name, long v) => File.WriteAllText(Path.Combine(dir, name), v + "\n");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A kernel that, like the real one, accepts any count but gives at most what memory allows; compaction frees some more.</summary>
internal sealed class StingyKernel : IHugePageKernel
{
    private long _count;

    public StingyKernel(long start, long cap, long gainPerCompaction = 0)
    {
        _count = start;
        Cap = cap;
        GainPerCompaction = gainPerCompaction;
    }

    public long Cap { get; private set; }

    public long GainPerCompaction { get; }

    public List<long> Writes { get; } = [];

    public int Compactions { get; private set; }

    public long ReadCount(long pageSizeKiB, int numaNode) => _count;

    public void WriteCount(long pageSizeKiB, int numaNode, long count)
    {
        Writes.Add(count);
        _count = Math.Min(count, Cap);
    }

    public bool Compact()
    {
        Compactions++;
        Cap += GainPerCompaction;
        return true;
    }
}
