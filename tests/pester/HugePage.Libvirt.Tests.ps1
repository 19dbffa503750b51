# SPDX-License-Identifier: MIT
# Hugepage pools through libvirt (-ConnectionUri), domain needs (-Path/-Domain) and
# Enable-VirtioFsSharedMemory -AllocateHugePages, against the REAL 2 MiB pool and the real libvirtd
# (qemu:///system stands in for a remote host: same code path, and its answers can be checked
# against sysfs). Small allocations, except the deliberate over-ask; the pool is restored after
# every test and every domain (vfs-hp-*) is undefined.

BeforeAll {
    . $PSScriptRoot/common.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'These tests resize /sys/kernel/mm/hugepages and define domains: run them as root.' }
    Assert-VirtioFsRequirement -Command virsh -Package libvirt-clients
    $script:Uri = 'qemu:///system'
    & virsh -c $Uri version *> $null
    if ($LASTEXITCODE -ne 0) { throw "libvirtd does not answer on ${Uri}: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)" }
    $script:Dir = '/sys/kernel/mm/hugepages/hugepages-2048kB'
    if (-not (Test-Path $Dir)) { throw "This host has no 2 MiB hugepages ($Dir); use a kernel with CONFIG_HUGETLBFS." }
    function script:Get-Sys([string] $Name) { [long](Get-Content -LiteralPath "$Dir/$Name") }
    function script:Set-Nr([long] $n) { [IO.File]::WriteAllText("$Dir/nr_hugepages", "$n") }
    $script:Original = Get-Sys nr_hugepages
    $memKiB = [long]((Get-Content /proc/meminfo | Where-Object { $_ -like 'MemTotal:*' }) -replace '\D', '')
    $script:OverAsk = [long]($memKiB / 2048) + 2048

    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vfs-hp-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Defined = [Collections.Generic.List[string]]::new()
    function script:New-TestDomain([string] $Name, [string] $MemoryBacking, [long] $MemoryMiB = 64) {
        $xml = @"
<domain type='qemu'>
  <name>$Name</name>
  <memory unit='MiB'>$MemoryMiB</memory>
  $MemoryBacking
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
  </devices>
</domain>
"@
        $file = Join-Path $Work "$Name.xml"
        Set-Content -LiteralPath $file -Value $xml
        & virsh -c $Uri define $file *> $null
        if ($LASTEXITCODE -ne 0) { throw "virsh define $file failed" }
        $Defined.Add($Name)
        $file
    }
    function script:Get-InactiveXml([string] $Name) { (& virsh -c $Uri dumpxml --inactive $Name) -join "`n" }
    $script:Suffix = [guid]::NewGuid().ToString('N').Substring(0, 8)
}

AfterAll {
    if ($null -ne $script:Original) { Set-Nr $script:Original }
    foreach ($d in $script:Defined) { & virsh -c $script:Uri undefine $d *> $null }
    if ($script:Work) { Remove-Item -LiteralPath $script:Work -Recurse -Force -ErrorAction Ignore }
}

