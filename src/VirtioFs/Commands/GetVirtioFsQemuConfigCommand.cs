// SPDX-License-Identifier: MIT
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;
using VirtioFs.QemuConfig;

namespace VirtioFs.Commands;

/// <summary>Shows libvirt qemu.conf settings: by default the keys virtio-fs cares about, with libvirt's default where unset.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsQemuConfig")]
[OutputType(typeof(VirtioFsQemuConfigSetting))]
public sealed class GetVirtioFsQemuConfigCommand : VirtioFsCmdlet
{
    /// <summary>Keys to show (wildcards allowed); default: memory_backing_dir, hugetlbfs_mount, virtiofsd_debug.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(QemuConfigKeyCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>The config file; default /etc/libvirt/qemu.conf.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = QemuConfigFile.DefaultPath;

    protected override void EndProcessing()
    {
        try
        {
            var file = new QemuConfigFile(ResolveFileSystemPath(Path, mustExist: true));
            if (Name.Length == 0)
            {
                foreach (var key in QemuConfigKeys.Known)
                {
                    WriteObject(file.Setting(key.Name));
                }
                return;
            }
            var names = file.Names().ToList();
            foreach (var n in Name)
            {
                var pattern = new WildcardPattern(n, WildcardOptions.IgnoreCase);
                var matches = names.Where(x => pattern.IsMatch(x)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n))
                {
                    WriteCoreError(new VirtioFsException(ErrorIds.QemuConfigKeyNotFound, VirtioFsErrorKind.ObjectNotFound,
                        $"'{file.Path}' neither sets '{n}' nor lists it as a commented default, and it is not a key this module knows.",
                        n, "Check the spelling; see the keys with Get-VirtioFsQemuConfig -Name *."));
                }
                foreach (var m in matches)
                {
                    WriteObject(file.Setting(m));
                }
            }
        }
        catch (VirtioFsException e)
        {
            ThrowCoreError(e);
        }
    }
}
