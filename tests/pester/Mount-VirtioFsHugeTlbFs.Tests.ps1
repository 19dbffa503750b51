# SPDX-License-Identifier: MIT
# Mount-VirtioFsHugeTlbFs mounts a real hugetlbfs on a scratch directory and unmounts it afterwards.

BeforeAll {
    . $PSScriptRoot/common.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'Mount-VirtioFsHugeTlbFs tests mount file systems and need root: run them as root.' }
    Assert-VirtioFsRequirement -Command mount -Package mount
    $script:Dir = "/tmp/vfs-hugetlbfs-$PID"
    function Get-HugeMount([string] $Path) { Get-Content /proc/mounts | Where-Object { $f = $_ -split ' '; $f[1] -eq $Path -and $f[2] -eq 'hugetlbfs' } }
}

AfterAll {
    if (Get-HugeMount $script:Dir) { & umount $script:Dir }
    if (Test-Path $script:Dir) { Remove-Item $script:Dir -Recurse -Force }
}

Describe 'Mount-VirtioFsHugeTlbFs' {
    It '-WhatIf mounts nothing' {
        Mount-VirtioFsHugeTlbFs -Path $script:Dir -PageSize 2M -WhatIf | Should -BeNullOrEmpty
        Get-HugeMount $script:Dir | Should -BeNullOrEmpty
    }

    It 'mounts hugetlbfs for 2 MiB pages and warns that libvirtd must be restarted' {
        $m = Mount-VirtioFsHugeTlbFs -Path $script:Dir -PageSize 2M -WarningVariable warn -WarningAction SilentlyContinue
        $m | Should -BeOfType ([VirtioFs.VirtioFsHugeTlbFsMount])
        $m.Created | Should -BeTrue
        $m.PageSizeKiB | Should -Be 2048
        Get-HugeMount $script:Dir | Should -Match 'pagesize=2M'
        "$warn" | Should -Match 'restart libvirtd'
        (Get-VirtioFsHugePage -PageSize 2M -NumaNode -1).MountPoint | Should -Contain $script:Dir
    }

    It 'is idempotent: a second call finds the mount and does not warn' {
        $m = Mount-VirtioFsHugeTlbFs -Path $script:Dir -PageSize 2MiB -WarningVariable warn
        $m.Created | Should -BeFalse
        $warn | Should -BeNullOrEmpty
        @(Get-HugeMount $script:Dir).Count | Should -Be 1
    }

    It 'has a table view' {
        Mount-VirtioFsHugeTlbFs -Path $script:Dir | Format-Table | Out-String | Should -Match 'MountPoint\s+PageSize\s+Created'
    }
}
