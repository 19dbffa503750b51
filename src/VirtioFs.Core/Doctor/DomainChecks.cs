// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml.Linq;
using VirtioFs.Domain;
using VirtioFs.HugePages;
using VirtioFs.Platform;

namespace VirtioFs.Doctor;

/// <summary>What Test-VirtioFsDomain knows about the host that will run the domain.</summary>
internal sealed class DomainCheckInput
{
    public HostRoot Host { get; init; } = HostRoot.Real;
    /// <summary>False when the XML is meant for another host: source dirs, sockets, binaries and pools are not checked.</summary>
    public bool CheckHostPaths { get; init; } = true;
    public Version? LibvirtVersion { get; init; }
    /// <summary>QEMU's version as the domain's libvirt reports it (virConnectGetVersion); null when unknown.</summary>
    public Version? QemuVersion { get; init; }
    /// <summary>The connection, for messages.</summary>
    public string? Uri { get; init; }
    /// <summary>True when that libvirt runs virtiofsd as root (qemu:///system), false for a session; null when unknown (a file).</summary>
    public bool? DaemonRunsAsRoot { get; init; }
    /// <summary>False when the daemons were described from their descriptor and package (another system's binaries), not run.</summary>
    public bool DaemonsRun { get; init; } = true;
    public bool IsActive { get; init; }
    /// <summary>What libvirt runs when a share has no &lt;binary path&gt;; null when none was found.</summary>
    public VirtioFsDaemonBinary? DefaultDaemon { get; init; }
    /// <summary>Probes a &lt;binary path&gt;; null when it is missing or not executable.</summary>
    public Func<string, VirtioFsDaemonBinary?> ProbeBinary { get; init; } = _ => null;
    public QemuAccount? Qemu { get; init; }
    /// <summary>The virtiofsd processes on this host, for a running domain here; null when not looked at.</summary>
    public IReadOnlyList<VirtioFsDaemon>? Daemons { get; init; }
    /// <summary>Tags of the shares the running guest has (its live XML); null when unknown (then all are checked).</summary>
    public IReadOnlySet<string>? LiveTags { get; init; }
    /// <summary>What the running guest's agent said (Doctor/GuestAgentCheck); null when the domain is not running.</summary>
    public GuestAgentFacts? GuestAgent { get; init; }
}

/// <summary>
/// Everything libvirt, QEMU or virtiofsd would refuse (or let hang) for one domain, found before it starts. Reuses the
/// share validator's limits and libvirt's feature versions, the shared-memory inspector and the hugepage pools.
/// </summary>
internal static class DomainChecks
{
    public static IReadOnlyList<VirtioFsCheckResult> Run(DomainDocument doc, DomainCheckInput input)
    {
        var list = new CheckList(doc.Name);
        var shares = doc.VirtioFsFilesystems.ToList();
        if (shares.Count == 0)
        {
            list.Skip("Shares", $"Domain '{doc.Name}' has no virtio-fs share; nothing to check.");
            return list.Results;
        }
        list.Pass("Shares", $"{shares.Count} virtio-fs share(s): {string.Join(", ", shares.Select(s => FilesystemElement.TagOf(s) ?? "(no tag)"))}.");
        var memory = SharedMemoryInspector.Inspect(doc);
        SharedMemory(doc, memory, list);
        NumaCells(doc, memory, list);
        HugePagePool(doc, memory, input, list);
        MemoryHotplug(doc, list);
        Vfio(doc, list);
        var tags = shares.Select(FilesystemElement.TagOf).ToList();
        var migration = new List<MigrationShare>();
        foreach (var fs in shares)
        {
            var share = FilesystemElement.Read(fs);
            string target = $"{doc.Name} tag '{share.Tag}'";
            AccessMode(share, list, target);
            Tag(share, tags, list, target);
            QueueSize(share, list, target);
            DeviceIdentityChecks.Run(doc, fs, share, list, target);
            if (share.SocketPath is not null)
            {
                Socket(share, input, list, target);
                migration.Add(new MigrationShare(share.Tag, true, input.Daemons?.FirstOrDefault(d => d.SocketPath == share.SocketPath) is { BinaryPath: { } b } ? input.ProbeBinary(b) : null));
            }
            else
            {
                Source(share, input, list, target);
                var daemon = Daemon(share, input, list, target);
                DaemonOptions(doc, fs, share, daemon, input, list, target);
                migration.Add(new MigrationShare(share.Tag, false, daemon));
            }
            ShareSafetyChecks.Run(share, input, list, target);
            LibvirtOptions(share, input, list, target);
            if (input.IsActive && input.Daemons is { } daemons)
            {
                if (input.LiveTags is { } live && !live.Contains(share.Tag))
                {
                    list.Skip("LiveDaemon", "The running guest does not have this share yet: it applies at the next boot.", null, target);
                }
                else
                {
                    LiveShareCheck.Run(doc, share, daemons, list, target);
                }
            }
        }
        if (input.GuestAgent is { } agent)
        {
            GuestAgentCheck.Run(doc, agent, list);
        }
        Migration(doc, migration, input, list);
        WindowsGuest(doc, shares, list);
        return list.Results;
    }

