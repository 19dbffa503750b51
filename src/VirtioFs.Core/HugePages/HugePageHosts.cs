// SPDX-License-Identifier: MIT
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Platform;

namespace VirtioFs.HugePages;

/// <summary>Why a command wants a host's hugepage pools: they decide whether sysfs or libvirt answers.</summary>
internal enum HugePagePurpose
{
    /// <summary>Get/Set-VirtioFsHugePage on pools: -ConnectionUri names the libvirt whose node API to use.</summary>
    Pools,

    /// <summary>The pools a domain draws from: those of the host that runs it.</summary>
    Domain,
}

/// <summary>
/// The one place that decides whether a host's hugepage pools are read and changed through this host's
/// sysfs or through libvirt's node API (virNodeGetFreePages, virNodeAllocPages). sysfs is exact and
/// shows surplus pages and hugetlbfs mounts, but only for this host; libvirt reaches any host.
/// </summary>
internal static class HugePageHosts
{
    /// <summary>
    /// No connection: this host's sysfs. Pools asked for with a URI: that libvirt, local or not (the admin
    /// named it). A domain's pools: sysfs when its libvirt is local, else the remote libvirt.
    /// </summary>
    public static IHugePageHost For(LibvirtConnection? connection, HugePagePurpose purpose) =>
        connection is null || (purpose == HugePagePurpose.Domain && connection.IsLocal)
            ? new HugePageSysfs()
            : new LibvirtHugePageHost(connection);

    /// <summary>
    /// Holds the right to change the host's pools until disposed: a read of the current count, the writes,
    /// the read-back and any rollback must not interleave with another command's, or each could roll back
    /// to the other's half-way count and leave a pool that neither asked for.
    /// </summary>
    public static FileLock LockPools(IHugePageHost host, CancellationToken ct) =>
        NamedLock.Acquire("hugepages", host.ConnectionUri ?? "this host", ErrorIds.HugePagePoolLocked,
            host.ConnectionUri is null ? "this host's hugepage pools" : $"the hugepage pools of {host.ConnectionUri}",
            host.ConnectionUri ?? "/sys/kernel/mm/hugepages", FileLock.ConfiguredTimeout(), ct);
}
