// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using VirtioFs.Daemon;
using VirtioFs.HugePages;
using VirtioFs.Platform;
using VirtioFs.QemuConfig;

namespace VirtioFs.Doctor;

/// <summary>Everything Test-VirtioFsHost looks at; files are read under <see cref="Root"/>, programs through <see cref="Run"/>.</summary>
internal sealed class HostCheckInput
{
    /// <summary>Root for /sys, /proc, /etc, /dev and /var lookups; the real host outside tests.</summary>
    public HostRoot Host { get; init; } = HostRoot.Real;
    public uint Uid { get; init; }
    public string? UserName { get; init; }
    public LibvirtFacts Libvirt { get; init; } = new();
    /// <summary>virtiofsd binaries in libvirt's order, probed; the first is what libvirt runs.</summary>
    public IReadOnlyList<VirtioFsDaemonBinary> Daemons { get; init; } = [];
    public string? DaemonError { get; init; }
    /// <summary>Runs a program (path, argv); null when it cannot start or times out.</summary>
    public Func<string, string[], ProgramResult?> Run { get; init; } = (p, a) => ProgramRunner.Run(p, a, TimeSpan.FromSeconds(10));
    /// <summary>The QEMU binary; null means the one libvirt's domain capabilities name, else /usr/bin/qemu-system-x86_64.</summary>
    public string? Emulator { get; init; }
    /// <summary>The account libvirt runs QEMU as; null: resolved from the host's qemu.conf, passwd and group.</summary>
    public QemuAccount? Qemu { get; init; }
    /// <summary>The virtiofsd processes running or recorded on the host (Get-VirtioFsDaemon's list).</summary>
    public IReadOnlyList<VirtioFsDaemon> RunningDaemons { get; init; } = [];
    /// <summary>False when libvirt's binaries belong to another system (another mount namespace): QEMU and virtiofsd are described, not run.</summary>
    public bool BinariesRun { get; init; } = true;
    /// <summary>False when libvirt's files cannot be read from here (another machine): the checks of its host are skipped.</summary>
    public bool HasFileView { get; init; } = true;
    /// <summary>libvirt's qemu.conf in <see cref="Host"/> (a session's is the user's).</summary>
    public string QemuConfigPath { get; init; } = QemuConfigFile.DefaultPath;
}

/// <summary>The host checks: each one result with a verdict, the evidence and, for Warn/Fail, a fix.</summary>
internal static partial class HostChecks
{
    public static readonly Version MinLibvirt = new(6, 2, 0);
    public static readonly Version MinQemu = new(5, 0, 0);

    public static IReadOnlyList<VirtioFsCheckResult> Run(HostCheckInput input)
    {
        var list = new CheckList(Environment.MachineName);
        var uriTarget = input.Libvirt.Uri;
        LibvirtLibrary(input, list);
        LibvirtDaemon(input, list, uriTarget);
        Stack(input, list, uriTarget);
        var emulator = input.BinariesRun ? Qemu(input, list) : QemuOfStack(input, list);
        Virtiofsd(input, list);
        if (input.BinariesRun)
        {
            DaemonHealthCheck.Run(input.RunningDaemons, list);
        }
        else
        {
            list.Skip("Daemons", $"The virtiofsd processes of this host are not matched to a libvirt that sees {input.Libvirt.FilesDescription}.");
        }
        Privileges(input, list);
        if (input.HasFileView)
        {
            HugePages(input, list);
            DevShm(input, list);
            MemoryBackingDir(input, list);
        }
        DomainCapabilities(input, list, uriTarget, emulator);
        if (input.HasFileView)
        {
            SecurityModule(input, list);
            Kernel(input, list);
            Kvm(input, list);
        }
        else
        {
            string why = $"{input.Libvirt.FilesDescription}: its memory, kernel and devices are not described from this machine.";
            foreach (var name in new[] { "HugePages", "DevShm", "MemoryBackingDir", "SecurityModule", "Kernel", "Kvm" })
            {
                list.Skip(name, why, null, uriTarget);
            }
        }
        return list.Results;
    }