    private static string Fix(DomainDocument doc, string command) => command.Replace("<vm>", doc.Name, StringComparison.Ordinal);

    private static void SharedMemory(DomainDocument doc, VirtioFsSharedMemory memory, CheckList list)
    {
        string evidence = $"backing {memory.Backing}, access {memory.AccessMode ?? "(none)"}, {memory.NumaCells.Count} NUMA cell(s)";
        if (memory.VirtioFsReady)
        {
            list.Pass("SharedMemory", memory.Reason, evidence);
            return;
        }
        list.Fail("SharedMemory", memory.Reason + " libvirt refuses the definition (\"'virtiofs' requires shared memory\"); a guest started without shared memory mounts the share and then hangs on the first I/O, with no error.",
            Fix(doc, "Enable-VirtioFsSharedMemory -Domain <vm> (memfd + shared; NUMA cells made shared), then shut the guest down and start it."), evidence);
    }

    private static void NumaCells(DomainDocument doc, VirtioFsSharedMemory memory, CheckList list)
    {
        if (memory.NumaCells.Count == 0)
        {
            list.Skip("NumaMemAccess", "The domain has no NUMA cells.");
            return;
        }
        var invalid = memory.NumaCells.Where(c => c.MemAccess is not null and not "shared" and not "private").ToList();
        string evidence = string.Join(" ", memory.NumaCells.Select(c => c.ToString()));
        if (invalid.Count > 0)
        {
            list.Fail("NumaMemAccess", $"NUMA cell(s) {string.Join(", ", invalid.Select(c => $"{c.Id} (memAccess='{c.MemAccess}')"))} have an invalid memAccess; libvirt accepts only 'shared' or 'private'.",
                Fix(doc, "Set memAccess='shared' on every cell: Enable-VirtioFsSharedMemory -Domain <vm>."), evidence);
            return;
        }
        var priv = memory.NumaCells.Where(c => c.MemAccess == "private" || (c.MemAccess is null && memory.AccessMode != "shared")).ToList();
        if (priv.Count > 0)
        {
            list.Fail("NumaMemAccess", $"NUMA cell(s) {string.Join(", ", priv.Select(c => c.Id))} are private: virtiofsd cannot map their memory (libvirt: \"'virtiofs' requires shared memory\").",
                Fix(doc, "Enable-VirtioFsSharedMemory -Domain <vm> sets memAccess='shared' on every cell."), evidence);
            return;
        }
        list.Pass("NumaMemAccess", "Every NUMA cell is shared.", evidence);
    }

