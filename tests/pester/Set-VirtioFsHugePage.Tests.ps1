# SPDX-License-Identifier: MIT
# Set-VirtioFsHugePage on the REAL 2 MiB pool of this host. Small allocations only (the pool is
# shared with other tests), except the deliberate over-asks; the original size is always restored.

BeforeAll {
    . $PSScriptRoot/common.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'Set-VirtioFsHugePage tests write /sys/kernel/mm/hugepages and need root: run them as root.' }
    $script:File = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'
    if (-not (Test-Path $script:File)) { throw "This host has no 2 MiB hugepages ($script:File); use a kernel with CONFIG_HUGETLBFS." }
    function Get-Nr { [long](Get-Content -LiteralPath $script:File) }
    function Set-Nr([long] $n) { [IO.File]::WriteAllText($script:File, "$n") }
    $script:Original = Get-Nr
    $memKiB = [long]((Get-Content /proc/meminfo | Where-Object { $_ -like 'MemTotal:*' }) -replace '\D', '')
    # More 2 MiB pages than the machine has memory: the kernel cannot give them all.
    $script:OverAsk = [long]($memKiB / 2048) + 2048
}

AfterAll {
    if ($null -ne $script:Original) { Set-Nr $script:Original }
}

Describe 'Set-VirtioFsHugePage' {
    BeforeEach { Set-Nr $script:Original }

    It 'allocates a small number of pages and the kernel file reads back the same' {
        $want = $script:Original + 16
        $pool = Set-VirtioFsHugePage -Count $want -PageSize 2M
        $pool | Should -BeOfType ([VirtioFs.VirtioFsHugePagePool])
        $pool.Total | Should -Be $want
        Get-Nr | Should -Be $want
        (Get-VirtioFsHugePage -PageSize 2MiB -NumaNode -1).Total | Should -Be $want
    }

    It '-Add grows the pool relative to its size and releases with a negative number' {
        (Set-VirtioFsHugePage -Add 8 -PageSize 2048KB).Total | Should -Be ($script:Original + 8)
        (Set-VirtioFsHugePage -Add -8 -PageSize 2048KB).Total | Should -Be $script:Original
        Get-Nr | Should -Be $script:Original
    }

    It 'resizes a per-node pool through the node file' {
        $nodeFile = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages'
        $before = [long](Get-Content $nodeFile)
        $pool = Set-VirtioFsHugePage -Count ($before + 4) -NumaNode 0
        $pool.NumaNode | Should -Be 0
        [long](Get-Content $nodeFile) | Should -Be ($before + 4)
    }

    It '-WhatIf changes nothing and outputs nothing' {
        $out = Set-VirtioFsHugePage -Count ($script:Original + 32) -WhatIf
        $out | Should -BeNullOrEmpty
        Get-Nr | Should -Be $script:Original
    }

    It 'refuses an over-ask, says how many it got, and rolls back to the previous count' {
        $start = $script:Original + 4
        Set-Nr $start
        $err = $null
        try { Set-VirtioFsHugePage -Count $script:OverAsk -ErrorAction Stop } catch { $err = $_ }
        Get-Nr | Should -Be $start
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'HugePageAllocationShort,VirtioFs.Commands.SetVirtioFsHugePageCommand'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.Exception.Message | Should -Match "gave only \d+ of $($script:OverAsk)"
        $err.Exception.Message | Should -Match "rolled back to $start pages"
        $err.ErrorDetails.RecommendedAction | Should -Match 'Free memory'
    }

    It '-AllowPartial keeps the short pool and warns' {
        try {
            $pool = Set-VirtioFsHugePage -Count $script:OverAsk -AllowPartial -WarningVariable warn -WarningAction SilentlyContinue
            $got = Get-Nr
        }
        finally { Set-Nr $script:Original }
        $got | Should -BeLessThan $script:OverAsk
        $got | Should -BeGreaterThan $script:Original
        $pool.Total | Should -Be $got
        "$warn" | Should -Match "gave only $got of $($script:OverAsk)"
    }

    It 'rejects an unknown page size before touching the pool' {
        { Set-VirtioFsHugePage -Count 4 -PageSize 4M -ErrorAction Stop } | Should -Throw -ErrorId 'PageSizeNotOffered,*'
        { Set-VirtioFsHugePage -Add (-1 - $script:Original) -ErrorAction Stop } | Should -Throw -ErrorId 'NegativePageCount,*'
        Get-Nr | Should -Be $script:Original
    }

    It 'takes the pool from Get-VirtioFsHugePage by property name' {
        $pool = Get-VirtioFsHugePage -PageSize 2M -NumaNode -1 | Set-VirtioFsHugePage -Add 2
        $pool.Total | Should -Be ($script:Original + 2)
        $pool.NumaNode | Should -Be -1
    }

    It '-Persist -WhatIf names the sysctl.d file and writes nothing' {
        $sysctl = '/etc/sysctl.d/80-virtiofs-hugepages.conf'
        $existed = Test-Path $sysctl
        $before = if ($existed) { [IO.File]::ReadAllBytes($sysctl) }
        # What-if text goes to the host, not to a stream, so a transcript is what captures it.
        $log = Join-Path $TestDrive 'persist-whatif.log'
        $null = Start-Transcript -LiteralPath $log -Force
        try { $out = Set-VirtioFsHugePage -Count $script:Original -Persist -WhatIf }
        finally { $null = Stop-Transcript }
        $msgs = Get-Content -LiteralPath $log -Raw
        $msgs | Should -Match ('What if: .*' + [regex]::Escape("`"$sysctl`"")) -Because 'the -WhatIf message names the file -Persist would write'
        $msgs | Should -Match "survive a reboot"
        $out | Should -BeNullOrEmpty
        (Test-Path $sysctl) | Should -Be $existed
        if ($existed) { [IO.File]::ReadAllBytes($sysctl) | Should -Be $before }
        Get-Nr | Should -Be $script:Original
    }
}
