# SPDX-License-Identifier: MIT
@{
    RootModule           = 'VirtioFs.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    GUID                 = '5f0c2a8e-6f0b-4c51-9a53-1c3f0e7d2b94'
    Author               = 'VirtioFs contributors'
    CompanyName          = 'VirtioFs contributors'
    Copyright            = '(c) 2026 VirtioFs contributors. MIT License.'
    Description          = 'Share host directories into KVM/QEMU guests with virtio-fs: libvirt domain XML with the shared memory it needs, hugepages, qemu.conf, the virtiofsd daemon and the guest mount.'
    FormatsToProcess     = @('VirtioFs.Format.ps1xml')
    TypesToProcess       = @()
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Add-VirtioFsMappingAssignment'
        'ConvertTo-VirtioFsQemuArgument'
        'Enable-VirtioFsSharedMemory'
        'Get-VirtioFsDaemon'
        'Get-VirtioFsDaemonBinary'
        'Get-VirtioFsGuestMount'
        'Get-VirtioFsHugePage'
        'Get-VirtioFsMapping'
        'Get-VirtioFsMappingAssignment'
        'Get-VirtioFsQemuConfig'
        'Get-VirtioFsShare'
        'Get-VirtioFsSharedMemory'
        'Mount-VirtioFsHugeTlbFs'
        'New-VirtioFsMapping'
        'New-VirtioFsShare'
        'Register-VirtioFsDaemon'
        'Remove-VirtioFsMapping'
        'Remove-VirtioFsMappingAssignment'
        'Remove-VirtioFsShare'
        'Resolve-VirtioFsError'
        'Restart-VirtioFsDaemon'
        'Set-VirtioFsHugePage'
        'Set-VirtioFsMapping'
        'Set-VirtioFsQemuConfig'
        'Set-VirtioFsShare'
        'Start-VirtioFsDaemon'
        'Stop-VirtioFsDaemon'
        'Sync-VirtioFsMapping'
        'Test-VirtioFsDomain'
        'Test-VirtioFsHost'
        'Test-VirtioFsMapping'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        # What the PowerShell Gallery shows. build.ps1 completes it in the built copy only:
        # ReleaseNotes becomes CHANGELOG.md's section for ModuleVersion, and ProjectUri is added
        # when `git remote get-url origin` is an https URL. No IconUri: there is no icon.
        PSData = @{
            Tags         = @('virtiofs', 'virtio-fs', 'virtiofsd', 'libvirt', 'KVM', 'QEMU', 'hugepages', 'Linux', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md'
        }
    }
}