    /// <summary>
    /// Which stack the connection found (libvirt, QEMU, the virtiofsd it runs, where its files are) and what it offers:
    /// the share options its release knows, ID mapping (unprivileged libvirt only), and saving or migrating a guest.
    /// </summary>
    private static void Stack(HostCheckInput input, CheckList list, string target)
    {
        if (input.Libvirt.Stack is not { } stack)
        {
            list.Skip("Stack", "libvirt did not answer, so its stack is unknown.", input.Libvirt.ConnectError, target);
            return;
        }
        var version = stack.LibvirtVersion ?? new Version(0, 0);
        var daemon = input.Daemons.Count > 0 ? input.Daemons[0] : null;
        var offered = Domain.ShareOptions.Settable.Where(o => o.LibvirtSince > Domain.ShareOption.VirtioFsSince && version >= o.LibvirtSince)
            .Select(o => o.Name).ToList();
        var lacking = Domain.ShareOptions.Settable.Where(o => version < o.LibvirtSince).Select(o => $"{o.Name} ({o.LibvirtSince})").ToList();
        var dialect = daemon is null ? null : (Domain.DaemonDialects?)Domain.ShareOptions.DialectOf(daemon);
        string idmap = version < Domain.ShareOptions.UidMap.LibvirtSince ? $"no (libvirt {Domain.ShareOptions.UidMap.LibvirtSince}+)"
            : dialect == Domain.DaemonDialects.C ? "no (the C virtiofsd has no ID mapping)"
            : stack.RunsDaemonAsRoot ? "not with <idmap> (libvirt runs virtiofsd as root, which refuses it): Start-VirtioFsDaemon -TranslateUid/-TranslateGid | New-VirtioFsShare"
            : "yes (libvirt runs virtiofsd as the session user)";
        string locks = dialect == Domain.DaemonDialects.Rust ? "no (the Rust virtiofsd handles locks itself)" : "yes";
        var migration = MigrationCheck.Predict(stack.LibvirtVersion, stack.QemuVersion, [new MigrationShare("(a share libvirt starts)", false, daemon)]);
        string save = migration.Allowed switch
        {
            true => "yes",
            false => $"no (\"{migration.LibvirtError}\")",
            null => "unknown",
        };
        string message = $"{stack.Summary}; files: {stack.FilesDescription}. Options beyond virtio-fs itself: {(offered.Count == 0 ? "none" : string.Join(", ", offered))}" +
            (lacking.Count == 0 ? "" : $"; too old for {string.Join(", ", lacking)}") +
            $". ID mapping: {idmap}. <lock>: {locks}. Save and migration of running guests: {save}.";
        string evidence = $"{stack.Uri}: libvirt {stack.LibvirtVersion}, QEMU {stack.QemuVersion?.ToString() ?? "unknown"}, virtiofsd " +
            (daemon is null ? "none" : $"{daemon.Path} {daemon.VersionText} features [{string.Join(", ", daemon.Features)}]") +
            $", libvirtd uid {stack.DaemonUid?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}";
        list.Pass("Stack", message, evidence, target);
    }

    /// <summary>QEMU as another system's libvirt reports it: its binary needs that system's libraries, so it is not run.</summary>
    private static string QemuOfStack(HostCheckInput input, CheckList list)
    {
        string emulator = EmulatorFromCapabilities(input.Libvirt.DomainCapabilities) ?? "/usr/bin/qemu-system-x86_64";
        if (input.Libvirt.HypervisorVersion is { } v)
        {
            list.Pass("QemuVersion", $"QEMU {v}, as libvirt reports it (its binary {emulator} belongs to {input.Libvirt.FilesDescription} and was not run).", $"virConnectGetVersion: {v}");
        }
        else
        {
            list.Skip("QemuVersion", "libvirt did not report QEMU's version.", input.Libvirt.ConnectError);
        }
        list.Skip("QemuDevice", "QEMU's device list is read from libvirt's domain capabilities (see DomainCapabilities): its binary is not run here.", emulator);
        return emulator;
    }

