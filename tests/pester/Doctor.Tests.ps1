# SPDX-License-Identifier: MIT
# Test-VirtioFsHost on this real host, and Test-VirtioFsDomain / Resolve-VirtioFsError against what a real
# libvirtd (qemu:///system, tests/tools/start-libvirt.sh) and QEMU actually do: each broken domain is checked
# by the doctor first, then defined and started for real, and libvirt's own error must be the one predicted.
# Domains are named $Run-<case> ($Run is vfs-doc-<random>, one per run, so runs sharing a libvirtd never
# meet); cleanup touches only those. The hugepage pool is only read, never changed.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Uri = 'qemu:///system'
    Assert-VirtioFsRequirement -Command virsh -Package libvirt-clients
    Assert-VirtioFsRequirement -Path /usr/bin/qemu-system-x86_64 -Package qemu-system-x86
    Assert-VirtioFsRequirement -Path /usr/lib/qemu/virtiofsd -Package qemu-system-x86
    & virsh -c $Uri version *> $null
    if ($LASTEXITCODE -ne 0) { throw "libvirtd does not answer on ${Uri}: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)" }

    $script:Run = 'vfs-doc-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    $script:Share = Join-Path $Work 'share'
    New-Item -ItemType Directory -Path $Share -Force | Out-Null
    $script:Defined = [System.Collections.Generic.List[string]]::new()
    $script:Memfd = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"

    function script:New-DocXml {
        param([string] $Name, [string] $Memory = $Memfd, [string] $Filesystems, [string] $Extra = '', [int] $MiB = 128, [string] $OsExtra = '')
        $file = Join-Path $Work "$Name.xml"
        Set-Content -LiteralPath $file -Value @"
<domain type='qemu'>
  <name>$Name</name>
  <memory unit='MiB'>$MiB</memory>
  $Memory
  <vcpu>1</vcpu>
  $Extra
  <os><type arch='x86_64' machine='q35'>hvm</type>$OsExtra</os>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $Filesystems
    <memballoon model='none'/>
  </devices>
</domain>
"@
        $file
    }
    function script:Fs {
        param([string] $Tag = 'data', [string] $Driver = '', [string] $Binary = '', [string] $Source = "dir='$Share'", [string] $Tail = '', [string] $Access = 'passthrough')
        "<filesystem type='mount' accessmode='$Access'><driver type='virtiofs' $Driver/>$Binary<source $Source/><target dir='$Tag'/>$Tail</filesystem>"
    }
    # Defines, then starts; returns what libvirt said and at which stage it refused (define, start or none).
    function script:Invoke-Libvirt([string] $Name, [string] $File) {
        $out = & virsh -c $Uri define $File 2>&1
        if ($LASTEXITCODE -ne 0) { return @{ Stage = 'define'; Error = "$out" } }
        $Defined.Add($Name)
        $out = & virsh -c $Uri start $Name 2>&1
        if ($LASTEXITCODE -ne 0) { return @{ Stage = 'start'; Error = "$out" } }
        @{ Stage = 'none'; Error = $null }
    }
    function script:Remove-DocDomain([string] $Name) {
        & virsh -c $Uri destroy $Name *> $null
        & virsh -c $Uri undefine $Name *> $null
    }
}

