# SPDX-License-Identifier: MIT
# End-to-end: real guests (Debian 6.1 kernel, busybox initramfs) under QEMU TCG, set up only with the
# module's cmdlets. A case passes only when the guest mounted the share, wrote a file the host reads
# back with this boot's token, and read a file the host wrote (see Assert-E2EGuest). Needs root,
# libvirtd on qemu:///system (tests/tools/start-libvirt.sh, which mounts hugetlbfs first) and network
# access once, for the kernel package (cached in output/guest/) and Debian 13's Rust virtiofsd
# (cached in output/rust-virtiofsd/, tests/tools/get-rust-virtiofsd.sh).

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    # This host's stack, by name, so a failure says which one it came from (E2E.Stacks.Tests.ps1 runs Debian 13's).
    $script:Debian12 = @(Get-VirtioFsTestStack -Key Debian12 | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/E2E.Guest.TestHelpers.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'The end-to-end tests need root (libvirt qemu:///system, hugepages).' }
    $script:AllTime = [Diagnostics.Stopwatch]::StartNew()
    Initialize-E2E
    $script:Uri = 'qemu:///system'
}

AfterAll {
    Clear-E2E
    if (Get-Variable -Name E2ETimings -Scope Script -ErrorAction Ignore) {
        Add-E2ETiming 'total' $AllTime.Elapsed
        Write-Host ('E2E wall times (s): ' + (($E2ETimings.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', '))
    }
}

Describe 'virtio-fs in a real guest on <Name>' -Tag 'E2E' -ForEach $Debian12 {
    BeforeEach { $script:CaseTime = [Diagnostics.Stopwatch]::StartNew() }

    It '1: libvirt runs virtiofsd; New-VirtioFsShare adds memfd memory to a domain that had none' {
        $share = New-E2EShareDir 'share1'; $token = New-E2EToken
        $dom = New-E2EDomain -Case memfd -Cmdline "e2e.tag=memfd e2e.token=$token"
        (Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri).VirtioFsReady | Should -BeFalse

        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag memfd -Source $share.Path -QueueSize 1024 | Out-Null

        (Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri).Backing | Should -Be 'Memfd'
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '1 memfd' $CaseTime.Elapsed
    }

    It '2: NUMA form: the cells become memAccess=shared' {
        $share = New-E2EShareDir 'share2'; $token = New-E2EToken
        $dom = New-E2EDomain -Case numa -Numa -Cmdline "e2e.tag=numa e2e.token=$token"

        Enable-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri
        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag numa -Source $share.Path -SharedMemory Keep | Out-Null

        $mem = Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri
        $mem.NumaCells.MemAccess | Should -Be 'shared'
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        # QEMU really got the NUMA form: a shared backend per cell, attached with -numa node,memdev=.
        $qemuLog = Get-Content -LiteralPath "/var/log/libvirt/qemu/$($dom.Name).log" -Raw
        $qemuLog | Should -Match '"id":"ram-node0"[^}]*"share":true'
        $qemuLog | Should -Match '-numa node,nodeid=0,cpus=0,memdev=ram-node0'
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '2 numa' $CaseTime.Elapsed
    }

    It '2b: NUMA form with file-backed memory in memory_backing_dir, as libvirt''s procedure shows it' {
        $share = New-E2EShareDir 'share2b'; $token = New-E2EToken
        $dom = New-E2EDomain -Case numafile -Numa -Cmdline "e2e.tag=numafile e2e.token=$token"

        Enable-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri -Backing File
        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag numafile -Source $share.Path -SharedMemory Keep | Out-Null

        $mem = Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri
        $mem.Backing | Should -Be 'File'
        $mem.NumaCells.MemAccess | Should -Be 'shared'
        $dir = (Get-VirtioFsQemuConfig -Name memory_backing_dir).Value
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        # QEMU got a shared file backend per cell under qemu.conf's memory_backing_dir (libvirt's default when unset).
        $qemuLog = Get-Content -LiteralPath "/var/log/libvirt/qemu/$($dom.Name).log" -Raw
        $qemuLog | Should -Match ('"qom-type":"memory-backend-file","id":"ram-node0","mem-path":"' + [regex]::Escape($dir))
        $qemuLog | Should -Match '"id":"ram-node0"[^}]*"share":true'
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '2b numa file' $CaseTime.Elapsed
    }

    It '3: hugepage-backed memory, pages allocated with Set-VirtioFsHugePage and released after' {
        & mountpoint -q /dev/hugepages
        if ($LASTEXITCODE -ne 0) {
            throw 'hugetlbfs is not mounted on /dev/hugepages: run tests/tools/start-libvirt.sh before libvirtd starts (libvirt reads the mounts only at start).'
        }
        $share = New-E2EShareDir 'share3'; $token = New-E2EToken
        $dom = New-E2EDomain -Case huge -Cmdline "e2e.tag=huge e2e.token=$token"
        $before = (Get-VirtioFsHugePage -PageSize 2M | Where-Object NumaNode -EQ -1).Total
        # Relative change (-Add) so a pool another test resizes meanwhile is restored correctly too.
        $pool = Set-VirtioFsHugePage -Add 128 -PageSize 2M -Confirm:$false
        try {
            $pool.Total | Should -Be ($before + 128)
            New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag huge -Source $share.Path -SharedMemory HugePages -HugePageSize 2M | Out-Null
            (Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri).Backing | Should -Be 'HugePages'
            Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        }
        finally {
            Wait-E2EHugePagesReleased
            Set-VirtioFsHugePage -Add -128 -PageSize 2M -Confirm:$false | Out-Null
        }
        (Get-VirtioFsHugePage -PageSize 2M | Where-Object NumaNode -EQ -1).Total | Should -Be $before
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '3 hugepages' $CaseTime.Elapsed
    }

    It '4: a virtiofsd from Start-VirtioFsDaemon piped into New-VirtioFsShare as a source socket' {
        $share = New-E2EShareDir 'share4'; $token = New-E2EToken
        $dom = New-E2EDomain -Case socket -Cmdline "e2e.tag=sock e2e.token=$token"

        $added = Start-VirtioFsDaemon -SharedDirectory $share.Path -SocketPath "$E2EWork/d4.sock" -Name "$E2ERun-d4" |
            New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag sock

        $added.SocketPath | Should -Be "$E2EWork/d4.sock"
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '4 own daemon' $CaseTime.Elapsed
    }

    It '5: plain QEMU with ConvertTo-VirtioFsQemuArgument and two Start-VirtioFsDaemon daemons' {
        $share = New-E2EShareDir 'share5'; $share2 = New-E2EShareDir 'share5b'; $token = New-E2EToken
        $daemons = @(
            Start-VirtioFsDaemon -SharedDirectory $share.Path -SocketPath "$E2EWork/d5.sock" -Name "$E2ERun-d5"
            Start-VirtioFsDaemon -SharedDirectory $share2.Path -SocketPath "$E2EWork/d5b.sock" -Name "$E2ERun-d5b")

        # Two daemons in, one argument list out: one shared RAM backend, then a device per daemon tagged with its name.
        $qemuArgs = $daemons | ConvertTo-VirtioFsQemuArgument -MemorySize 256M -QueueSize 1024

        @($qemuArgs | Where-Object { $_ -like 'memory-backend-*' }).Count | Should -Be 1
        $qemuArgs | Should -Contain 'memory-backend=pc.ram'
        $qemuArgs | Should -Contain "vhost-user-fs-pci,id=fs1,chardev=chr-vu-fs1,queue-size=1024,tag=$E2ERun-d5b"
        $run = Invoke-E2EQemu -Case qemu -Argument $qemuArgs -Cmdline "e2e.tag=$E2ERun-d5 e2e.tag2=$E2ERun-d5b e2e.token=$token"
        Assert-E2EGuest -Share $share -Token $token -Console $run.Console
        Assert-E2EGuest -Share $share2 -Token $token -Console $run.Console -Suffix '-2'
        Add-E2ETiming '5 plain qemu' $CaseTime.Elapsed
    }

    # 6, live hot-plug, runs in E2E.Stacks.Tests.ps1 on both stacks, with hot-unplug and save in the same guest.

    It "7: the fstab line of Get-VirtioFsGuestMount, mounted by the guest's own mount -a" {
        $share = New-E2EShareDir 'share7'; $token = New-E2EToken
        # The initrd is made after the share exists (its fstab line comes from the share); libvirt reads it only at start.
        $dom = New-E2EDomain -Case fstab -Initrd "$E2EWork/fstab-initrd.gz" -Cmdline "e2e.mode=fstab e2e.mp=/mnt/from-fstab e2e.token=$token"
        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag fstabtag -Source $share.Path | Out-Null
        $mount = Get-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri | Get-VirtioFsGuestMount -MountPoint /mnt/from-fstab
        $mount.FstabLine | Should -Be 'fstabtag /mnt/from-fstab virtiofs defaults,nofail 0 0'
        New-E2EFstabInitrd -Case fstab -FstabLine $mount.FstabLine | Should -Be "$E2EWork/fstab-initrd.gz"
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom

        $console = Get-E2EConsole $dom.Console
        $console | Should -Match ([regex]::Escape($mount.FstabLine))
        $console | Should -Match 'E2E_MOUNT_A_RC 0'
        $console | Should -Match 'fstabtag /mnt/from-fstab virtiofs'
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '7 fstab' $CaseTime.Elapsed
    }

    It '9: the real Rust virtiofsd started by Start-VirtioFsDaemon, for plain QEMU' {
        $rust = Get-E2ERustVirtiofsd
        $share = New-E2EShareDir 'share9'; $token = New-E2EToken

        $d = Start-VirtioFsDaemon -SharedDirectory $share.Path -SocketPath "$E2EWork/d9.sock" -Name "$E2ERun-d9" -BinaryPath $rust -Cache Auto -Xattr
        $d.Dialect | Should -Be 'Rust'
        $qemuArgs = $d | ConvertTo-VirtioFsQemuArgument -Tag rusty -MemorySize 256M

        $run = Invoke-E2EQemu -Case rustqemu -Argument $qemuArgs -Cmdline "e2e.tag=rusty e2e.token=$token"
        Assert-E2EGuest -Share $share -Token $token -Console $run.Console
        (Get-Content -LiteralPath $d.LogPath -Raw) | Should -Match 'Client connected, servicing requests'
        Add-E2ETiming '9 rust own' $CaseTime.Elapsed
    }

    It '10: libvirt runs the real Rust virtiofsd named by New-VirtioFsShare -BinaryPath' {
        $rust = Get-E2ERustVirtiofsd
        $share = New-E2EShareDir 'share10'; $token = New-E2EToken
        $dom = New-E2EDomain -Case rustlv -Cmdline "e2e.tag=rustlv e2e.token=$token"

        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag rustlv -Source $share.Path -BinaryPath $rust -Cache Always -Xattr | Out-Null

        (Test-VirtioFsDomain -Domain $dom.Name -ConnectionUri $Uri | Where-Object Name -EQ Daemon).Message | Should -Match 'Rust dialect'
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        # libvirt 9.0 hands the Rust daemon its compat '-o' options; the log says which binary served the guest.
        $log = Get-Content -LiteralPath "/var/log/libvirt/qemu/$($dom.Name)-fs0-virtiofsd.log" -Raw
        $log | Should -Match 'Client connected, servicing requests'
        $log | Should -Match 'deprecated option format'
        Add-E2ETiming '10 rust libvirt' $CaseTime.Elapsed
    }

    It '8a: a domain without shared memory is refused with -SharedMemory Keep, before libvirt sees it' {
        $share = New-E2EShareDir 'share8'
        $dom = New-E2EDomain -Case noshm -Cmdline 'unused'
        $before = (& virsh -c $Uri dumpxml --inactive $dom.Name) -join "`n"

        { New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag neg -Source $share.Path -SharedMemory Keep -ErrorAction Stop } |
            Should -Throw -ErrorId 'SharedMemoryMissing*' -ExpectedMessage '*no shared memory*'

        (& virsh -c $Uri dumpxml --inactive $dom.Name) -join "`n" | Should -Be $before
        Add-E2ETiming '8a refused' $CaseTime.Elapsed
    }

    It '8b: anonymous memory, which libvirt accepts but which hangs the guest, is refused' {
        $share = New-E2EShareDir 'share8b'
        $dom = New-E2EDomain -Case anon -Cmdline 'unused' -MemoryBacking "<memoryBacking><source type='anonymous'/><access mode='shared'/></memoryBacking>"
        $before = (& virsh -c $Uri dumpxml --inactive $dom.Name) -join "`n"

        { New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag neg -Source $share.Path -SharedMemory Keep -ErrorAction Stop } |
            Should -Throw -ErrorId 'SharedMemoryMissing*' -ExpectedMessage '*anonymous*'

        (& virsh -c $Uri dumpxml --inactive $dom.Name) -join "`n" | Should -Be $before
        (Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri).VirtioFsReady | Should -BeFalse
        Add-E2ETiming '8b anonymous' $CaseTime.Elapsed
    }

    It 'leaves no domain, QEMU or virtiofsd of this run behind' {
        $run = $E2ERun
        Clear-E2E
        $script:E2ERun = $run
        @(Get-E2ELeftover) | Should -BeNullOrEmpty
    }
}
