# SPDX-License-Identifier: MIT
# The product against both libvirt stacks the tests run (Get-VirtioFsTestStack in common.ps1): Debian 12's on
# this host (libvirt 9.0, QEMU 7.2, the C virtiofsd) and Debian 13's in a root of its own (libvirt 11.3,
# QEMU 10.0, the Rust virtiofsd 1.13, which libvirt runs by default there). Every Describe names its stack.
#  - Option gates: each option the module ties to a libvirt release is refused before anything is written
#    where libvirt is older, and the real libvirt refuses it too; where it is newer libvirt takes it.
#  - <idmap> where libvirt runs virtiofsd as root: refused, and for a domain defined that way anyway the doctor
#    predicts the failure libvirt then gives.
#  - One running guest per stack: the daemon's argv and limits, read-only, hot-plug, save (with restore, or the
#    refusal the doctor predicted) and hot-unplug.
#  - Debian 13's real-guest paths (Debian 12's are in E2E.Guest.Tests.ps1): fstab with memfd and the default
#    daemon, NUMA with file-backed memory, hugepages, our own daemon with in-daemon ID translation behind a
#    <source socket>, and <idmap> in qemu:///session.
# Needs root and the stacks up (build.ps1 -Task Test builds Debian 13's root once into output/trixie and
# starts and stops its daemons around the tests).

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    # Hashtables, so each key is a variable in the blocks: $Key, $Name, $Uri, $SessionUri, $Libvirt, $LogDir ...
    $script:Stacks = @(Get-VirtioFsTestStack | ForEach-Object { $h = @{}; foreach ($p in $_.psobject.Properties) { $h[$p.Name] = $p.Value }; $h })
    $script:Newest = @($Stacks | Where-Object { $_.Key -eq 'Debian13' })
    # Every option the module ties to a libvirt release (Domain/ShareOptions.cs) that a share of these guests can
    # carry, as XML libvirt is given by hand, and what a libvirt too old for it says at a validated define
    # (measured with libvirt 9.0). <boot order> (7.1) and <source socket> (7.3) are older than both stacks;
    # the sockets are driven in real guests on both.
    $map = @{ Start = 0; Target = 100000; Count = 65536 }
    $script:Gates = @(
        @{ Option = 'Sandbox'; Since = '7.2.0'; Params = @{ Sandbox = 'Chroot' }; Xml = "<binary><sandbox mode='chroot'/></binary>"; Shown = "<sandbox mode='chroot'/>"; TooOld = $null }
        @{ Option = 'ThreadPoolSize'; Since = '8.5.0'; Params = @{ ThreadPoolSize = 2 }; Xml = "<binary><thread_pool size='2'/></binary>"; Shown = "<thread_pool size='2'/>"; TooOld = $null }
        @{ Option = 'UidMap'; Since = '10.0.0'; Params = @{ UidMap = $map; GidMap = $map }; Xml = "<idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>"; Shown = "<uid start='0' target='100000' count='65536'/>"; TooOld = 'failed to validate against schema' }
        @{ Option = 'OpenFilesMax'; Since = '10.7.0'; Params = @{ OpenFilesMax = 5000 }; Xml = "<binary><openfiles max='5000'/></binary>"; Shown = "<openfiles max='5000'/>"; TooOld = 'failed to validate against schema' }
        @{ Option = 'ReadOnly'; Since = '11.0.0'; Params = @{ ReadOnly = $true }; Xml = '<readonly/>'; Shown = '<readonly/>'; TooOld = 'virtiofs does not yet support read-only mode' }
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/E2E.Guest.TestHelpers.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'The end-to-end tests need root (libvirt qemu:///system, hugepages, the Debian 13 root).' }
    $script:AllTime = [Diagnostics.Stopwatch]::StartNew()
    Initialize-E2E

    function script:Get-E2EXml($Domain) { (& virsh -c $Domain.Uri dumpxml --inactive $Domain.Name) -join "`n" }

    function script:Invoke-E2ERawDefine {
        # Defines (with libvirt's schema validation, as the module does) a domain with one share whose XML an
        # admin wrote by hand; returns virsh's exit code and output. The domain is cleaned up with the run.
        param([string] $Uri, [string] $LogDir, [string] $Case, [string] $Inner, [string] $Source)
        $name = "$E2ERun-$Case"
        $xml = "<domain type='qemu'><name>$name</name><memory unit='MiB'>256</memory>" +
            "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>" +
            "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>$E2EWork/vmlinuz</kernel><initrd>$E2EWork/initrd.gz</initrd></os>" +
            "<on_poweroff>destroy</on_poweroff><devices><emulator>/usr/bin/qemu-system-x86_64</emulator>" +
            "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/>$Inner<source dir='$Source'/><target dir='raw'/></filesystem>" +
            "<memballoon model='none'/></devices></domain>"
        $file = "$E2EWork/$Case.raw.xml"
        Set-Content -LiteralPath $file -Value $xml
        $E2EDomains.Add([pscustomobject]@{ Name = $name; Console = ''; Uri = $Uri; LogDir = $LogDir })
        $out = (& virsh -c $Uri define --validate $file 2>&1) -join "`n"
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $out; Name = $name }
    }
}