    private static void LibvirtLibrary(HostCheckInput input, CheckList list)
    {
        if (input.Libvirt.ClientVersion is { } v)
        {
            list.Pass("LibvirtLibrary", $"libvirt client library {v} is installed.", $"virGetVersion: {v}");
        }
        else
        {
            list.Fail("LibvirtLibrary", "libvirt is not installed (libvirt.so.0 cannot be loaded).",
                "apt-get install libvirt-daemon-system libvirt-clients (Debian/Ubuntu) or dnf install libvirt (Fedora/RHEL).",
                input.Libvirt.ClientError);
        }
    }

    private static void LibvirtDaemon(HostCheckInput input, CheckList list, string target)
    {
        var f = input.Libvirt;
        if (f.ClientError is not null)
        {
            list.Skip("LibvirtDaemon", "libvirt is not installed.", f.ClientError, target);
            return;
        }
        if (f.ConnectError is not null)
        {
            list.Fail("LibvirtDaemon", $"libvirtd does not answer on {f.Uri}.",
                "Start it (systemctl start libvirtd, or virtqemud on modular setups), check -ConnectionUri, and run as root or a member of the libvirt group.",
                f.ConnectError, target);
            return;
        }
        var v = f.DaemonVersion!;
        string evidence = $"libvirt {v}, hypervisor {f.HypervisorVersion?.ToString() ?? "unknown"} on {f.Uri}";
        if (v < MinLibvirt)
        {
            list.Fail("LibvirtDaemon", $"libvirt {v} predates virtio-fs (6.2.0).", "Upgrade libvirt to 6.2.0 or later (read-only shares need 11.0).", evidence, target);
            return;
        }
        var missing = Domain.ShareOptions.All.Where(o => v < o.LibvirtSince).Select(o => $"{o.Name} ({o.LibvirtSince})").ToList();
        list.Pass("LibvirtDaemon", missing.Count == 0
                ? $"libvirt {v} answers on {f.Uri} and has every virtio-fs option."
                : $"libvirt {v} answers on {f.Uri}; options it lacks: {string.Join(", ", missing)}.",
            evidence, target);
    }