    /// <summary>
    /// The pools the domain draws from, with the same per-cell, per-node rules as
    /// Get-VirtioFsHugePage -Domain (HugePageRequirements): a domain with 1 GiB pages for one cell and
    /// 2 MiB for another needs each cell's memory in its own size, and a cell bound to a host node by
    /// &lt;numatune&gt; needs the pages free on that node, not just somewhere on the host.
    /// </summary>
    private static void HugePagePool(DomainDocument doc, VirtioFsSharedMemory memory, DomainCheckInput input, CheckList list)
    {
        if (memory.Backing != VirtioFsSharedMemoryBacking.HugePages)
        {
            list.Skip("HugePagePool", "The domain does not use hugepages.");
            return;
        }
        if (!input.CheckHostPaths)
        {
            list.Skip("HugePagePool", "Host checks are off (-SkipHostCheck): the pool of the host that runs the domain is unknown.");
            return;
        }
        var sysfs = new HugePageSysfs(input.Host);
        HugePageNeeds needs;
        try
        {
            needs = HugePageRequirements.Compute(doc, sysfs);
        }
        catch (Errors.VirtioFsException e)
        {
            list.Fail("HugePagePool", e.Message + " libvirt refuses the definition.", e.RecommendedAction ?? "Fix the domain XML (virsh edit).");
            return;
        }
        foreach (var blocker in needs.Blockers)
        {
            list.Fail("HugePagePool", blocker,
                $"Use a size and node the host offers (Get-VirtioFsHugePage), e.g. Enable-VirtioFsSharedMemory -Domain {doc.Name} -Backing HugePages -HugePageSize 2M.",
                $"offered sizes: {string.Join(", ", sysfs.OfferedPageSizesKiB().Select(PageSize.Format))}; nodes: {string.Join(", ", sysfs.NumaNodes())}");
        }
        // A size the host does not offer is already a blocker above; its pool has nothing to count.
        var offered = needs.Requirements.Where(r => sysfs.IsOffered(r.PageSizeKiB)).ToList();
        foreach (var kib in offered.Select(r => r.PageSizeKiB).Distinct())
        {
            var pool = sysfs.ReadPool(kib, -1);
            if (pool.MountPoint.Length == 0)
            {
                list.Fail("HugePagePool", $"No hugetlbfs is mounted for {PageSize.Format(kib)} pages: libvirt fails with \"hugetlbfs filesystem is not mounted or disabled by administrator config\".",
                    $"Mount-VirtioFsHugeTlbFs -PageSize {PageSize.Format(kib)}, then restart libvirtd (it reads the mounts only at start).",
                    $"{PageSize.Format(kib)} pool: {pool.Total} total, {pool.Free} free; mounts: none");
            }
        }
        foreach (var r in offered)
        {
            string name = r.PageSize;
            string where = r.NumaNode >= 0 ? $" on host node {r.NumaNode}" : r.HostNodeset is not null ? $" on host nodes {r.HostNodeset}" : string.Empty;
            string cells = r.GuestCells.Length == 0 ? "the domain" : $"guest cell(s) {string.Join(",", r.GuestCells)}";
            string evidence = $"{cells}: {r.MemoryKiB / 1024} MiB in {name} pages{where} = {r.PagesNeeded} pages; {r.PagesFree} available";
            if (input.IsActive)
            {
                list.Pass("HugePagePool", $"The domain is running, so its {r.PagesNeeded} {name} pages{where} are already allocated.", evidence);
            }
            else if (r.ShortBy > 0)
            {
                string nodeArg = r.AllocationNode >= 0 ? $" -NumaNode {r.AllocationNode}" : string.Empty;
                list.Fail("HugePagePool", $"The {name} pool{where} has {r.PagesFree} pages available but {cells} needs {r.PagesNeeded}: QEMU fails with \"unable to map backing store for guest RAM: Cannot allocate memory\".",
                    $"Set-VirtioFsHugePage -PageSize {name}{nodeArg} -Add {r.ShortBy} (Get-VirtioFsHugePage -Path or -Domain lists every pool the domain needs), or use memfd: Enable-VirtioFsSharedMemory -Domain {doc.Name} -Backing Memfd.", evidence);
            }
            else
            {
                list.Pass("HugePagePool", $"The {name} pool{where} has {r.PagesFree} pages available; {cells} needs {r.PagesNeeded}.", evidence);
            }
        }
    }

    private static void MemoryHotplug(DomainDocument doc, CheckList list)
    {
        var max = doc.Root.Element("maxMemory");
        var dimms = doc.Devices?.Elements("memory").ToList() ?? [];
        if (max is null && dimms.Count == 0)
        {
            list.Skip("MemoryHotplug", "No memory hotplug (<maxMemory>, <memory> devices).");
            return;
        }
        var privateDimms = dimms.Where(d => (string?)d.Attribute("access") == "private").ToList();
        string evidence = $"maxMemory {(string?)max?.Attribute("slots") ?? "-"} slots, {dimms.Count} memory device(s)";
        if (privateDimms.Count > 0)
        {
            list.Fail("MemoryHotplug", $"{privateDimms.Count} <memory> device(s) have access='private': virtiofsd cannot map that RAM and I/O into it hangs.",
                "Give every <memory model='dimm'> access='shared' (or drop the attribute so it inherits <memoryBacking><access mode='shared'/>).", evidence);
            return;
        }
        list.Warn("MemoryHotplug", "Memory hotplug is configured: memory hot-added later must be shared and fd-backed too, and hot-added DIMMs reach virtiofsd only after a new vhost-user memory table (Proxmox refuses the combination).",
            "Prefer a fixed <memory> without <maxMemory> for virtio-fs guests; if you keep hotplug, add DIMMs with access='shared' and a memfd or file source.", evidence);
    }