AfterAll {
    Clear-E2E
    if (Get-Variable -Name E2ETimings -Scope Script -ErrorAction Ignore) {
        Add-E2ETiming 'total' $AllTime.Elapsed
        Write-Host ('E2E.Stacks wall times (s): ' + (($E2ETimings.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', '))
    }
}

Describe 'Option gates on <Name>' -Tag 'E2E' -ForEach $Stacks {
    It '-<Option> (libvirt <Since> or later): refused before writing where libvirt is older, as that libvirt refuses it; taken where it is newer' -ForEach $Gates {
        $share = New-E2EShareDir "gate-$Key-$Option"
        $dom = New-E2EDomain -Case "gate-$Key-$Option" -Uri $Uri -LogDir $LogDir -Cmdline unused
        $before = Get-E2EXml $dom
        $add = { New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag g -Source $share.Path @Params -ErrorAction Stop }
        if ($Libvirt -lt [version]$Since) {
            $add | Should -Throw -ErrorId 'OptionNeedsNewerLibvirt,*' -ExpectedMessage "-$Option needs libvirt $Since or later; the connected libvirt is $Libvirt *"
            Get-E2EXml $dom | Should -Be $before
            # The real libvirt agrees: it refuses the same XML at a validated define.
            $raw = Invoke-E2ERawDefine -Uri $Uri -LogDir $LogDir -Case "gateraw-$Key-$Option" -Inner $Xml -Source $share.Path
            $raw.ExitCode | Should -Not -Be 0
            $raw.Output | Should -Match ([regex]::Escape($TooOld))
        }
        elseif ($Option -eq 'UidMap') {
            # Newer, but this libvirt runs virtiofsd as root: the ID mapping Describe below proves both sides.
            $add | Should -Throw -ErrorId 'IdMapNeedsUnprivilegedLibvirt,*'
            Get-E2EXml $dom | Should -Be $before
        }
        else {
            $added = & $add
            $added.$Option | Should -Not -BeNullOrEmpty
            Get-E2EXml $dom | Should -Match ([regex]::Escape($Shown))
        }
    }
}

Describe 'What Test-VirtioFsHost finds on <Name>' -Tag 'E2E' -ForEach $Stacks {
    It 'names the stack, the daemon libvirt runs there and what it offers, from that libvirt and not from this host' {
        $r = @(Test-VirtioFsHost -ConnectionUri $Uri)
        $stack = $r | Where-Object Name -EQ Stack
        $stack.Status | Should -Be 'Pass'
        $stack.Message | Should -BeLike "libvirt $Libvirt, QEMU $Qemu, virtiofsd *"
        ($r | Where-Object Name -EQ QemuVersion).Message | Should -BeLike "QEMU $Qemu*"
        if ($Key -eq 'Debian12') {
            $stack.Message | Should -BeLike '*virtiofsd /usr/lib/qemu/virtiofsd (C 7.2*'
            $stack.Message | Should -BeLike '*too old for OpenFilesMax (10.7.0), UidMap (10.0.0), GidMap (10.0.0), ReadOnly (11.0.0)*'
            $stack.Message | Should -BeLike '*Save and migration of running guests: no ("cannot migrate domain: non-migratable device*'
        }
        else {
            # The root's own virtiofsd, described from its descriptor and package (it needs that root's glibc).
            $version = ((Get-Content -LiteralPath "$Root/../versions") -match '^virtiofsd \d' | Select-Object -First 1) -replace '^virtiofsd ', ''
            $stack.Message | Should -BeLike "*virtiofsd /usr/libexec/virtiofsd (Rust $version)*"
            $stack.Message | Should -BeLike '*ID mapping: not with <idmap> (libvirt runs virtiofsd as root*'
            $stack.Message | Should -BeLike '*Save and migration of running guests: yes.'
            ($r | Where-Object Name -EQ Virtiofsd).Evidence | Should -BeLike '*not run*'
            # That libvirt's root has no /dev/kvm (its guests run on TCG), whatever this host has.
            ($r | Where-Object Name -EQ Kvm).Status | Should -Be 'Warn'
            ($r | Where-Object Name -EQ Daemons).Status | Should -Be 'Skip'
            $session = Test-VirtioFsHost -ConnectionUri $SessionUri | Where-Object Name -EQ Stack
            $session.Message | Should -BeLike '*(session)*ID mapping: yes (libvirt runs virtiofsd as the session user)*'
        }
    }
}

Describe 'Locks on <Name>' -Tag 'E2E' -ForEach $Stacks {
    It '-PosixLock/-Flock: taken where libvirt runs the C virtiofsd, refused before writing where it runs the Rust one, which libvirt then refuses to start' {
        $share = New-E2EShareDir "lock-$Key"
        $dom = New-E2EDomain -Case "lock-$Key" -Uri $Uri -LogDir $LogDir -Cmdline unused
        $before = Get-E2EXml $dom
        $add = { New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag l -Source $share.Path -PosixLock -Flock -ErrorAction Stop }
        if ($Key -eq 'Debian12') {
            (& $add).PosixLock | Should -BeTrue
            Get-E2EXml $dom | Should -Match "<lock posix='on' flock='on'/>"
            return
        }
        $add | Should -Throw -ErrorId 'LockNeedsCVirtiofsd,*' -ExpectedMessage '*libvirt would run /usr/libexec/virtiofsd, the Rust one*'
        Get-E2EXml $dom | Should -Be $before
        # Defined anyway: libvirt 11.3 takes the definition and refuses every start, as the doctor says.
        $raw = Invoke-E2ERawDefine -Uri $Uri -LogDir $LogDir -Case "lockraw-$Key" -Inner "<binary><lock posix='on' flock='on'/></binary>" -Source $share.Path
        $raw.ExitCode | Should -Be 0 -Because $raw.Output
        (Test-VirtioFsDomain -Domain $raw.Name -ConnectionUri $Uri | Where-Object Name -EQ Locking).Status | Should -Be 'Fail'
        $start = (& virsh -c $Uri start $raw.Name 2>&1) -join "`n"
        $LASTEXITCODE | Should -Not -Be 0
        $start | Should -Match 'locking options are not supported by this virtiofsd'
    }
}

Describe 'ID mapping where libvirt runs virtiofsd as root, on <Name>' -Tag 'E2E' -ForEach $Stacks {
    It '-UidMap/-GidMap (idmap) is refused before writing; defined anyway, the doctor predicts the start failure libvirt gives' {
        $share = New-E2EShareDir "idsys-$Key"
        $dom = New-E2EDomain -Case "idsys-$Key" -Uri $Uri -LogDir $LogDir -Cmdline unused
        $before = Get-E2EXml $dom
        $map = @{ Start = 0; Target = 100000; Count = 65536 }
        $e = { New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag ids -Source $share.Path -UidMap $map -GidMap $map -ErrorAction Stop } |
            Should -Throw -PassThru
        Get-E2EXml $dom | Should -Be $before
        $inner = "<idmap><uid start='0' target='100000' count='65536'/><gid start='0' target='100000' count='65536'/></idmap>"
        if ($Libvirt -lt [version]'10.0.0') {
            $e.FullyQualifiedErrorId | Should -BeLike 'OptionNeedsNewerLibvirt,*'
            (Invoke-E2ERawDefine -Uri $Uri -LogDir $LogDir -Case "idraw-$Key" -Inner $inner -Source $share.Path).ExitCode | Should -Not -Be 0
            return
        }
        $e.FullyQualifiedErrorId | Should -BeLike 'IdMapNeedsUnprivilegedLibvirt,*'
        $e.ErrorDetails.RecommendedAction | Should -BeLike "*Start-VirtioFsDaemon -SharedDirectory '$($share.Path)' -TranslateUid map:0:100000:65536 -TranslateGid map:0:100000:65536 | New-VirtioFsShare -Domain $($dom.Name) -Tag 'ids'*"

        # An admin defines it with virsh anyway: libvirt takes the definition ...
        $raw = Invoke-E2ERawDefine -Uri $Uri -LogDir $LogDir -Case "idraw-$Key" -Inner $inner -Source $share.Path
        $raw.ExitCode | Should -Be 0 -Because $raw.Output
        # ... the doctor says what will happen ...
        $check = Test-VirtioFsDomain -Domain $raw.Name -ConnectionUri $Uri | Where-Object Name -EQ IdMap
        $check.Status | Should -Be 'Fail'
        $check.Message | Should -BeLike '*virtiofsd died unexpectedly*'
        # ... and it happens: every start fails, and only the daemon's log says why.
        $start = (& virsh -c $Uri start $raw.Name 2>&1) -join "`n"
        $LASTEXITCODE | Should -Not -Be 0
        $start | Should -Match 'virtiofsd died unexpectedly'
        $daemonLog = Get-Content -LiteralPath "$LogDir/$($raw.Name)-fs0-virtiofsd.log" -Raw
        $daemonLog | Should -Match 'uid_map can only be used by unprivileged user'
        (Resolve-VirtioFsError -Message $start)[0].Id | Should -Be 'VirtiofsdDied'
        (Resolve-VirtioFsError -Message $daemonLog)[0].Id | Should -Be 'IdMapAsRoot'
    }
}

Describe 'A running guest on <Name>: the daemon libvirt runs, read-only, hot-plug, save, hot-unplug' -Tag 'E2E' -ForEach $Stacks {
    BeforeAll {
        $script:GuestTime = [Diagnostics.Stopwatch]::StartNew()
        $script:First = New-E2EShareDir "first-$Key"
        $script:Second = New-E2EShareDir "second-$Key"
        $script:Ro = New-E2EShareDir "ro-$Key"
        $script:Token = New-E2EToken
        $script:HasReadOnly = $Libvirt -ge [version]'11.0.0'
        $script:HasOpenFiles = $Libvirt -ge [version]'10.7.0'
        $cmdline = "e2e.tag=first e2e.tag2=second e2e.mode=loop e2e.token=$Token" + $(if ($HasReadOnly) { ' e2e.rotag=ro' })
        # ACPI and spare root ports: a hot-plugged PCIe device needs both.
        $script:Guest = New-E2EDomain -Case "run-$Key" -Acpi -SparePorts 6 -Uri $Uri -LogDir $LogDir -Cmdline $cmdline
        $options = @{ ThreadPoolSize = 2; Sandbox = 'Chroot' }
        if ($HasOpenFiles) { $options.OpenFilesMax = 5000 }
        New-VirtioFsShare -Domain $Guest.Name -ConnectionUri $Uri -Tag first -Source $First.Path @options | Out-Null
        if ($HasReadOnly) { New-VirtioFsShare -Domain $Guest.Name -ConnectionUri $Uri -Tag ro -Source $Ro.Path -ReadOnly | Out-Null }
        Start-E2EDomain $Guest
        Wait-E2EConsole $Guest 'E2E_LOOP_READY' -TimeoutSec 120
    }
    AfterAll {
        if ($Guest) { & virsh -c $Guest.Uri destroy $Guest.Name *> $null }
        Add-E2ETiming "running guest $Key" $GuestTime.Elapsed
    }

    It 'the virtiofsd libvirt runs serves the guest, with the sandbox, thread pool and open-files limit asked for' {
        Assert-E2EGuest -Share $First -Token $Token -Console $Guest.Console
        $daemon = @(Get-E2EDaemonProcess $First.Path)
        $daemon.Count | Should -Be 1
        # Debian 12's libvirt runs QEMU's C daemon; Debian 13's the Rust one through its vhost-user descriptor.
        $expected = if ($Key -eq 'Debian12') { '/usr/lib/qemu/virtiofsd' } else { '/usr/libexec/virtiofsd' }
        $daemon[0].Argv[0] | Should -Be $expected
        $daemon[0].CommandLine | Should -Match 'sandbox[= ]chroot'
        $daemon[0].CommandLine | Should -Match '--thread-pool-size[= ]2\b'
        (Test-VirtioFsDomain -Domain $Guest.Name -ConnectionUri $Uri | Where-Object Name -EQ Daemon).Message | Should -BeLike "*libvirt will run $expected*"
        if ($HasOpenFiles) {
            $daemon[0].CommandLine | Should -Match '--rlimit-nofile=5000\b'
            (Get-Content -LiteralPath "/proc/$($daemon[0].ProcessId)/limits" | Where-Object { $_ -like 'Max open files*' }) | Should -Match '^Max open files\s+5000\s+5000\s+files'
        }
        else {
            { New-VirtioFsShare -Domain $Guest.Name -ConnectionUri $Uri -Tag more -Source $Second.Path -OpenFilesMax 5000 -ErrorAction Stop } |
                Should -Throw -ErrorId 'OptionNeedsNewerLibvirt,*' -ExpectedMessage "*10.7.0 or later; the connected libvirt is $Libvirt*"
        }
        Send-E2EPing $First | Should -BeTrue
    }

    It '-ReadOnly: the guest reads the share, its writes fail with EROFS, and the host file stays as it was' -ForEach @(@{ Case = 'ro' } | Where-Object { $Libvirt -ge [version]'11.0.0' }) {
        $console = Get-E2EConsole $Guest.Console
        $console | Should -Match 'E2E_RO_MOUNT_OK tag=ro'
        $console | Should -Match "E2E_HOSTFILE_BEGIN-ro\s+$([regex]::Escape($Ro.HostToken))"
        $console | Should -Match 'E2E_RO_WRITE rc=[1-9]\d* err=.*Read-only file system'
        $console | Should -Match 'E2E_RO_TOUCH rc=[1-9]\d* err=.*Read-only file system'
        Test-Path -LiteralPath "$($Ro.Path)/guest-wrote-ro.txt" | Should -BeFalse
        (Get-Content -LiteralPath "$($Ro.Path)/host-prepared.txt" -Raw).Trim() | Should -Be $Ro.HostToken
        (Get-E2EDaemonProcess $Ro.Path)[0].CommandLine | Should -Match '--readonly\b'
    }

    It 'hot-plug: New-VirtioFsShare on the running guest, which mounts and uses the share at once' {
        New-VirtioFsShare -Domain $Guest.Name -ConnectionUri $Uri -Tag second -Source $Second.Path | Out-Null
        # The guest prints the mount line, then checks the share (reads the host's file, writes its own, syncs)
        # and prints E2E_OWNER-2 last: under load the check can still be running when the mount line shows.
        Wait-E2EConsole $Guest 'E2E_TAG2_MOUNT_OK' -TimeoutSec 60
        Wait-E2EConsole $Guest 'E2E_OWNER-2' -TimeoutSec 60
        Assert-E2EGuest -Share $Second -Token $Token -Console $Guest.Console -Suffix '-2'
        Send-E2EPing $Second | Should -BeTrue
        @(Get-E2EDaemonProcess $Second.Path).Count | Should -Be 1
    }

    It "save: libvirt does what the doctor's Migration check predicted, and the guest keeps its shares" {
        $check = Test-VirtioFsDomain -Domain $Guest.Name -ConnectionUri $Uri | Where-Object Name -EQ Migration
        $image = "$E2EWork/run-$Key.save"
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $save = (& virsh -c $Uri save $Guest.Name $image 2>&1) -join "`n"
        $saved = $LASTEXITCODE -eq 0
        Add-E2ETiming "save $Key" $sw.Elapsed
        if ($check.Status -eq 'Pass') {
            $saved | Should -BeTrue -Because "the doctor said: $($check.Message); virsh said: $save"
            $sw.Restart()
            $restore = (& virsh -c $Uri restore $image 2>&1) -join "`n"
            $LASTEXITCODE | Should -Be 0 -Because $restore
            Add-E2ETiming "restore $Key" $sw.Elapsed
            Remove-Item -LiteralPath $image -Force
        }
        else {
            $saved | Should -BeFalse -Because "the doctor said: $($check.Message)"
            $check.Status | Should -Be 'Warn'
            # The doctor names the error libvirt gives (QEMU's blocker carries the device's PCI address).
            $predicted = [regex]::Match($check.Message, '\("([^"]+)"\)').Groups[1].Value
            $save | Should -Match ([regex]::Escape($predicted) -replace '<pci\\ address>', '\S+')
            (Resolve-VirtioFsError -Message $save)[0].Id | Should -Be 'MigrationBlocked'
        }
        # Debian 12 refuses (QEMU 7.2), Debian 13 saves and restores (libvirt 11.3, QEMU 10.0, virtiofsd 1.13).
        $check.Status | Should -Be $(if ($Key -eq 'Debian12') { 'Warn' } else { 'Pass' })
        Get-E2EDomainState $Guest | Should -Be 'running'
        Send-E2EPing $First | Should -BeTrue
        Send-E2EPing $Second | Should -BeTrue
    }

    It 'hot-unplug: Remove-VirtioFsShare of a mounted share; its daemon exits, the guest loses it and keeps the other' {
        $removed = Remove-VirtioFsShare -Domain $Guest.Name -ConnectionUri $Uri -Tag second -Confirm:$false -WarningVariable warned 3>$null
        $warned | Should -BeNullOrEmpty
        (Get-E2EXml $Guest) | Should -Not -Match "dir='second'"
        ((& virsh -c $Uri dumpxml $Guest.Name) -join "`n") | Should -Not -Match "<target dir='second'/>"
        Wait-E2EDaemonGone $Second.Path | Should -BeTrue
        Send-E2EPing $Second -TimeoutSec 5 | Should -BeFalse
        Send-E2EPing $First | Should -BeTrue
        # The guest still runs, and powers off when asked.
        New-Item -ItemType File -Path "$($First.Path)/poweroff-now" | Out-Null
        Wait-E2EDomainOff $Guest -TimeoutSec 60
    }
}

Describe "Debian 13's real-guest paths on <Name>" -Tag 'E2E' -ForEach $Newest {
    BeforeEach { $script:CaseTime = [Diagnostics.Stopwatch]::StartNew() }

    It 'the fstab line, with memfd added to a domain that had none and the Rust virtiofsd libvirt runs by default' {
        $share = New-E2EShareDir 'fstab13'; $token = New-E2EToken
        $dom = New-E2EDomain -Case fstab13 -Uri $Uri -LogDir $LogDir -Initrd "$E2EWork/fstab13-initrd.gz" -Cmdline "e2e.mode=fstab e2e.mp=/mnt/from-fstab e2e.token=$token"
        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag fstab13 -Source $share.Path | Out-Null
        (Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri).Backing | Should -Be 'Memfd'
        $mount = Get-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri | Get-VirtioFsGuestMount -MountPoint /mnt/from-fstab
        New-E2EFstabInitrd -Case fstab13 -FstabLine $mount.FstabLine | Should -Be "$E2EWork/fstab13-initrd.gz"
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        $console = Get-E2EConsole $dom.Console
        $console | Should -Match 'E2E_MOUNT_A_RC 0'
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        $qemuLog = Get-Content -LiteralPath "$LogDir/$($dom.Name).log" -Raw
        $qemuLog | Should -Match '"qom-type":"memory-backend-memfd","id":"pc.ram","share":true'
        (Get-Content -LiteralPath "$LogDir/$($dom.Name)-fs0-virtiofsd.log" -Raw) | Should -Match 'Client connected, servicing requests'
        $qemuLog | Should -Match 'Starting external device: virtiofsd\s+/usr/libexec/virtiofsd '
        Add-E2ETiming '13 fstab memfd' $CaseTime.Elapsed
    }

    It 'the NUMA form with file-backed memory in the memory_backing_dir that libvirt sees' {
        $share = New-E2EShareDir 'numafile13'; $token = New-E2EToken
        $dom = New-E2EDomain -Case numafile13 -Numa -Uri $Uri -LogDir $LogDir -Cmdline "e2e.tag=numafile13 e2e.token=$token"
        Enable-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri -Backing File
        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag numafile13 -Source $share.Path -SharedMemory Keep | Out-Null
        (Get-VirtioFsSharedMemory -Domain $dom.Name -ConnectionUri $Uri).NumaCells.MemAccess | Should -Be 'shared'
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        # The root's own qemu.conf default, a directory of that root, not this host's.
        $qemuLog = Get-Content -LiteralPath "$LogDir/$($dom.Name).log" -Raw
        $qemuLog | Should -Match '"qom-type":"memory-backend-file","id":"ram-node0","mem-path":"/var/lib/libvirt/qemu/ram/'
        $qemuLog | Should -Match '-numa node,nodeid=0,cpus=0,memdev=ram-node0'
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '13 numa file' $CaseTime.Elapsed
    }

    It 'hugepage-backed memory from the host pool, released after' {
        & mountpoint -q /dev/hugepages
        if ($LASTEXITCODE -ne 0) { throw 'hugetlbfs is not mounted on /dev/hugepages: run tests/tools/start-libvirt.sh, then restart the Debian 13 daemons (they read the mounts at start).' }
        $share = New-E2EShareDir 'huge13'; $token = New-E2EToken
        $dom = New-E2EDomain -Case huge13 -Uri $Uri -LogDir $LogDir -Cmdline "e2e.tag=huge13 e2e.token=$token"
        $before = (Get-VirtioFsHugePage -PageSize 2M | Where-Object NumaNode -EQ -1).Total
        Set-VirtioFsHugePage -Add 128 -PageSize 2M -Confirm:$false | Out-Null
        try {
            New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag huge13 -Source $share.Path -SharedMemory HugePages -HugePageSize 2M | Out-Null
            Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        }
        finally {
            Wait-E2EHugePagesReleased
            Set-VirtioFsHugePage -Add -128 -PageSize 2M -Confirm:$false | Out-Null
        }
        (Get-VirtioFsHugePage -PageSize 2M | Where-Object NumaNode -EQ -1).Total | Should -Be $before
        (Get-Content -LiteralPath "$LogDir/$($dom.Name).log" -Raw) | Should -Match '"mem-path":"/dev/hugepages/libvirt/qemu/[^"]+","share":true'
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        Add-E2ETiming '13 hugepages' $CaseTime.Elapsed
    }

    It 'the ID mapping that works as root: our own Rust virtiofsd with -TranslateUid/-TranslateGid behind a source socket' {
        $rust = Get-E2ERustVirtiofsd
        $share = New-E2EShareDir 'xlate13'; $token = New-E2EToken
        # The host's view of a guest whose root is host uid/gid 100000: the host file, and the directory, belong to it.
        & chown 100000:100000 $share.Path "$($share.Path)/host-prepared.txt"
        $dom = New-E2EDomain -Case xlate13 -Uri $Uri -LogDir $LogDir -Cmdline "e2e.tag=xlate13 e2e.token=$token"
        $added = Start-VirtioFsDaemon -SharedDirectory $share.Path -SocketPath "$E2EWork/x13.sock" -Name "$E2ERun-x13" -BinaryPath $rust `
            -TranslateUid 'map:0:100000:65536' -TranslateGid 'map:0:100000:65536' | New-VirtioFsShare -Domain $dom.Name -ConnectionUri $Uri -Tag xlate13
        $added.SocketPath | Should -Be "$E2EWork/x13.sock"
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        # The guest's root sees the host's 100000 as itself, and what it creates belongs to 100000 on the host.
        (Get-E2EConsole $dom.Console) | Should -Match 'E2E_OWNER host-prepared.txt 0:0 guest-wrote.txt 0:0 guest-uid 0:0'
        Get-E2EOwner "$($share.Path)/guest-wrote.txt" | Should -Be '100000:100000'
        Add-E2ETiming '13 own daemon translate' $CaseTime.Elapsed
    }

    It '-UidMap/-GidMap (idmap) in qemu:///session, where libvirt runs virtiofsd as the user: the guest root is the mapped id on the host' {
        $share = New-E2EShareDir 'idsess13'; $token = New-E2EToken
        & chown 100000:100000 $share.Path "$($share.Path)/host-prepared.txt"
        # QEMU runs as the session user (uid 2501): it writes the console there.
        $consoles = New-Item -ItemType Directory -Path "$E2EWork/session"
        & chown 2501:2501 $consoles.FullName
        $dom = New-E2EDomain -Case idsess13 -Uri $SessionUri -LogDir "$Root/home/vfsuser/.cache/libvirt/qemu/log" -ConsoleDir $consoles.FullName `
            -Cmdline "e2e.tag=idsess13 e2e.token=$token"
        $map = @{ Start = 0; Target = 100000; Count = 65536 }
        New-VirtioFsShare -Domain $dom.Name -ConnectionUri $SessionUri -Tag idsess13 -Source $share.Path -UidMap $map -GidMap $map | Out-Null
        $idmap = Test-VirtioFsDomain -Domain $dom.Name -ConnectionUri $SessionUri | Where-Object Name -EQ IdMap
        $idmap.Status | Should -Be 'Pass'
        Start-E2EDomain $dom; Wait-E2EDomainOff $dom
        Assert-E2EGuest -Share $share -Token $token -Console $dom.Console
        # libvirt ran virtiofsd as the user with the mapping (the session's QEMU log has the argv).
        (Get-Content -LiteralPath "$($dom.LogDir)/$($dom.Name).log" -Raw) | Should -Match '/usr/libexec/virtiofsd [^\n]*--uid-map=:0:100000:65536: --gid-map=:0:100000:65536:'
        (Get-E2EConsole $dom.Console) | Should -Match 'E2E_OWNER host-prepared.txt 0:0 guest-wrote.txt 0:0 guest-uid 0:0'
        Get-E2EOwner "$($share.Path)/guest-wrote.txt" | Should -Be '100000:100000'
        Add-E2ETiming '13 session idmap' $CaseTime.Elapsed
    }
}

Describe 'Nothing of this run is left on <Name>' -Tag 'E2E' -ForEach $Stacks {
    It 'no domain, QEMU or virtiofsd of this run' {
        $run = $E2ERun
        $mine = @($E2EDomains | Where-Object Uri -In @($Uri, $SessionUri))
        foreach ($d in $mine) {
            & virsh -c $d.Uri destroy $d.Name *> $null
            & virsh -c $d.Uri undefine $d.Name *> $null
        }
        $left = foreach ($u in @($Uri, $SessionUri) | Where-Object { $_ }) { & virsh -c $u list --all --name 2>$null | Where-Object { $_ -like "$run*" } }
        @($left) | Should -BeNullOrEmpty
    }
}