AfterAll {
    foreach ($name in $Defined) { Remove-DocDomain $name }
    # libvirt keeps a QEMU log and a virtiofsd log per domain name after undefine.
    if ($Run) { Get-ChildItem -LiteralPath /var/log/libvirt/qemu -Filter "$Run-*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore }
    if ($script:Daemon) { Stop-Process -Id $script:Daemon.Id -ErrorAction Ignore }
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore
}

Describe 'Test-VirtioFsHost on this host' {
    BeforeAll { $script:HostResults = @(Test-VirtioFsHost -ConnectionUri $Uri) }

    It 'runs at least ten checks, typed, each Warn and Fail with a fix' {
        $HostResults.Count | Should -BeGreaterOrEqual 10
        $HostResults | ForEach-Object { $_ | Should -BeOfType ([VirtioFs.VirtioFsCheckResult]) }
        $HostResults | Where-Object Status -In 'Warn', 'Fail' | ForEach-Object { $_.Fix | Should -Not -BeNullOrEmpty -Because $_.Name }
    }

    It 'finds the installed libvirt library and daemon, and reaches it' {
        # The versions as virsh reports them, not written into the test: a Debian point release may change them.
        $versions = & virsh -c $Uri version --daemon
        $daemon = (@($versions -match 'Running against daemon') -replace '.*: ', '')[0].Trim()
        $library = (@($versions -match 'Using library: libvirt ') -replace '.*libvirt ', '')[0].Trim()
        $daemon | Should -Match '^\d+\.\d+\.\d+$'
        $library | Should -Match '^\d+\.\d+\.\d+$'
        $lv = $HostResults | Where-Object Name -EQ 'LibvirtDaemon'
        $lv.Status | Should -Be 'Pass'
        $lv.Message | Should -Match "\b$([regex]::Escape($daemon))\b"
        ($HostResults | Where-Object Name -EQ 'LibvirtLibrary').Message | Should -Match "\b$([regex]::Escape($library))\b"
    }

    It 'finds QEMU with the vhost-user-fs-pci device' {
        ($HostResults | Where-Object Name -EQ 'QemuDevice').Status | Should -Be 'Pass'
        $version = (& qemu-system-x86_64 -version)[0] -replace '^QEMU emulator version (\d+\.\d+\.\d+).*', '$1'
        ($HostResults | Where-Object Name -EQ 'QemuVersion').Message | Should -Match ([regex]::Escape($version))
    }

    It 'finds the C virtiofsd through its vhost-user descriptor, dialect legacy C' {
        $d = $HostResults | Where-Object Name -EQ 'Virtiofsd'
        $d.Status | Should -Be 'Pass'
        $d.Message | Should -Match '/usr/lib/qemu/virtiofsd, legacy C dialect'
        $d.Evidence | Should -Match '50-qemu-virtiofsd.json'
    }

    It 'reads libvirt''s domain capabilities: virtiofs and memfd' {
        $c = $HostResults | Where-Object Name -EQ 'DomainCapabilities'
        $c.Status | Should -Be 'Pass'
        $c.Evidence | Should -Match 'virtiofs'
        $c.Evidence | Should -Match 'memfd'
    }

    It 'reports the facts of this machine: root, hugetlbfs, kernel, KVM, MAC' {
        ($HostResults | Where-Object Name -EQ 'Privileges').Status | Should -Be ($(if (Test-VirtioFsRoot) { 'Pass' } else { 'Fail' }))
        $huge = $HostResults | Where-Object Name -EQ 'HugePages'
        $mounted = [bool](Get-Content /proc/mounts | Where-Object { ($_ -split ' ')[2] -eq 'hugetlbfs' })
        $huge.Status | Should -Be ($(if ($mounted) { 'Pass' } else { 'Warn' }))
        $nr = (Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages).Trim()
        $huge.Evidence | Should -Match "2MiB host: $nr total"
        ($HostResults | Where-Object Name -EQ 'Kernel').Message | Should -Match ([regex]::Escape((Get-Content /proc/sys/kernel/osrelease).Trim()))
        # As QEMU (libvirt-qemu, group kvm) sees the node: missing is a warning, unusable for it a failure.
        $expected = if (-not (Test-Path /dev/kvm)) { 'Warn' }
            else {
                $gid, $mode = (& stat -c '%g %a' /dev/kvm) -split ' '
                $kvmGid = ((Get-Content /etc/group | Where-Object { $_ -like 'kvm:*' }) -split ':')[2]
                $m = [Convert]::ToInt32($mode, 8)
                if ((($m -band 48) -eq 48 -and $gid -eq $kvmGid) -or ($m -band 6) -eq 6) { 'Pass' } else { 'Fail' }   # 48 = g+rw (060), 6 = o+rw
            }
        ($HostResults | Where-Object Name -EQ 'Kvm').Status | Should -Be $expected
        $mac = (Test-Path /sys/kernel/security/apparmor) -or (Test-Path /sys/fs/selinux/enforce)
        ($HostResults | Where-Object Name -EQ 'SecurityModule').Status | Should -Be ($(if ($mac) { 'Warn' } else { 'Pass' }))
        ($HostResults | Where-Object Name -EQ 'MemoryBackingDir').Evidence | Should -Match '/var/lib/libvirt/qemu/ram'
    }

    It '-Quiet returns one boolean: no check failed here' {
        $q = @(Test-VirtioFsHost -Quiet)
        $q.Count | Should -Be 1
        $q[0] | Should -BeOfType ([bool])
        $q[0] | Should -Be (-not ($HostResults | Where-Object Status -EQ 'Fail'))
    }
}

Describe 'Broken domains: the doctor predicts what libvirt really says' {
    BeforeDiscovery {
        $script:Cases = @(
            @{ Case = 'no shared memory'; Suffix = 'noshm'; Memory = ''; Check = 'SharedMemory'; Stage = 'define'; Id = 'SharedMemoryMissing'; Text = 'requires shared memory' }
            @{ Case = 'a private NUMA cell'; Suffix = 'numapriv'; Memory = ''; Extra = "<cpu><numa><cell id='0' cpus='0' memory='128' unit='MiB' memAccess='private'/></numa></cpu>"; Check = 'NumaMemAccess'; Stage = 'define'; Id = 'SharedMemoryMissing'; Text = 'requires shared memory' }
            @{ Case = 'read-only on libvirt 9'; Suffix = 'ro'; Tail = '<readonly/>'; Check = 'LibvirtVersion'; Stage = 'define'; Id = 'ReadOnlyUnsupported'; Text = 'read-only' }
            @{ Case = 'accessmode mapped'; Suffix = 'mapped'; Access = 'mapped'; Check = 'AccessMode'; Stage = 'define'; Id = 'AccessModeNotPassthrough'; Text = 'passthrough accessmode' }
            @{ Case = 'cache never'; Suffix = 'never'; Binary = "<binary><cache mode='never'/></binary>"; Check = 'CacheMode'; Stage = 'define'; Id = 'CacheModeInvalid'; Text = "'never'" }
            @{ Case = 'a tag used twice'; Suffix = 'dup'; Twice = $true; Check = 'TagUnique'; Stage = 'define'; Id = 'TagDuplicate'; Text = 'specified twice' }
            @{ Case = 'a 40-byte tag'; Suffix = 'tag40'; Tag = ('t' * 40); Check = 'TagLength'; Stage = 'start'; Id = 'TagTooLong'; Text = 'tag property must be 36 bytes or less' }
            @{ Case = 'queue size 100'; Suffix = 'q100'; Driver = "queue='100'"; Check = 'QueueSize'; Stage = 'start'; Id = 'QueueSizeInvalid'; Text = 'power of 2' }
            @{ Case = 'queue size 2048'; Suffix = 'q2048'; Driver = "queue='2048'"; Check = 'QueueSize'; Stage = 'start'; Id = 'QueueSizeInvalid'; Text = '1024 or smaller' }
            @{ Case = 'a missing source directory'; Suffix = 'nosrc'; Missing = $true; Check = 'Source'; Stage = 'start'; Id = 'SourceDirectoryMissing'; Text = 'does not exist' }
            @{ Case = 'a missing virtiofsd binary'; Suffix = 'badbin'; Binary = "<binary path='/nonexistent/virtiofsd'/>"; Check = 'Daemon'; Stage = 'start'; Id = 'DaemonBinaryNotExecutable'; Text = 'is not executable' }
            @{ Case = 'a binary that is not a virtiofsd'; Suffix = 'notvfsd'; Binary = "<binary path='/bin/true'/>"; Check = 'Daemon'; Stage = 'start'; Id = 'VhostSocketMissing'; Text = 'Connection refused' }
            @{ Case = 'a boot order next to os/boot'; Suffix = 'boot'; Tail = "<boot order='1'/>"; OsExtra = "<boot dev='hd'/>"; Check = 'BootOrder'; Stage = 'define'; Id = 'BootOrderConflict'; Text = 'per-device boot elements' }
            @{ Case = 'a boot order used twice'; Suffix = 'boot2'; Tail = "<boot order='1'/>"; Second = "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/tmp'/><target dir='other'/><boot order='1'/></filesystem>"; Check = 'BootOrder'; Stage = 'define'; Id = 'BootOrderConflict'; Text = 'used for more than one device' }
            @{ Case = 'an alias used twice'; Suffix = 'alias'; Tail = "<alias name='ua-same'/>"; Second = "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/tmp'/><target dir='other'/><alias name='ua-same'/></filesystem>"; Check = 'Alias'; Stage = 'define'; Id = 'AliasNotUnique'; Text = 'non unique alias' }
            @{ Case = 'a sandbox mode libvirt lacks'; Suffix = 'sandbox'; Binary = "<binary><sandbox mode='none'/></binary>"; Check = 'SandboxMode'; Stage = 'define'; Id = 'SandboxModeInvalid'; Text = "element 'sandbox'" }
        )
    }

    It '<Case>: predicted as <Check>, libvirt refuses at <Stage>, and the error is explained' -ForEach $Cases {
        $Name = "$Run-$Suffix"
        $fsArgs = @{}
        if ($Tag) { $fsArgs.Tag = $Tag }
        if ($Driver) { $fsArgs.Driver = $Driver }
        if ($Binary) { $fsArgs.Binary = $Binary }
        if ($Tail) { $fsArgs.Tail = $Tail }
        if ($Access) { $fsArgs.Access = $Access }
        if ($Missing) { $fsArgs.Source = "dir='$Work/no-such-dir'" }
        $fs = Fs @fsArgs
        if ($Twice) { $fs += Fs @fsArgs }
        if ($Second) { $fs += $Second }
        $memory = if ($null -ne $Memory) { $Memory } else { $Memfd }
        $file = New-DocXml -Name $Name -Memory $memory -Filesystems $fs -Extra "$Extra" -OsExtra "$OsExtra"

        # 1. The doctor, before libvirt sees it.
        $before = @(Test-VirtioFsDomain -Path $file)
        $fail = $before | Where-Object { $_.Name -eq $Check -and $_.Status -eq 'Fail' }
        $fail | Should -Not -BeNullOrEmpty -Because "the doctor must predict $Case"
        $fail[0].Fix | Should -Not -BeNullOrEmpty
        Test-VirtioFsDomain -Path $file -Quiet | Should -BeFalse

        # 2. Real libvirt.
        $real = Invoke-Libvirt $Name $file
        $real.Stage | Should -Be $Stage -Because "libvirt said: $($real.Error)"
        $real.Error | Should -Match ([regex]::Escape($Text))

        # 3. If libvirt took the definition, the doctor sees the same from libvirt.
        if ($Stage -eq 'start') {
            (Test-VirtioFsDomain -Domain $Name -ConnectionUri $Uri | Where-Object { $_.Name -eq $Check -and $_.Status -eq 'Fail' }) | Should -Not -BeNullOrEmpty
        }

        # 4. libvirt's actual message is explained.
        $explained = @(Resolve-VirtioFsError -Message $real.Error)
        $explained[0].Known | Should -BeTrue
        $explained.Id | Should -Contain $Id
        ($explained | Where-Object Id -EQ $Id).Fix | Should -Not -BeNullOrEmpty
        Remove-DocDomain $Name
    }

    It 'a hugepage pool too small: predicted as HugePagePool, QEMU cannot map guest RAM' {
        $available = [int](Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages) - [int](Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/resv_hugepages)
        $mib = [Math]::Max(0, $available) * 2 + 128   # always more than the pool holds; the pool is not touched
        $huge = "<memoryBacking><hugepages><page size='2' unit='M'/></hugepages><access mode='shared'/></memoryBacking>"
        $file = New-DocXml -Name "$Run-huge" -Memory $huge -Filesystems (Fs) -MiB $mib
        $fail = Test-VirtioFsDomain -Path $file | Where-Object { $_.Name -eq 'HugePagePool' -and $_.Status -eq 'Fail' }
        $fail | Should -Not -BeNullOrEmpty
        $fail.Fix | Should -Match 'Set-VirtioFsHugePage -PageSize 2MiB -Add'
        $real = Invoke-Libvirt "$Run-huge" $file
        $real.Stage | Should -Be 'start'
        $real.Error | Should -Match 'unable to map backing store for guest RAM'
        (Resolve-VirtioFsError $real.Error).Id | Should -Contain 'HugePagesExhausted'
        Remove-DocDomain "$Run-huge"
    }

    It '<lock> with the real Rust virtiofsd: predicted as Locking; libvirt 9.0 starts it, the daemon exits and QEMU cannot connect' {
        $repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))
        $rustDir = [IO.Path]::Combine($repo, 'output', 'rust-virtiofsd')
        $log = & bash ([IO.Path]::Combine($repo, 'tests', 'tools', 'get-rust-virtiofsd.sh')) $rustDir 2>&1
        if ($LASTEXITCODE -ne 0) { throw "tests/tools/get-rust-virtiofsd.sh failed (it needs network access to Debian's package mirror, as apt on this host is configured with it, and apt-get install patchelf): $($log -join "`n")" }
        $rust = Join-Path $rustDir 'bin/virtiofsd'
        $file = New-DocXml -Name "$Run-rustlock" -Filesystems (Fs -Binary "<binary path='$rust'><lock posix='on' flock='on'/></binary>")

        $fail = Test-VirtioFsDomain -Path $file | Where-Object { $_.Name -eq 'Locking' -and $_.Status -eq 'Fail' }
        $fail | Should -Not -BeNullOrEmpty -Because 'the doctor must see that the Rust daemon has no lock options'
        $fail.Fix | Should -Match 'Reset PosixLock,Flock'

        $real = Invoke-Libvirt "$Run-rustlock" $file
        $real.Stage | Should -Be 'start' -Because "libvirt said: $($real.Error)"
        $real.Error | Should -Match 'Connection refused'
        $daemonLog = Get-Content -LiteralPath "/var/log/libvirt/qemu/$Run-rustlock-fs0-virtiofsd.log" -Raw
        $daemonLog | Should -Match "Invalid compat argument '-o (posix_lock|flock)'"
        $line = ($daemonLog -split "`n" | Where-Object { $_ -match 'Invalid compat argument' } | Select-Object -Last 1)
        (Resolve-VirtioFsError -Message $line).Id | Should -Contain 'LockingUnsupported'
        Remove-DocDomain "$Run-rustlock"
        Remove-Item -LiteralPath "/var/log/libvirt/qemu/$Run-rustlock-fs0-virtiofsd.log" -ErrorAction Ignore
    }

    It 'a self-run daemon''s root-only socket: predicted as Socket, QEMU gets Permission denied' {
        $dir = Join-Path $Work 'ext'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $sock = Join-Path $dir 'vfsd.sock'
        $script:Daemon = Start-Process -FilePath /usr/lib/qemu/virtiofsd -ArgumentList "--socket-path=$sock", '-o', "source=$Share", '-o', 'sandbox=chroot' -PassThru -RedirectStandardError (Join-Path $Work 'vfsd.log')
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (-not (Test-Path $sock) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $sock | Should -Exist
        $file = New-DocXml -Name "$Run-sock" -Filesystems (Fs -Source "socket='$sock'")
        $fail = Test-VirtioFsDomain -Path $file | Where-Object { $_.Name -eq 'Socket' -and $_.Status -eq 'Fail' }
        $fail | Should -Not -BeNullOrEmpty
        $fail.Message | Should -Match 'libvirt-qemu'
        $real = Invoke-Libvirt "$Run-sock" $file
        $real.Stage | Should -Be 'start'
        $real.Error | Should -Match 'Permission denied'
        (Resolve-VirtioFsError $real.Error).Id | Should -Contain 'VhostSocketPermission'
        Stop-Process -Id $script:Daemon.Id -ErrorAction Ignore
        $script:Daemon = $null
        Remove-DocDomain "$Run-sock"
    }
}

Describe 'Working domains: no false alarms' {
    It '<Case> defines and starts, and the doctor finds no Fail before or while it runs' -ForEach @(
        @{ Case = 'memfd, queue 1024'; Suffix = 'ok'; Memory = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"; Extra = ''; Driver = "queue='1024'" }
        @{ Case = 'a shared NUMA cell'; Suffix = 'numa'; Memory = ''; Extra = "<cpu><numa><cell id='0' cpus='0' memory='128' unit='MiB' memAccess='shared'/></numa></cpu>"; Driver = '' }
        @{ Case = 'queue 0, which libvirt drops'; Suffix = 'q0'; Memory = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"; Extra = ''; Driver = "queue='0'" }
        @{ Case = 'C-daemon options (cache, xattr, lock, sandbox, thread pool)'; Suffix = 'opts'; Memory = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>"; Extra = ''; Driver = ''; Binary = "<binary path='/usr/lib/qemu/virtiofsd' xattr='on'><cache mode='always'/><sandbox mode='chroot'/><lock posix='on' flock='on'/><thread_pool size='2'/></binary>" }
    ) {
        $Name = "$Run-$Suffix"
        $fsArgs = @{ Driver = $Driver }
        if ($Binary) { $fsArgs.Binary = $Binary }
        $file = New-DocXml -Name $Name -Memory $Memory -Extra $Extra -Filesystems (Fs @fsArgs)
        $before = @(Test-VirtioFsDomain -Path $file)
        $before | Where-Object Status -EQ 'Fail' | Should -BeNullOrEmpty
        Test-VirtioFsDomain -Path $file -Quiet | Should -BeTrue
        $real = Invoke-Libvirt $Name $file
        $real.Stage | Should -Be 'none' -Because "libvirt said: $($real.Error)"
        $live = @(Test-VirtioFsDomain -Domain $Name -ConnectionUri $Uri)
        $live | Where-Object Status -EQ 'Fail' | Should -BeNullOrEmpty
        $live[0].ConnectionUri | Should -Be $Uri
        $live[0].Domain | Should -Be $Name
        Test-VirtioFsDomain -Domain $Name -Quiet | Should -BeTrue
        Remove-DocDomain $Name
    }

    It 'takes domain names from the pipeline, by value and by property name' {
        $file = New-DocXml -Name "$Run-pipe" -Filesystems (Fs)
        & virsh -c $Uri define $file *> $null
        $Defined.Add("$Run-pipe")
        @("$Run-pipe" | Test-VirtioFsDomain).Domain | Select-Object -Unique | Should -Be "$Run-pipe"
        @(Get-VirtioFsShare -Domain "$Run-pipe" | Test-VirtioFsDomain).Domain | Select-Object -Unique | Should -Be "$Run-pipe"
        Remove-DocDomain "$Run-pipe"
    }
}

Describe 'Resolve-VirtioFsError' {
    It 'explains a module ErrorRecord by its error id' {
        $err = $null
        New-VirtioFsShare -Path (New-DocXml -Name "$Run-rec" -Filesystems '') -Tag ('x' * 40) -Source $Share -ErrorVariable err -ErrorAction SilentlyContinue
        $r = @($err[0] | Resolve-VirtioFsError)
        $r[0].Id | Should -Be 'TagTooLong'
        $r[0].Known | Should -BeTrue
    }

    It 'says so for unknown text instead of failing' {
        $r = Resolve-VirtioFsError -Message 'completely unrelated' -ErrorAction Stop
        $r.Known | Should -BeFalse
        $r.Fix | Should -Match 'Test-VirtioFsDomain'
    }

    It 'lists the catalogue' {
        @(Resolve-VirtioFsError -List).Count | Should -BeGreaterOrEqual 20
    }
}
