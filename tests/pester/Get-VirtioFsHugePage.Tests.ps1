# SPDX-License-Identifier: MIT
# Get-VirtioFsHugePage against the real sysfs of this host (read only).

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:SizeDirs = Get-ChildItem -Directory /sys/kernel/mm/hugepages -Filter 'hugepages-*kB'
    if (-not $script:SizeDirs) { throw 'This host offers no hugepages (/sys/kernel/mm/hugepages is empty); use a kernel with CONFIG_HUGETLBFS.' }
}

Describe 'Get-VirtioFsHugePage' {
    It 'returns a host-wide pool for every page size the kernel offers, matching sysfs' {
        $pools = @(Get-VirtioFsHugePage)
        $hostPools = @($pools | Where-Object NumaNode -EQ -1)
        $hostPools.Count | Should -Be $script:SizeDirs.Count
        foreach ($dir in $script:SizeDirs) {
            $kib = [long]($dir.Name -replace '^hugepages-(\d+)kB$', '$1')
            $p = $hostPools | Where-Object PageSizeKiB -EQ $kib
            $p | Should -Not -BeNullOrEmpty
            $p.Total | Should -Be ([long](Get-Content "$($dir.FullName)/nr_hugepages"))
            $p.Reserved | Should -Be ([long](Get-Content "$($dir.FullName)/resv_hugepages"))
            $p.IsHostWide | Should -BeTrue
            $p | Should -BeOfType ([VirtioFs.VirtioFsHugePagePool])
        }
    }

    It 'returns one pool per NUMA node with the per-node counts' {
        $nodes = @(Get-ChildItem -Directory /sys/devices/system/node -Filter 'node*' | Where-Object Name -Match '^node\d+$')
        $perNode = @(Get-VirtioFsHugePage -PageSize 2M | Where-Object NumaNode -GE 0)
        $perNode.Count | Should -Be $nodes.Count
        foreach ($p in $perNode) {
            $p.Total | Should -Be ([long](Get-Content "/sys/devices/system/node/node$($p.NumaNode)/hugepages/hugepages-2048kB/nr_hugepages"))
            $p.Reserved | Should -BeNullOrEmpty
        }
    }

    It 'accepts the usual spellings of a page size' -ForEach @('2M', '2MB', '2MiB', '2048K', '2048KB', '2048kB', '2048') {
        $r = @(Get-VirtioFsHugePage -PageSize $_ -NumaNode -1)
        $r.Count | Should -Be 1
        $r[0].PageSizeKiB | Should -Be 2048
    }

    It 'rejects a size the kernel does not offer and lists the offered ones' {
        { Get-VirtioFsHugePage -PageSize 3M -ErrorAction Stop } | Should -Throw -ErrorId 'PageSizeNotOffered,VirtioFs.Commands.GetVirtioFsHugePageCommand' -ExpectedMessage '*Offered page sizes: 2MiB*'
    }

    It 'reports an unknown NUMA node as a non-terminating error' {
        $r = Get-VirtioFsHugePage -NumaNode 999 -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NumaNodeNotFound,*'
    }

    It 'lists the hugetlbfs mount points of each size' {
        $mounts = @(Get-Content /proc/mounts | Where-Object { ($_ -split ' ')[2] -eq 'hugetlbfs' })
        $pool = Get-VirtioFsHugePage -PageSize 2M -NumaNode -1
        if ($mounts) { $pool.MountPoint | Should -Contain (($mounts[0] -split ' ')[1]) } else { $pool.MountPoint | Should -BeNullOrEmpty }
    }

    It 'has a table view' {
        $text = Get-VirtioFsHugePage | Format-Table | Out-String
        $text | Should -Match 'PageSize\s+NumaNode\s+Total\s+Free\s+Reserved'
        $text | Should -Match '2MiB\s+host'
    }
}
