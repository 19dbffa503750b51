# SPDX-License-Identifier: MIT
# Get-VirtioFsQemuConfig on copies of the stock Debian 12 qemu.conf (tests/fixtures/qemu.conf.debian12).

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Fixture = Get-VirtioFsFixturePath 'qemu.conf.debian12'
}

Describe 'Get-VirtioFsQemuConfig' {
    BeforeEach {
        $script:Conf = Join-Path $TestDrive 'qemu.conf'
        Copy-Item -LiteralPath $script:Fixture -Destination $script:Conf -Force
    }

    It 'shows the three virtio-fs keys of the stock file as unset, with libvirt defaults and the commented lines' {
        $s = @(Get-VirtioFsQemuConfig -Path $script:Conf)
        $s.Name | Should -Be @('memory_backing_dir', 'hugetlbfs_mount', 'virtiofsd_debug')
        $s | ForEach-Object { $_ | Should -BeOfType ([VirtioFs.VirtioFsQemuConfigSetting]); $_.IsSet | Should -BeFalse; $_.IsDefault | Should -BeTrue }
        $s[0].Value | Should -Be '/var/lib/libvirt/qemu/ram'
        $s[0].LineNumber | Should -Be 898
        $s[1].LineNumber | Should -Be 646
        $s[2].Value | Should -Be 0
    }

    It 'reads set values, lists and other keys by -Name with wildcards' {
        Add-Content -LiteralPath $script:Conf -Value @('memory_backing_dir = "/dev/shm"', 'hugetlbfs_mount = [', '  "/dev/hugepages",  # 2M', '  "/dev/hugepages1G"', ']', 'user = "qemu"')
        $m = Get-VirtioFsQemuConfig -Path $script:Conf -Name memory_backing_dir
        $m.IsSet | Should -BeTrue
        $m.IsDefault | Should -BeFalse
        $m.Value | Should -Be '/dev/shm'
        $m.LineNumber | Should -Be 971
        (Get-VirtioFsQemuConfig -Path $script:Conf -Name hugetlbfs_mount).Value | Should -Be @('/dev/hugepages', '/dev/hugepages1G')
        (Get-VirtioFsQemuConfig -Path $script:Conf -Name us*).Value | Should -Be 'qemu'
        @(Get-VirtioFsQemuConfig -Path $script:Conf -Name *).Count | Should -BeGreaterThan 50
    }

    It 'reports a broken file with the line number and does not guess' {
        Add-Content -LiteralPath $script:Conf -Value 'memory_backing_dir = "/unterminated'
        { Get-VirtioFsQemuConfig -Path $script:Conf -ErrorAction Stop } | Should -Throw -ErrorId 'QemuConfigSyntaxError,*' -ExpectedMessage '*:971:*'
    }

    It 'reports a missing file and an unknown key' {
        # PowerShell's own path resolution refuses it (PathNotFound), before the module's QemuConfigNotFound could.
        $missing = Join-Path $TestDrive 'nope.conf'
        $e = { Get-VirtioFsQemuConfig -Path $missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'PathNotFound,VirtioFs.Commands.GetVirtioFsQemuConfigCommand' -PassThru
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match ([regex]::Escape($missing))
        Get-VirtioFsQemuConfig -Path $script:Conf -Name no_such_key -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'QemuConfigKeyNotFound,VirtioFs.Commands.GetVirtioFsQemuConfigCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reads the real /etc/libvirt/qemu.conf (root only: it is mode 0600)' {
        if (-not (Test-VirtioFsRoot)) { throw 'Reading /etc/libvirt/qemu.conf needs root: run as root.' }
        Assert-VirtioFsRequirement -Path /etc/libvirt/qemu.conf -Package libvirt-daemon-system
        @(Get-VirtioFsQemuConfig).Count | Should -Be 3
    }

    It 'has a table view' {
        Get-VirtioFsQemuConfig -Path $script:Conf | Format-Table | Out-String | Should -Match 'Name\s+IsSet\s+IsDefault\s+Line\s+Value'
    }
}