    private static void Vfio(DomainDocument doc, CheckList list)
    {
        var hostdevs = doc.Devices?.Elements("hostdev").Where(h => (string?)h.Attribute("type") is "pci" or "mdev").ToList() ?? [];
        if (hostdevs.Count == 0)
        {
            list.Skip("Vfio", "No VFIO passthrough device.");
            return;
        }
        list.Warn("Vfio", $"{hostdevs.Count} VFIO passthrough device(s) with shared memory: VFIO pins all guest RAM, which has failed with file-backed shared memory (\"VFIO_MAP_DMA failed: Bad address\") and needs a locked-memory limit covering the RAM.",
            $"Back the guest with shared hugepages (Set-VirtioFsHugePage, then Enable-VirtioFsSharedMemory -Domain {doc.Name} -Backing HugePages) or memfd, not a file in memory_backing_dir.", string.Join(", ", hostdevs.Select(h => (string?)h.Attribute("type"))));
    }

    private static void AccessMode(VirtioFsShare share, CheckList list, string target)
    {
        if (share.AccessMode == "passthrough")
        {
            list.Pass("AccessMode", "accessmode is passthrough.", null, target);
            return;
        }
        list.Fail("AccessMode", $"accessmode '{share.AccessMode}' is a 9p setting: libvirt refuses it (\"virtiofs only supports passthrough accessmode\").",
            "Set accessmode='passthrough' (virsh edit); map IDs with <idmap> (libvirt 10+) or Start-VirtioFsDaemon -TranslateUid.", $"accessmode='{share.AccessMode}'", target);
    }

    private static void Tag(VirtioFsShare share, List<string?> tags, CheckList list, string target)
    {
        int bytes = Encoding.UTF8.GetByteCount(share.Tag);
        string evidence = $"tag '{share.Tag}', {bytes} bytes";
        if (bytes == 0)
        {
            list.Fail("TagLength", "The share has no mount tag (<target dir>); the guest mounts by tag.", "Set one: Set-VirtioFsShare -Tag '' -NewTag data (or edit <target dir>).", evidence, target);
        }
        else if (bytes > MountTag.MaxBytes)
        {
            list.Fail("TagLength", $"The tag is {bytes} bytes; QEMU refuses more than {MountTag.MaxBytes} at start (\"tag property must be 36 bytes or less\").",
                $"Use a shorter tag: Set-VirtioFsShare -Tag '{share.Tag}' -NewTag <at most 36 bytes>, and mount that tag in the guest.", evidence, target);
        }
        else if (MountTag.Problem(share.Tag) is { } problem)
        {
            // The same rule New-VirtioFsShare applies: libvirt and QEMU take such a tag, the guest's fstab does not.
            list.Fail("TagLength", problem, $"Rename it: Set-VirtioFsShare -Tag '{MountTag.Printable(share.Tag)}' -NewTag <letters, digits, '-', '_'>, and mount that tag in the guest.",
                $"tag '{MountTag.Printable(share.Tag)}'", target);
        }
        else
        {
            list.Pass("TagLength", $"The tag is {bytes} bytes (at most {MountTag.MaxBytes}) and plain enough for fstab.", evidence, target);
        }
        int count = tags.Count(t => t == share.Tag);
        if (count > 1)
        {
            list.Fail("TagUnique", $"{count} shares use the tag '{share.Tag}': libvirt refuses it (\"filesystem target '{share.Tag}' specified twice\").",
                $"Give each share its own tag: Set-VirtioFsShare -Tag '{share.Tag}' -NewTag <other> (on a copy), or Remove-VirtioFsShare one of them.", evidence, target);
        }
        else
        {
            list.Pass("TagUnique", "The tag is unique in the domain.", evidence, target);
        }
    }