    private static string Qemu(HostCheckInput input, CheckList list)
    {
        string emulator = input.Emulator ?? EmulatorFromCapabilities(input.Libvirt.DomainCapabilities) ?? "/usr/bin/qemu-system-x86_64";
        var version = input.Run(emulator, ["-version"]);
        if (version is null)
        {
            list.Fail("QemuVersion", $"QEMU ({emulator}) cannot be run.",
                "apt-get install qemu-system-x86 (or qemu-kvm on Fedora/RHEL).", null);
            list.Skip("QemuDevice", "QEMU cannot be run, so its devices cannot be listed.", null);
            return emulator;
        }
        var firstLine = version.Output.Split('\n').FirstOrDefault()?.Trim() ?? "";
        var m = QemuVersionRegex().Match(firstLine);
        Version? v = m.Success ? new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)) : null;
        if (v is null)
        {
            list.Warn("QemuVersion", $"{emulator} -version printed no version.", "Check that it is QEMU: apt-get install --reinstall qemu-system-x86.", firstLine);
        }
        else if (v < MinQemu)
        {
            list.Fail("QemuVersion", $"QEMU {v} is too old for libvirt's virtio-fs (5.0 needed).", "Upgrade QEMU to 5.0 or later (8.2+ for migration of virtio-fs guests).", firstLine);
        }
        else
        {
            list.Pass("QemuVersion", $"QEMU {v}" + (v >= new Version(8, 0) ? " (the C virtiofsd is gone since 8.0: install the Rust virtiofsd)." : " (ships the C virtiofsd)."), firstLine);
        }
        var help = input.Run(emulator, ["-machine", "none", "-device", "help"]);
        if (help is null)
        {
            list.Warn("QemuDevice", "QEMU did not list its devices within the timeout.", $"Run '{emulator} -device help | grep vhost-user-fs' yourself.", null);
        }
        else if (help.Output.Contains("\"vhost-user-fs-pci\"", StringComparison.Ordinal))
        {
            var line = help.Output.Split('\n').First(l => l.Contains("\"vhost-user-fs-pci\"", StringComparison.Ordinal)).Trim();
            list.Pass("QemuDevice", "QEMU has the vhost-user-fs-pci device.", line);
        }
        else
        {
            list.Fail("QemuDevice", "QEMU has no vhost-user-fs-pci device: it was built without vhost-user or virtio-fs.",
                "Install a full QEMU build (apt-get install qemu-system-x86; Fedora: qemu-kvm with qemu-device-*).", $"{emulator} -device help: {help.Output.Split('\n').Length} lines, no vhost-user-fs-pci");
        }
        return emulator;
    }

    private static string? EmulatorFromCapabilities(string? xml)
    {
        if (xml is null)
        {
            return null;
        }
        try
        {
            return XDocument.Parse(xml).Root?.Element("path")?.Value.Trim();
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static void Virtiofsd(HostCheckInput input, CheckList list)
    {
        if (input.Daemons.Count == 0)
        {
            list.Fail("Virtiofsd", "No virtiofsd was found: libvirt will fail with \"Unable to find a satisfying virtiofsd\".",
                "Install it: apt-get install virtiofsd (Debian 13+/Ubuntu 24.04+; Debian 12: qemu-system-common has /usr/lib/qemu/virtiofsd), dnf install virtiofsd (Fedora). Then Get-VirtioFsDaemonBinary.",
                input.DaemonError);
            return;
        }
        var d = input.Daemons[0];
        string evidence = $"{d.Path} ({d.Source}{(d.DescriptorPath is null ? "" : ": " + d.DescriptorPath)}): {d.VersionText}; features [{string.Join(", ", d.Features)}]";
        string what = $"virtiofsd {d.Path}, {(d.Dialect == VirtioFsDaemonDialect.C ? "legacy C dialect (-o options)" : d.Dialect == VirtioFsDaemonDialect.Rust ? "Rust dialect (--flags)" : "unknown dialect")}, version {d.Version?.ToString() ?? "unknown"}";
        if (d.Dialect == VirtioFsDaemonDialect.Unknown)
        {
            list.Warn("Virtiofsd", what + ": it did not answer like either virtiofsd.", "Check the binary with Get-VirtioFsDaemonBinary; reinstall virtiofsd.", evidence);
        }
        else if (d.DescriptorPath is null)
        {
            list.Warn("Virtiofsd", what + ", but no vhost-user descriptor names it: libvirt will not find it by itself (\"Unable to find a satisfying virtiofsd\").",
                $"Name it in each share (New-VirtioFsShare -BinaryPath {d.Path}), or create /etc/qemu/vhost-user/50-virtiofsd.json with {{\"description\": \"virtiofsd\", \"type\": \"fs\", \"binary\": \"{d.Path}\"}}.",
                evidence);
        }
        else
        {
            list.Pass("Virtiofsd", what + ".", evidence);
        }
    }

    private static void Privileges(HostCheckInput input, CheckList list)
    {
        if (input.Uid == 0)
        {
            list.Pass("Privileges", "Running as root: hugepage pools, qemu.conf, hugetlbfs mounts and qemu:///system are all available.", "uid 0");
            return;
        }
        var user = input.UserName ?? input.Uid.ToString(CultureInfo.InvariantCulture);
        var groups = input.Host.ReadLines("/etc/group").Select(l => l.Split(':'))
            .Where(f => f.Length > 3 && f[3].Split(',').Contains(user)).Select(f => f[0]).ToList();
        if (groups.Contains("libvirt"))
        {
            list.Warn("Privileges", $"Running as {user} (libvirt group): domains can be edited, but hugepage pools, hugetlbfs mounts and qemu.conf need root.",
                "Run the host-changing commands (Set-VirtioFsHugePage, Mount-VirtioFsHugeTlbFs, Set-VirtioFsQemuConfig) as root: sudo pwsh.",
                $"uid {input.Uid}, groups {string.Join(",", groups)}");
        }
        else
        {
            list.Fail("Privileges", $"Running as {user}, neither root nor in the libvirt group: qemu:///system and host changes are refused.",
                $"Run as root (sudo pwsh), or add the user to the libvirt group: usermod -aG libvirt {user} (then log in again).",
                $"uid {input.Uid}, groups {string.Join(",", groups)}");
        }
    }

    private static void HugePages(HostCheckInput input, CheckList list)
    {
        var sysfs = new HugePageSysfs(input.Host);
        var sizes = sysfs.OfferedPageSizesKiB();
        if (sizes.Count == 0)
        {
            list.Warn("HugePages", "The kernel offers no hugepages (no /sys/kernel/mm/hugepages): hugepage-backed guests cannot start.",
                "Use memfd shared memory (Enable-VirtioFsSharedMemory -Backing Memfd, the default), or boot a kernel with CONFIG_HUGETLBFS.", null);
            return;
        }
        var pools = sysfs.ReadPools();
        var mounts = sysfs.Mounts();
        string evidence = string.Join("; ", pools.Select(p => $"{p.PageSize} {(p.IsHostWide ? "host" : "node" + p.NumaNode)}: {p.Total} total, {p.Free} free")) +
            "; mounts: " + (mounts.Count == 0 ? "none" : string.Join(", ", mounts.Select(m => $"{m.MountPoint} ({PageSize.Format(m.PageSizeKiB)})")));
        if (mounts.Count == 0)
        {
            list.Warn("HugePages", "hugetlbfs is not mounted: hugepage-backed guests fail with \"hugetlbfs filesystem is not mounted or disabled by administrator config\".",
                "Mount-VirtioFsHugeTlbFs -PageSize 2M, then restart libvirtd (it reads the mount table only at start). Not needed for memfd guests.", evidence);
            return;
        }
        var unmounted = pools.Where(p => p.IsHostWide && p.Total > 0 && p.MountPoint.Length == 0).Select(p => p.PageSize).ToList();
        if (unmounted.Count > 0)
        {
            list.Warn("HugePages", $"Hugepages of {string.Join(", ", unmounted)} are allocated but no hugetlbfs is mounted for that size: libvirt cannot use them.",
                $"Mount-VirtioFsHugeTlbFs -PageSize {unmounted[0]}, then restart libvirtd.", evidence);
            return;
        }
        var hostPools = pools.Where(p => p.IsHostWide).ToList();
        list.Pass("HugePages", $"hugetlbfs is mounted; pools: {string.Join(", ", hostPools.Select(p => $"{p.PageSize} {p.Free}/{p.Total} free"))}" +
            (hostPools.All(p => p.Total == 0) ? " (empty: allocate with Set-VirtioFsHugePage before starting a hugepage-backed guest)." : "."), evidence);
    }

    private static void DevShm(HostCheckInput input, CheckList list)
    {
        var entry = MountTable.Read(input.Host).LastOrDefault(m => m.MountPoint == "/dev/shm");
        if (entry is null)
        {
            list.Warn("DevShm", "/dev/shm is not mounted: POSIX shared memory (and memory_backing_dir=/dev/shm) is unavailable.",
                "mount -t tmpfs -o size=50% tmpfs /dev/shm (and add it to /etc/fstab).", null);
            return;
        }
        long? sizeKiB = TmpfsSizeKiB(entry.Options) ?? (new HugePageSysfs(input.Host).MemTotalKiB(-1) is long total ? total / 2 : null);
        var domains = input.Libvirt.Domains;
        string evidence = $"{entry.Source} /dev/shm {entry.FileSystemType} {entry.Options}";
        if (domains is null)
        {
            list.Skip("DevShm", $"/dev/shm is {Format(sizeKiB)}; libvirt is not reachable, so the guests' memory is unknown.", evidence);
            return;
        }
        ulong sum = domains.Aggregate(0UL, (a, d) => a + d.MemoryKiB);
        evidence += $"; {domains.Count} defined domain(s), {sum / 1024} MiB in total";
        if (sizeKiB is long size && sum > (ulong)size)
        {
            list.Warn("DevShm", $"The defined guests have {sum / 1024} MiB of RAM but /dev/shm holds {Format(sizeKiB)}: guests backed by files in /dev/shm (memory_backing_dir=/dev/shm) cannot all run.",
                $"Grow it: mount -o remount,size={sum / 1024 + 1024}M /dev/shm (and in /etc/fstab), or back the guests with memfd or hugepages (Enable-VirtioFsSharedMemory).", evidence);
            return;
        }
        list.Pass("DevShm", $"/dev/shm ({Format(sizeKiB)}) can hold the RAM of the {domains.Count} defined guest(s) ({sum / 1024} MiB).", evidence);
    }

    private static void MemoryBackingDir(HostCheckInput input, CheckList list)
    {
        string dir = QemuConfigKeys.Known.First(k => k.Name == QemuConfigKeys.MemoryBackingDir).Default!.Text!;
        string source = "libvirt's default";
        var conf = input.Host.Path(input.QemuConfigPath);
        if (File.Exists(conf))
        {
            try
            {
                var doc = QemuConfigDocument.Parse(File.ReadAllBytes(conf), conf);
                if (doc.Find(QemuConfigKeys.MemoryBackingDir)?.Value.Text is { } set)
                {
                    dir = set;
                    source = input.QemuConfigPath;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Errors.VirtioFsException)
            {
                source = $"libvirt's default ({input.QemuConfigPath} unreadable)";
            }
        }
        var mount = MountTable.Containing(MountTable.Read(input.Host), dir);
        string fsType = mount?.FileSystemType ?? "unknown";
        string evidence = $"memory_backing_dir = {dir} ({source}); filesystem {fsType}" + (mount is null ? "" : $" mounted on {mount.MountPoint}");
        if (!Directory.Exists(input.Host.Path(dir)))
        {
            list.Warn("MemoryBackingDir", $"memory_backing_dir {dir} does not exist: guests with file-backed memory (NUMA cells, <source type='file'/>) fail to start.",
                $"Create it (mkdir -p {dir}; chown libvirt-qemu {dir}) or point it elsewhere: Set-VirtioFsQemuConfig -Name memory_backing_dir -Value /dev/shm, then restart libvirtd.", evidence);
            return;
        }
        if (fsType is "tmpfs" or "hugetlbfs")
        {
            list.Pass("MemoryBackingDir", $"memory_backing_dir {dir} is on {fsType}: file-backed guest RAM stays in memory.", evidence);
            return;
        }
        list.Warn("MemoryBackingDir", $"memory_backing_dir {dir} is on {fsType}: guests with file-backed shared memory (NUMA cells without memfd, <source type='file'/>) keep their RAM in files on that disk.",
            "Use memfd (Enable-VirtioFsSharedMemory -Backing Memfd), or Set-VirtioFsQemuConfig -Name memory_backing_dir -Value /dev/shm and restart libvirtd.", evidence);
    }

    private static void DomainCapabilities(HostCheckInput input, CheckList list, string target, string emulator)
    {
        var f = input.Libvirt;
        if (f.DomainCapabilities is null)
        {
            if (f.Reachable)
            {
                list.Warn("DomainCapabilities", "libvirt did not return its domain capabilities.", $"Run 'virsh domcapabilities --virttype qemu' and check {emulator}.", f.DomainCapabilitiesError, target);
            }
            else
            {
                list.Skip("DomainCapabilities", "libvirt is not reachable.", f.ConnectError, target);
            }
            return;
        }
        XElement? root;
        try
        {
            root = XDocument.Parse(f.DomainCapabilities).Root;
        }
        catch (System.Xml.XmlException e)
        {
            list.Warn("DomainCapabilities", "libvirt's domain capabilities are not valid XML.", "Run 'virsh domcapabilities' and report it.", e.Message, target);
            return;
        }
        var fsTypes = EnumValues(root?.Element("devices")?.Element("filesystem"), "driverType");
        var memTypes = EnumValues(root?.Element("memoryBacking"), "sourceType");
        string evidence = $"virttype {root?.Element("domain")?.Value}, {root?.Element("path")?.Value}: filesystem driverType [{string.Join(", ", fsTypes)}], memoryBacking sourceType [{string.Join(", ", memTypes)}]";
        if (!fsTypes.Contains("virtiofs"))
        {
            list.Fail("DomainCapabilities", "libvirt's domain capabilities do not list the virtiofs filesystem driver.",
                "Upgrade libvirt (6.2+) and QEMU (5.0+) with vhost-user support; see the QemuDevice check.", evidence, target);
        }
        else if (!memTypes.Contains("memfd"))
        {
            list.Warn("DomainCapabilities", "libvirt lists virtiofs but not memfd memory: shared memory must come from hugepages or memory_backing_dir.",
                "Use Enable-VirtioFsSharedMemory -Backing File (or HugePages); memfd needs QEMU 4.0+ and libvirt 4.10+.", evidence, target);
        }
        else
        {
            list.Pass("DomainCapabilities", "libvirt's domain capabilities list the virtiofs driver and memfd memory.", evidence, target);
        }
    }

    private static List<string> EnumValues(XElement? parent, string name) =>
        parent?.Elements("enum").Where(e => (string?)e.Attribute("name") == name).SelectMany(e => e.Elements("value")).Select(v => v.Value.Trim()).ToList() ?? [];

    private static void SecurityModule(HostCheckInput input, CheckList list)
    {
        var notes = new List<string>();
        bool appArmor = input.Host.DirectoryExists("/sys/kernel/security/apparmor") ||
            input.Host.ReadText("/sys/module/apparmor/parameters/enabled")?.Trim() == "Y";
        string? enforce = input.Host.ReadText("/sys/fs/selinux/enforce")?.Trim();
        if (appArmor)
        {
            notes.Add("AppArmor enabled");
        }
        if (enforce is not null)
        {
            notes.Add(enforce == "1" ? "SELinux enforcing" : "SELinux permissive");
        }
        string evidence = notes.Count == 0 ? "no /sys/kernel/security/apparmor, no /sys/fs/selinux" : string.Join(", ", notes);
        if (enforce == "1")
        {
            list.Warn("SecurityModule", "SELinux is enforcing: share directories and the sockets of daemons you run yourself need labels QEMU and virtiofsd may use.",
                "Label shares with semanage fcontext -a -t virt_image_t '<dir>(/.*)?' && restorecon -R <dir> (or svirt_image_t), check 'ausearch -m avc' after a failed start; let libvirt start virtiofsd where possible.", evidence);
        }
        else if (appArmor)
        {
            list.Warn("SecurityModule", "AppArmor is enabled: its libvirt profiles can block virtiofsd or a self-run daemon's socket (denials appear only in the kernel log).",
                "After a failed start check 'dmesg | grep -i apparmor' (or journalctl -k); add the share and socket paths to /etc/apparmor.d/local/abstractions/libvirt-qemu and reload with apparmor_parser -r.", evidence);
        }
        else
        {
            list.Pass("SecurityModule", notes.Count == 0 ? "No AppArmor or SELinux: only file permissions (DAC) apply." : $"{string.Join(", ", notes)}: nothing blocks virtio-fs.", evidence);
        }
    }

    private static void Kernel(HostCheckInput input, CheckList list)
    {
        var release = input.Host.ReadText("/proc/sys/kernel/osrelease")?.Trim();
        var m = release is null ? null : KernelRegex().Match(release);
        if (m is null || !m.Success)
        {
            list.Warn("Kernel", "The kernel version cannot be read.", "Check /proc/sys/kernel/osrelease (uname -r).", release);
            return;
        }
        var v = new Version(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        if (v < new Version(4, 17))
        {
            list.Warn("Kernel", $"Host kernel {release} is old: memfd hugepages, user namespaces for the virtiofsd sandbox and open_by_handle_at-based file handles may be missing.",
                "Use a kernel of 5.4 or later on the host (guests need 5.4+ for virtio-fs too).", release);
            return;
        }
        list.Pass("Kernel", $"Host kernel {release}.", release);
    }

    /// <summary>
    /// /dev/kvm as QEMU sees it: QEMU runs as qemu.conf's user and group (Debian: libvirt-qemu:kvm), so the
    /// node must be readable and writable for that account. Without udev (containers, minimal hosts) it stays
    /// root:root 0600; libvirt then logs "KVM was enabled when probing, but it is not available now", probes
    /// QEMU again on every call (each define takes minutes) and type='kvm' guests cannot start.
    /// </summary>
    private static void Kvm(HostCheckInput input, CheckList list)
    {
        var node = FileStatus.Of(input.Host.Path("/dev/kvm"));
        if (node is not { } st)
        {
            list.Warn("Kvm", "/dev/kvm is missing: only <domain type='qemu'> (TCG emulation, slow) can run; type='kvm' domains fail to start.",
                "Enable virtualization in the firmware and load kvm_intel or kvm_amd (modprobe), or nested virtualization on a VM host; until then use type='qemu'.", "no /dev/kvm");
            return;
        }
        string mode = Convert.ToString(st.Permissions, 8);
        string evidence = $"/dev/kvm {st.Uid}:{st.Gid} mode {mode}";
        if (!st.IsCharacterDevice)
        {
            list.Fail("Kvm", "/dev/kvm is not a character device: QEMU cannot use it for KVM.",
                "Remove it and let the kernel create it (modprobe kvm_intel or kvm_amd), or mknod /dev/kvm c 10 232.", evidence);
            return;
        }
        var qemu = input.Qemu ?? QemuAccount.Resolve(input.Host);
        if (qemu is null)
        {
            list.Pass("Kvm", "/dev/kvm exists (the account libvirt runs QEMU as is unknown: libvirt is not installed).", evidence);
            return;
        }
        if (qemu.May(st, 6))
        {
            list.Pass("Kvm", $"QEMU runs as {qemu}, who can open /dev/kvm: guests run with hardware acceleration.", evidence);
            return;
        }
        string group = HostAccounts.GroupExists(input.Host, "kvm") ? "kvm" : qemu.Group;
        list.Fail("Kvm", $"QEMU runs as {qemu}, who cannot open /dev/kvm ({mode}, owner {st.Uid}:{st.Gid}): libvirt logs \"KVM was enabled when probing, but it is not available now\", probes QEMU again on every call (each define can take minutes), and type='kvm' guests do not start.",
            $"Do what udev does: chgrp {group} /dev/kvm && chmod 0660 /dev/kvm, then restart libvirtd; keep it across reboots with a udev rule: echo 'KERNEL==\"kvm\", GROUP=\"{group}\", MODE=\"0660\"' > /etc/udev/rules.d/65-kvm.rules (and make sure {qemu.User} is in group {group}).",
            evidence);
    }

    private static long? TmpfsSizeKiB(string options)
    {
        foreach (var o in options.Split(','))
        {
            if (o.StartsWith("size=", StringComparison.Ordinal))
            {
                var v = o[5..];
                long mult = v.EndsWith('k') ? 1 : v.EndsWith('m') ? 1024 : v.EndsWith('g') ? 1024 * 1024 : 0;
                var digits = mult == 0 ? v : v[..^1];
                if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    return mult == 0 ? n / 1024 : n * mult;
                }
            }
        }
        return null;
    }

    private static string Format(long? kib) => kib is long k ? $"{k / 1024} MiB" : "of unknown size";

    [GeneratedRegex(@"version (\d+)\.(\d+)\.(\d+)")]
    private static partial Regex QemuVersionRegex();

    [GeneratedRegex(@"^(\d+)\.(\d+)")]
    private static partial Regex KernelRegex();
}