Describe 'Hugepage pools through libvirt (-ConnectionUri)' {
    BeforeEach { Set-Nr $script:Original }

    It 'Get-VirtioFsHugePage -ConnectionUri gives the same pools as sysfs' {
        Set-Nr ($script:Original + 8)
        $remote = @(Get-VirtioFsHugePage -ConnectionUri $Uri -PageSize 2M)
        $local = @(Get-VirtioFsHugePage -PageSize 2M)
        $remote.Count | Should -Be $local.Count
        foreach ($l in $local) {
            $r = $remote | Where-Object NumaNode -EQ $l.NumaNode
            $r | Should -BeOfType ([VirtioFs.VirtioFsHugePagePool])
            ($r.Total, $r.Free) | Should -Be ($l.Total, $l.Free)
            $r.ConnectionUri | Should -Be $Uri
            $r.Reserved | Should -BeNullOrEmpty   # libvirt does not report it: null, not a guess
            $r.Surplus | Should -BeNullOrEmpty
        }
        ($remote | Where-Object NumaNode -EQ -1).Total | Should -Be (Get-Sys nr_hugepages)
    }

    It 'Set-VirtioFsHugePage -ConnectionUri allocates through virNodeAllocPages and reads back what sysfs shows' {
        $want = $script:Original + 16
        $pool = Set-VirtioFsHugePage -Count $want -ConnectionUri $Uri
        $pool.Total | Should -Be $want
        $pool.ConnectionUri | Should -Be $Uri
        Get-Sys nr_hugepages | Should -Be $want
        $pool.Free | Should -Be (Get-Sys free_hugepages)
        (Set-VirtioFsHugePage -Add -16 -ConnectionUri $Uri).Total | Should -Be $script:Original
        Get-Sys nr_hugepages | Should -Be $script:Original
    }

    It 'resizes the node 0 pool through libvirt' {
        $nodeFile = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages'
        $before = [long](Get-Content $nodeFile)
        $pool = Set-VirtioFsHugePage -Count ($before + 4) -NumaNode 0 -ConnectionUri $Uri
        $pool.NumaNode | Should -Be 0
        [long](Get-Content $nodeFile) | Should -Be ($before + 4)
    }

    It 'refuses an over-ask through libvirt and rolls back (libvirt itself leaves the partial pool)' {
        $start = $script:Original + 4
        Set-Nr $start
        $err = $null
        try { Set-VirtioFsHugePage -Count $script:OverAsk -ConnectionUri $Uri -ErrorAction Stop } catch { $err = $_ }
        Get-Sys nr_hugepages | Should -Be $start
        $err.FullyQualifiedErrorId | Should -Be 'HugePageAllocationShort,VirtioFs.Commands.SetVirtioFsHugePageCommand'
        $err.Exception.Message | Should -Match "gave only \d+ of $($script:OverAsk).*rolled back to $start pages"
    }

    It 'pipes a remote pool back to the same connection (the libvirt call is named), and -WhatIf changes nothing' {
        $out = Get-VirtioFsHugePage -ConnectionUri $Uri -PageSize 2M -NumaNode -1 | Set-VirtioFsHugePage -Add 2 -Verbose 4>&1
        $pool = $out | Where-Object { $_ -is [VirtioFs.VirtioFsHugePagePool] }
        $pool.ConnectionUri | Should -Be $Uri
        $pool.Total | Should -Be ($script:Original + 2)
        ($out | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | Out-String) | Should -Match 'virNodeAllocPages on qemu:///system'
        Set-Nr $script:Original
        Get-VirtioFsHugePage -ConnectionUri $Uri -PageSize 2M -NumaNode -1 | Set-VirtioFsHugePage -Add 2 -WhatIf | Should -BeNullOrEmpty
        Get-Sys nr_hugepages | Should -Be $script:Original
    }

    It 'refuses -Persist with -ConnectionUri before touching anything' {
        { Set-VirtioFsHugePage -Add 2 -Persist -ConnectionUri $Uri -ErrorAction Stop } | Should -Throw -ErrorId 'PersistNotRemote,VirtioFs.Commands.SetVirtioFsHugePageCommand'
        Get-Sys nr_hugepages | Should -Be $script:Original
    }
}

Describe 'Get-VirtioFsHugePage -Path/-Domain' {
    BeforeEach { Set-Nr $script:Original }

    It 'shows what a libvirt domain needs against the free pages' {
        $name = "vfs-hp-need-$Suffix"
        New-TestDomain $name "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>" 64 | Out-Null
        Set-Nr ($script:Original + 10)
        $r = Get-VirtioFsHugePage -Domain $name
        $r | Should -BeOfType ([VirtioFs.VirtioFsHugePageRequirement])
        $r.PagesNeeded | Should -Be 32
        $r.PagesFree | Should -Be ((Get-Sys free_hugepages) - (Get-Sys resv_hugepages))
        $r.ShortBy | Should -Be ([math]::Max(0, 32 - $r.PagesFree))
        $r.Ready | Should -Be ($r.PagesFree -ge 32)
        $r.NumaNode | Should -Be -1
        $r.ConnectionUri | Should -Be $Uri
        ($r | Format-Table | Out-String) | Should -Match "vfs-hp-need-$Suffix\s+2MiB\s+host\s+-\s+32"
    }

    It 'counts a memory DIMM: QEMU cannot start the domain one page short of the figure, and starts with it' {
        $name = "vfs-hp-dimm-$Suffix"
        $file = Join-Path $Work "$name.xml"
        Set-Content -LiteralPath $file -Value @"
<domain type='qemu'>
  <name>$name</name>
  <maxMemory slots='2' unit='MiB'>1024</maxMemory>
  <memory unit='MiB'>256</memory>
  <memoryBacking><hugepages/><access mode='shared'/></memoryBacking>
  <vcpu>2</vcpu>
  <cpu><numa><cell id='0' cpus='0' memory='64' unit='MiB'/><cell id='1' cpus='1' memory='64' unit='MiB'/></numa></cpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <memory model='dimm'><target><size unit='MiB'>128</size><node>1</node></target></memory>
  </devices>
</domain>
"@
        & virsh -c $Uri define $file *> $null
        if ($LASTEXITCODE -ne 0) { throw "virsh define $file failed" }
        $Defined.Add($name)
        $need = Get-VirtioFsHugePage -Domain $name -ConnectionUri $Uri
        $need.PagesNeeded | Should -Be 128 -Because 'two 64 MiB cells and a 128 MiB DIMM are 256 MiB of 2 MiB pages'
        $used = (Get-Sys nr_hugepages) - (Get-Sys free_hugepages)
        try {
            Set-Nr ($used + $need.PagesNeeded - 1)
            $out = & virsh -c $Uri start $name 2>&1
            $LASTEXITCODE | Should -Not -Be 0
            "$out" | Should -Match 'unable to map backing store for guest RAM'
            Set-Nr ($used + $need.PagesNeeded)
            (Get-VirtioFsHugePage -Domain $name -ConnectionUri $Uri).Ready | Should -BeTrue
            $out = & virsh -c $Uri start $name 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$out"
        }
        finally { & virsh -c $Uri destroy $name *> $null }
    }

    It 'reads a domain file, and a domain without hugepages gives nothing and a warning' {
        $file = Get-VirtioFsFixturePath 'domains/hugepages-numa-two-sizes.xml'
        $rows = @(Get-VirtioFsHugePage -Path $file -WarningAction SilentlyContinue)
        $rows.PageSizeKiB | Should -Contain 2048
        ($rows | Where-Object PageSizeKiB -EQ 2048).PagesNeeded | Should -Be 1024
        $none = Get-VirtioFsHugePage -Path (Get-VirtioFsFixturePath 'domains/pc-minimal.xml') -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e
        $none | Should -BeNullOrEmpty
        $e | Should -BeNullOrEmpty
        "$w" | Should -Match 'does not use hugepages'
    }
}

