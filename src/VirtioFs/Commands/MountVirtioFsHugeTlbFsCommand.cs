// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.HugePages;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Mounts hugetlbfs for one page size so libvirt can back guests with those pages.</summary>
[Cmdlet(VerbsData.Mount, "VirtioFsHugeTlbFs", SupportsShouldProcess = true)]
[OutputType(typeof(VirtioFsHugeTlbFsMount))]
public sealed class MountVirtioFsHugeTlbFsCommand : VirtioFsCmdlet
{
    /// <summary>Mount point; default /dev/hugepages for the default page size, /dev/hugepages1G (etc.) for others.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Page size the mount serves; default: the kernel's default hugepage size.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SizeTransformation]
    [ArgumentCompleter(typeof(PageSizeCompleter))]
    [ValidateNotNullOrEmpty]
    public string? PageSize { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var sysfs = new HugePageSysfs();
            var defaultKiB = sysfs.DefaultPageSizeKiB();
            long kib = PageSize is null ? defaultKiB : HugePages.PageSize.ParseOffered(PageSize, sysfs.OfferedPageSizesKiB());
            var path = Path is null
                ? (kib == defaultKiB ? "/dev/hugepages" : "/dev/hugepages" + HugePages.PageSize.FormatKernel(kib))
                : ResolveFileSystemPath(Path, mustExist: false);
            var mounter = new HugeTlbFsMounter(sysfs);
            if (mounter.Existing(path, kib) is { } existing)
            {
                WriteVerbose($"hugetlbfs for {HugePages.PageSize.Format(kib)} pages is already mounted on {existing.MountPoint}.");
                WriteObject(new VirtioFsHugeTlbFsMount(existing.MountPoint, kib, existing.Options, created: false));
                return;
            }
            if (!ShouldProcess(path, $"Mount hugetlbfs for {HugePages.PageSize.Format(kib)} pages (mount -t hugetlbfs -o pagesize={HugePages.PageSize.FormatKernel(kib)})"))
            {
                return;
            }
            var mount = mounter.Mount(path, kib);
            WriteWarning($"hugetlbfs is now mounted on {mount.MountPoint}. libvirtd reads the mount list only when it starts: " +
                         "restart libvirtd (or virtqemud) before starting guests with hugepages. Add an /etc/fstab line " +
                         $"('hugetlbfs {mount.MountPoint} hugetlbfs pagesize={HugePages.PageSize.FormatKernel(kib)} 0 0') to keep it after a reboot.");
            WriteObject(mount);
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
        }
    }
}