    private static void QueueSize(VirtioFsShare share, CheckList list, string target)
    {
        if (share.QueueSize is not int q)
        {
            list.Pass("QueueSize", "Queue size is QEMU's default (128).", null, target);
            return;
        }
        if (q == 0)
        {
            // Seen on libvirt 9.0: queue='0' is dropped at define and QEMU starts with its default.
            list.Pass("QueueSize", "queue='0' means no queue size: libvirt drops it and QEMU uses its default (128).", "<driver queue='0'>", target);
            return;
        }
        if (ShareOptions.QueueSize.Check(q) is not null)
        {
            string qemu = q > ShareOptions.MaxQueueSize ? "queue-size property must be 1024 or smaller" : "queue-size property must be a power of 2";
            list.Fail("QueueSize", $"Queue size {q} is invalid: QEMU fails at start (\"{qemu}\").",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -QueueSize 1024 (a power of two from 1 to 1024).", $"<driver queue='{q}'>", target);
            return;
        }
        list.Pass("QueueSize", $"Queue size {q} is valid.", $"<driver queue='{q}'>", target);
    }

    private static void Source(VirtioFsShare share, DomainCheckInput input, CheckList list, string target)
    {
        if (share.Source is not { } dir)
        {
            list.Fail("Source", "The share has neither <source dir> nor <source socket>.", "Set-VirtioFsShare -Tag <tag> -Source /host/dir.", null, target);
            return;
        }
        if (!input.CheckHostPaths)
        {
            list.Skip("Source", $"Host checks are off: {dir} is not looked at.", dir, target);
            return;
        }
        var p = input.Host.Path(dir);
        if (File.Exists(p))
        {
            list.Fail("Source", $"The source {dir} is a file; virtio-fs exports a directory.", $"Set-VirtioFsShare -Tag '{share.Tag}' -Source <a directory>.", dir, target);
        }
        else if (!Directory.Exists(p))
        {
            list.Fail("Source", $"The source directory {dir} does not exist: libvirt fails at start (\"the virtiofs export directory '{dir}' does not exist\").",
                $"Create it (New-Item -ItemType Directory '{dir}') or Set-VirtioFsShare -Tag '{share.Tag}' -Source <existing dir>.", dir, target);
        }
        else
        {
            list.Pass("Source", $"The source directory {dir} exists.", dir, target);
        }
    }

    private static void Socket(VirtioFsShare share, DomainCheckInput input, CheckList list, string target)
    {
        string socket = share.SocketPath!;
        int bytes = UnixSocketPath.ByteCount(socket);
        string evidence = $"{socket} ({bytes} bytes)";
        if (!UnixSocketPath.Fits(socket))
        {
            list.Fail("Socket", $"The socket path is {bytes} bytes; a Unix socket path holds at most {UnixSocketPath.MaxBytes}, so QEMU cannot connect.",
                "Start the daemon with a short socket (Start-VirtioFsDaemon uses /run/virtiofs/<name>.sock) and Set-VirtioFsShare -SocketPath to it.", evidence, target);
            return;
        }
        if (!input.CheckHostPaths)
        {
            list.Skip("Socket", "Host checks are off: the socket is not looked at.", evidence, target);
            return;
        }
        var p = input.Host.Path(socket);
        if (input.Qemu is { } q && q.BlockerFor(p, socket) is { } blocker && !blocker.StartsWith("directory ", StringComparison.Ordinal))
        {
            list.Fail("Socket", $"QEMU runs as {q} and cannot reach the socket: {blocker}. Start fails with \"Failed to connect to '{socket}': Permission denied\".",
                $"Start the daemon with a socket group QEMU is in (Start-VirtioFsDaemon does: -SocketGroup {q.Group}) and make each parent directory searchable (chmod o+x or chgrp {q.Group} + g+x).", evidence, target);
            return;
        }
        if (FileStatus.Of(p) is not { IsSocket: true })
        {
            list.Warn("Socket", $"No virtiofsd listens on {socket} yet: start the daemon before the domain (the C virtiofsd exits after each guest).",
                "Start-VirtioFsDaemon ... (or Restart-VirtioFsDaemon -Name <name>) before starting the domain; Get-VirtioFsDaemon shows what runs.", evidence, target);
            return;
        }
        list.Pass("Socket", $"The socket exists and {(input.Qemu?.ToString() ?? "QEMU")} can reach it.", evidence, target);
    }

    private static VirtioFsDaemonBinary? Daemon(VirtioFsShare share, DomainCheckInput input, CheckList list, string target)
    {
        if (!input.CheckHostPaths)
        {
            list.Skip("Daemon", "Host checks are off: the virtiofsd binary is not looked for.", share.BinaryPath, target);
            return null;
        }
        if (share.BinaryPath is { } path)
        {
            var probed = input.ProbeBinary(path);
            if (probed is null)
            {
                list.Fail("Daemon", $"<binary path='{path}'> is missing or not executable: libvirt fails at start (\"virtiofsd binary '{path}' is not executable\").",
                    $"Set-VirtioFsShare -Tag '{share.Tag}' -BinaryPath <a virtiofsd from Get-VirtioFsDaemonBinary>, or -Reset BinaryPath.", path, target);
                return null;
            }
            if (probed.Dialect == VirtioFsDaemonDialect.Unknown && input.DaemonsRun)
            {
                // Seen on libvirt 9.0 with /bin/true: libvirt starts it, it exits, QEMU gets "Connection refused".
                list.Fail("Daemon", $"<binary path='{path}'> does not answer like a virtiofsd (neither --print-capabilities nor a known --help): libvirt starts it, it exits, and the domain fails (\"Failed to connect to ...fs0-fs.sock: Connection refused\").",
                    $"Set-VirtioFsShare -Tag '{share.Tag}' -BinaryPath <a virtiofsd from Get-VirtioFsDaemonBinary>, or -Reset BinaryPath.", path, target);
                return null;
            }
            list.Pass("Daemon", $"virtiofsd {path}: {probed.Dialect} dialect, version {probed.Version?.ToString() ?? "unknown"}.", probed.VersionText, target);
            return probed;
        }
        if (input.DefaultDaemon is not { } d)
        {
            list.Fail("Daemon", "No virtiofsd is installed where libvirt looks: start fails with \"Unable to find a satisfying virtiofsd\".",
                "Install virtiofsd (Debian 12: qemu-system-common; newer: the virtiofsd package), or Set-VirtioFsShare -BinaryPath <path>; see Test-VirtioFsHost.", null, target);
            return null;
        }
        if (d.DescriptorPath is null)
        {
            list.Fail("Daemon", $"virtiofsd {d.Path} exists but no vhost-user descriptor names it: libvirt fails with \"Unable to find a satisfying virtiofsd\".",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -BinaryPath {d.Path}, or add /etc/qemu/vhost-user/50-virtiofsd.json naming it.", d.Path, target);
            return d;
        }
        list.Pass("Daemon", $"libvirt will run {d.Path} ({d.Dialect} dialect, version {d.Version?.ToString() ?? "unknown"}).", $"{d.DescriptorPath}: {d.VersionText}", target);
        return d;
    }

    private static void DaemonOptions(DomainDocument doc, XElement fs, VirtioFsShare share, VirtioFsDaemonBinary? daemon, DomainCheckInput input, CheckList list, string target)
    {
        if ((string?)fs.Element("binary")?.Element("sandbox")?.Attribute("mode") is { } sandbox && sandbox is not "namespace" and not "chroot")
        {
            list.Fail("SandboxMode", $"<sandbox mode='{sandbox}'> is not a libvirt value (namespace or chroot): libvirt refuses the XML (\"Invalid value for attribute 'mode' in element 'sandbox'\").",
                $"Set-VirtioFsShare -Tag '{share.Tag}' -Sandbox Chroot (or Namespace); for no sandbox at all run the daemon yourself: Start-VirtioFsDaemon -Sandbox None | New-VirtioFsShare.",
                $"<sandbox mode='{sandbox}'>", target);
        }
        string? cache = (string?)fs.Element("binary")?.Element("cache")?.Attribute("mode");
        if (cache is not null and not "none" and not "always" and not "default")
        {
            list.Fail("CacheMode", $"<cache mode='{cache}'> is not a libvirt value (only none and always): libvirt refuses the XML (\"Invalid value for attribute 'mode' in element 'cache'\")." +
                (cache == "never" ? " 'never' is the Rust daemon's spelling; libvirt writes it for 'none'." : ""),
                $"Set-VirtioFsShare -Tag '{share.Tag}' -Cache None (the Rust daemon takes it as 'never'); for auto/metadata run Start-VirtioFsDaemon -Cache {(cache == "metadata" ? "Metadata" : "Auto")} | New-VirtioFsShare.",
                $"<cache mode='{cache}'>", target);
        }
        else if (cache is not null)
        {
            list.Pass("CacheMode", $"Cache mode '{cache}' is valid" + (daemon?.Dialect == VirtioFsDaemonDialect.Rust && cache == "none" ? " (the Rust daemon takes libvirt's '-o cache=none' as its 'never')." : "."), $"<cache mode='{cache}'>", target);
        }
        // Which options this daemon's dialect does not honour comes from the option table, as in the validator.
        var unsupported = daemon is null ? [] : ShareOptions.UnsupportedBy(share, ShareOptions.DialectOf(daemon));
        bool locks = ShareOptions.PosixLock.IsUsed(share) || ShareOptions.Flock.IsUsed(share);
        if (locks)
        {
            if (unsupported.Contains(ShareOptions.PosixLock) || unsupported.Contains(ShareOptions.Flock))
            {
                list.Fail("Locking", $"<lock> is set but {daemon!.Path} is the Rust virtiofsd, which has no lock options: newer libvirt refuses the share (\"locking options are not supported by this virtiofsd\"); libvirt 9.0 passes '-o flock' anyway, the daemon exits (\"Invalid compat argument\") and the domain fails to start (\"Connection refused\").",
                    $"Set-VirtioFsShare -Tag '{share.Tag}' -Reset PosixLock,Flock (the Rust daemon handles locks itself).", $"{daemon.Path}: {daemon.Dialect}, features [{string.Join(", ", daemon.Features)}]", target);
            }
            else
            {
                list.Pass("Locking", daemon is null ? "<lock> is set; the daemon is unknown." : $"<lock> is set and {daemon.Path} is the C virtiofsd, which supports it.", null, target);
            }
        }
        if (!ShareOptions.UidMap.IsUsed(share) && !ShareOptions.GidMap.IsUsed(share))
        {
            return;
        }
        string idEvidence = $"<idmap> uid [{string.Join(", ", share.UidMap)}] gid [{string.Join(", ", share.GidMap)}]; libvirt at {input.Uri ?? "this host"} runs virtiofsd as " +
            (input.DaemonRunsAsRoot switch { true => "root", false => "the session user", null => "an unknown user" });
        if (unsupported.Contains(ShareOptions.UidMap) || unsupported.Contains(ShareOptions.GidMap))
        {
            list.Fail("IdMap", $"<idmap> needs the Rust virtiofsd (--uid-map/--gid-map); {daemon!.Path} is the C daemon, which has no ID mapping.",
                $"Install the Rust virtiofsd and Set-VirtioFsShare -Tag '{share.Tag}' -BinaryPath <it>, or drop the mapping (-Reset UidMap,GidMap).", daemon.VersionText, target);
        }
        else if (ShareOptions.UidMap.ContextRule(share, new OptionContext(input.Uri, input.LibvirtVersion, input.DaemonRunsAsRoot)) is { } problem)
        {
            // The validator's rule (the option table), for domains defined that way before or by other tools.
            list.Fail("IdMap", problem.Message, Fix(doc, problem.Fix!) + " Then Set-VirtioFsShare -Tag '" + share.Tag + "' -Reset UidMap,GidMap, or remove this share.", idEvidence, target);
        }
        else if (input.DaemonRunsAsRoot == false)
        {
            list.Pass("IdMap", "libvirt runs virtiofsd as the session user, which maps the IDs in a user namespace: files the guest's root creates belong to the mapped host id (the user needs those ids in /etc/subuid and /etc/subgid).", idEvidence, target);
        }
        else
        {
            list.Skip("IdMap", "Whom libvirt runs virtiofsd as is unknown (an XML file): as root (qemu:///system) <idmap> fails at start, unprivileged (qemu:///session) it works.", idEvidence, target);
        }
    }

    private static void LibvirtOptions(VirtioFsShare share, DomainCheckInput input, CheckList list, string target)
    {
        if (input.LibvirtVersion is not { } have)
        {
            list.Skip("LibvirtVersion", "The libvirt version is unknown (no libvirt here); options are not checked against it.", null, target);
            return;
        }
        // The options newer than virtio-fs itself, with the release that brought each (ShareOptions).
        var used = ShareOptions.All.Where(o => o.IsUsed(share) && o.LibvirtSince > ShareOption.VirtioFsSince).ToList();
        var tooNew = ShareOptions.TooNewFor(share, have);
        string evidence = $"libvirt {have}; options used: {(used.Count == 0 ? "none beyond virtiofs" : string.Join(", ", used.Select(o => o.Name)))}";
        if (have < ShareOption.VirtioFsSince)
        {
            list.Fail("LibvirtVersion", $"libvirt {have} has no virtio-fs ({ShareOption.VirtioFsSince}).", $"Upgrade libvirt to {ShareOption.VirtioFsSince} or later.", evidence, target);
            return;
        }
        if (tooNew.Count == 0)
        {
            list.Pass("LibvirtVersion", $"libvirt {have} supports every option of the share.", evidence, target);
            return;
        }
        bool readOnly = tooNew.Contains(ShareOptions.ReadOnly);
        string names = string.Join(", ", tooNew.Select(o => o.XmlName).Distinct().Select(x => $"{x} (libvirt {tooNew.First(o => o.XmlName == x).LibvirtSince})"));
        string message = $"libvirt {have} does not know {names}" +
            (readOnly ? "; it refuses <readonly/> (\"virtiofs does not yet support read-only mode\")." : "; it refuses the XML or silently drops the option.");
        string fix = readOnly
            ? $"Set-VirtioFsShare -Tag '{share.Tag}' -Reset ReadOnly and export a read-only bind mount (mount --bind -o ro), or Start-VirtioFsDaemon -ReadOnly | New-VirtioFsShare; or upgrade libvirt to {ShareOptions.ReadOnly.LibvirtSince.ToString(2)}."
            : $"Upgrade libvirt, or Set-VirtioFsShare -Tag '{share.Tag}' -Reset {string.Join(",", tooNew.Where(o => o.Resettable).Select(o => o.Name))}; or run the daemon yourself with the option (Start-VirtioFsDaemon | New-VirtioFsShare).";
        list.Fail("LibvirtVersion", message, fix, evidence, target);
    }

    /// <summary>Whether libvirt lets the running guest be saved or migrated (MigrationCheck), with the error it gives when not.</summary>
    private static void Migration(DomainDocument doc, IReadOnlyList<MigrationShare> shares, DomainCheckInput input, CheckList list)
    {
        var verdict = MigrationCheck.Predict(input.LibvirtVersion, input.QemuVersion, shares);
        switch (verdict.Allowed)
        {
            case true:
                list.Pass("Migration", verdict.Message, verdict.Evidence);
                break;
            case false:
                list.Warn("Migration", verdict.Message,
                    Fix(doc, "Shut the guest down to save, snapshot or move it; or detach the shares first (unmount in the guest, Remove-VirtioFsShare -Domain <vm> -Tag <tag>) and add them again afterwards. " +
                        $"libvirt {MigrationCheck.LibvirtSince.ToString(2)}+ with QEMU {MigrationCheck.QemuSince.ToString(2)}+ and virtiofsd {MigrationCheck.VirtiofsdSince.ToString(2)}+ ({MigrationCheck.Feature}) save and migrate such guests."),
                    verdict.Evidence);
                break;
            default:
                list.Warn("Migration", verdict.Message,
                    Fix(doc, "Check the daemon: Get-VirtioFsDaemonBinary (Features must list migrate-precopy), and save a test guest before relying on it; or shut the guest down to move it."),
                    verdict.Evidence);
                break;
        }
    }

    private static void WindowsGuest(DomainDocument doc, List<XElement> shares, CheckList list)
    {
        XNamespace osinfo = "http://libosinfo.org/xmlns/libvirt/domain/1.0";
        string? osId = (string?)doc.Root.Element("metadata")?.Element(osinfo + "libosinfo")?.Element(osinfo + "os")?.Attribute("id");
        bool hyperv = doc.Root.Element("features")?.Element("hyperv") is not null;
        bool windows = osId?.Contains("microsoft.com/win", StringComparison.OrdinalIgnoreCase) == true || (osId is null && hyperv);
        if (!windows)
        {
            list.Skip("WindowsGuest", "Not a Windows guest (libosinfo metadata / Hyper-V enlightenments).", osId);
            return;
        }
        string evidence = osId ?? "<features><hyperv>";
        var small = shares.Select(FilesystemElement.Read).Where(s => s.QueueSize != 1024).Select(s => s.Tag).ToList();
        const string advice = "In the guest install the virtio-win viofs driver, WinFsp and the \"VirtIO-FS Service\" (one share per service instance; more via the WinFsp launcher). Keep POSIX ACLs off; for large trees run the Rust daemon with Start-VirtioFsDaemon -InodeFileHandles Prefer.";
        if (small.Count > 0)
        {
            list.Warn("WindowsGuest", $"Windows guest with share(s) {string.Join(", ", small)} not at queue size 1024 (the Windows driver's tested size; smaller queues have hung, RHBZ 1873088).",
                $"Set-VirtioFsShare -Domain {doc.Name} -Tag '{small[0]}' -QueueSize 1024. {advice}", evidence);
            return;
        }
        list.Pass("WindowsGuest", "Windows guest; queue size 1024. " + advice, evidence);
    }
}