Describe 'Enable-VirtioFsSharedMemory -AllocateHugePages' {
    BeforeEach { Set-Nr $script:Original }

    It 'allocates what the domain is short of, then changes the domain' {
        $name = "vfs-hp-alloc-$Suffix"
        New-TestDomain $name '' 64 | Out-Null
        Enable-VirtioFsSharedMemory -Domain $name -Backing HugePages -HugePageSizeKiB 2048 -AllocateHugePages
        $xml = Get-InactiveXml $name
        $xml | Should -Match "<page size='2048' unit='KiB'/>"
        $xml | Should -Match "<access mode='shared'/>"
        ((Get-Sys free_hugepages) - (Get-Sys resv_hugepages)) | Should -BeGreaterOrEqual 32
        (Get-VirtioFsHugePage -Domain $name).Ready | Should -BeTrue
    }

    It '-WhatIf changes neither the pool nor the domain' {
        $name = "vfs-hp-whatif-$Suffix"
        New-TestDomain $name '' 64 | Out-Null
        $before = Get-InactiveXml $name
        Enable-VirtioFsSharedMemory -Domain $name -Backing HugePages -AllocateHugePages -WhatIf 6>&1 | Out-Null
        Get-Sys nr_hugepages | Should -Be $script:Original
        Get-InactiveXml $name | Should -Be $before
    }

    It 'an over-ask leaves both the pool and the domain as they were' {
        $name = "vfs-hp-over-$Suffix"
        New-TestDomain $name '' ($script:OverAsk * 2) | Out-Null
        $before = Get-InactiveXml $name
        $err = $null
        try { Enable-VirtioFsSharedMemory -Domain $name -Backing HugePages -HugePageSizeKiB 2048 -AllocateHugePages -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'HugePageAllocationShort,VirtioFs.Commands.EnableVirtioFsSharedMemoryCommand'
        Get-Sys nr_hugepages | Should -Be $script:Original
        Get-InactiveXml $name | Should -Be $before
    }

    It 'gives the pages back when the domain cannot be written' {
        $ro = Join-Path $Work "ro-$Suffix"
        New-Item -ItemType Directory -Path $ro | Out-Null
        Copy-Item (Get-VirtioFsFixturePath 'domains/pc-minimal.xml') "$ro/guest.xml"
        $before = Get-Content -Raw "$ro/guest.xml"
        & mount --bind $ro $ro; & mount -o remount,ro,bind $ro
        if ($LASTEXITCODE -ne 0) { throw 'Cannot make a read-only bind mount (mount(8), root, a kernel that allows it).' }
        try {
            $err = $null
            try { Enable-VirtioFsSharedMemory -Path "$ro/guest.xml" -Backing HugePages -HugePageSizeKiB 2048 -AllocateHugePages -ErrorAction Stop -Verbose 4>&1 | Out-Null } catch { $err = $_ }
        }
        finally { & umount $ro }
        $err.FullyQualifiedErrorId | Should -Be 'FileWriteFailed,VirtioFs.Commands.EnableVirtioFsSharedMemoryCommand'
        Get-Sys nr_hugepages | Should -Be $script:Original
        Get-Content -Raw "$ro/guest.xml" | Should -Be $before
    }

    It 'refuses -AllocateHugePages without -Backing HugePages' {
        $name = "vfs-hp-memfd-$Suffix"
        New-TestDomain $name '' 64 | Out-Null
        { Enable-VirtioFsSharedMemory -Domain $name -AllocateHugePages -ErrorAction Stop } | Should -Throw -ErrorId 'AllocateNeedsHugePages,VirtioFs.Commands.EnableVirtioFsSharedMemoryCommand'
    }
}
