# SPDX-License-Identifier: MIT
# ConvertTo-VirtioFsQemuArgument without booting a guest (E2E.Guest.Tests.ps1 boots one with it):
# the exact arguments, QEMU accepting them, and the refusals.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Sock = '/run/vfs/share.sock'
}

Describe 'ConvertTo-VirtioFsQemuArgument' {
    It 'writes the memfd backend, chardev and device with libvirt''s ids, as one String[]' {
        $a = ConvertTo-VirtioFsQemuArgument -SocketPath $Sock -Tag data -MemorySize 512M -QueueSize 1024
        , $a | Should -BeOfType ([string[]])
        $a | Should -Be @(
            '-object', 'memory-backend-memfd,id=pc.ram,share=on,size=536870912'
            '-machine', 'memory-backend=pc.ram'
            '-chardev', 'socket,id=chr-vu-fs0,path=/run/vfs/share.sock'
            '-device', 'vhost-user-fs-pci,id=fs0,chardev=chr-vu-fs0,queue-size=1024,tag=data')
    }

    It 'accepts <Text> as <Bytes> bytes' -ForEach @(
        @{ Text = '512M'; Bytes = 536870912 }, @{ Text = '2G'; Bytes = 2147483648 }, @{ Text = '1GiB'; Bytes = 1073741824 }
        @{ Text = '268435456'; Bytes = 268435456 }, @{ Text = '2048MB'; Bytes = 2147483648 }, @{ Text = '1048576K'; Bytes = 1073741824 }) {
        $a = ConvertTo-VirtioFsQemuArgument -SocketPath $Sock -Tag t -MemorySize $Text
        $a[1] | Should -BeLike "*,size=$Bytes"
    }

    It 'hugepages: file backend on /dev/hugepages with prealloc, and NUMA nodes of equal size' {
        $a = ConvertTo-VirtioFsQemuArgument -SocketPath $Sock -Tag t -MemorySize 2G -Backing HugePages -NumaNode 2 -Id vm1
        $a[0..7] | Should -Be @(
            '-object', 'memory-backend-file,id=vm1-ram-node0,mem-path=/dev/hugepages,share=on,prealloc=on,size=1073741824'
            '-numa', 'node,nodeid=0,memdev=vm1-ram-node0'
            '-object', 'memory-backend-file,id=vm1-ram-node1,mem-path=/dev/hugepages,share=on,prealloc=on,size=1073741824'
            '-numa', 'node,nodeid=1,memdev=vm1-ram-node1')
        $a[-1] | Should -Be 'vhost-user-fs-pci,id=vm1-fs0,chardev=vm1-chr-vu-fs0,tag=t'
        $a | Should -Not -Contain '-machine'
    }

    It 'file backing defaults to /dev/shm; commas in paths and tags are doubled' {
        $a = ConvertTo-VirtioFsQemuArgument -SocketPath '/run/a,b.sock' -Tag 'x,y' -MemorySize 1G -Backing File
        $a[1] | Should -Be 'memory-backend-file,id=pc.ram,mem-path=/dev/shm,share=on,size=1073741824'
        $a[5] | Should -Be 'socket,id=chr-vu-fs0,path=/run/a,,b.sock'
        $a[7] | Should -BeLike '*,tag=x,,y'
    }

    It 'takes several shares from the pipeline: one memory backend, one array, devices fs0, fs1 in order' {
        $in = [pscustomobject]@{ SocketPath = '/run/one.sock'; Tag = 'one' }, [pscustomobject]@{ SocketPath = '/run/two.sock'; Tag = 'two' }
        $out = @($in | ConvertTo-VirtioFsQemuArgument -MemorySize 1G)
        $out.Count | Should -Be 1 -Because 'one guest gets one argument list'
        $a = $out[0]
        $a | Should -Be @(
            '-object', 'memory-backend-memfd,id=pc.ram,share=on,size=1073741824'
            '-machine', 'memory-backend=pc.ram'
            '-chardev', 'socket,id=chr-vu-fs0,path=/run/one.sock'
            '-device', 'vhost-user-fs-pci,id=fs0,chardev=chr-vu-fs0,tag=one'
            '-chardev', 'socket,id=chr-vu-fs1,path=/run/two.sock'
            '-device', 'vhost-user-fs-pci,id=fs1,chardev=chr-vu-fs1,tag=two')
    }

    It 'uses the Name of a piped daemon as the tag unless -Tag is given' {
        $d = [pscustomobject]@{ PSTypeName = 'VirtioFs.VirtioFsDaemon'; Name = 'media'; SocketPath = '/run/vfs/media.sock' }
        ($d | ConvertTo-VirtioFsQemuArgument -MemorySize 1G)[-1] | Should -BeLike '*,tag=media'
        ($d | ConvertTo-VirtioFsQemuArgument -MemorySize 1G -Tag other)[-1] | Should -BeLike '*,tag=other'
    }

    It 'refuses a tag or a socket given twice, and then writes no arguments at all' -ForEach @(
        @{ Second = @{ SocketPath = '/run/two.sock'; Tag = 'one' }; Id = 'TagExists' }
        @{ Second = @{ SocketPath = '/run/one.sock'; Tag = 'two' }; Id = 'SocketPathInUse' }
    ) {
        $in = [pscustomobject]@{ SocketPath = '/run/one.sock'; Tag = 'one' }, [pscustomobject]$Second
        $errs = $null
        $out = $in | ConvertTo-VirtioFsQemuArgument -MemorySize 1G -ErrorAction SilentlyContinue -ErrorVariable errs
        $out | Should -BeNullOrEmpty -Because 'arguments without the refused share would boot a guest that silently lacks it'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $errs[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a 37-byte tag'; Id = 'TagTooLong'; Params = @{ Tag = 'x' * 37 } }
        @{ Case = 'an empty tag'; Id = 'TagEmpty'; Params = @{ Tag = '' } }
        @{ Case = 'a relative socket'; Id = 'SocketPathNotAbsolute'; Params = @{ SocketPath = 'vfs.sock' } }
        @{ Case = 'a 108-byte socket path'; Id = 'SocketPathTooLong'; Params = @{ SocketPath = '/' + 'x' * 107 } }
        @{ Case = 'queue size 1000'; Id = 'InvalidQueueSize'; Params = @{ QueueSize = 1000 } }
        @{ Case = 'queue size 2048'; Id = 'InvalidQueueSize'; Params = @{ QueueSize = 2048 } }
        @{ Case = 'a size that is not a size'; Id = 'InvalidMemorySize'; Params = @{ MemorySize = 'lots' } }
        @{ Case = 'a size of odd pages'; Id = 'InvalidMemorySize'; Params = @{ MemorySize = '1000K' } }
        @{ Case = 'a size not split in whole pages'; Id = 'InvalidMemorySize'; Params = @{ MemorySize = '6M'; NumaNode = 2 } }
        @{ Case = 'a memory path with memfd'; Id = 'MemPathWithMemfd'; Params = @{ MemPath = '/dev/shm' } }
        @{ Case = 'a relative memory path'; Id = 'MemPathNotAbsolute'; Params = @{ MemPath = 'huge'; Backing = 'HugePages' } }
        @{ Case = 'an id prefix QEMU rejects'; Id = 'InvalidIdPrefix'; Params = @{ Id = '1vm' } }
    ) {
        $p = @{ SocketPath = $Sock; Tag = 't'; MemorySize = '1G' }
        foreach ($k in $Params.Keys) { $p[$k] = $Params[$k] }
        { ConvertTo-VirtioFsQemuArgument @p -ErrorAction Stop } | Should -Throw -ErrorId "$Id,*"
    }

    It 'QEMU accepts the arguments of two shares (it reaches the socket connect, past option parsing)' {
        Assert-VirtioFsRequirement -Command qemu-system-x86_64 -Package qemu-system-x86
        $dir = Join-Path ([IO.Path]::GetTempPath()) "vfs-qarg-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $in = [pscustomobject]@{ SocketPath = "$dir/absent.sock"; Tag = 't' }, [pscustomobject]@{ SocketPath = "$dir/absent2.sock"; Tag = 't2' }
        $a = $in | ConvertTo-VirtioFsQemuArgument -MemorySize 64M -NumaNode 1
        $out = & timeout 30 qemu-system-x86_64 -machine q35,accel=tcg -m 64M -display none -nodefaults -S @a 2>&1
        "$out" | Should -Match "Failed to connect to '$([regex]::Escape($dir))/absent.sock'"
        "$out" | Should -Not -Match 'Invalid parameter|invalid|unknown'
    }
}
