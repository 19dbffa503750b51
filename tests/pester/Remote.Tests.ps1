# SPDX-License-Identifier: MIT
# Every libvirt-facing cmdlet through libvirt's remote protocol over a real sshd (qemu+ssh), several hosts at
# once, the transport failures each with its own id, and the source directory of a share looked at on the far
# side. The loopback sshd of tests/tools/start-sshd.sh listens on 127.0.0.2, .3 and .4, each standing for a
# host; all three reach the libvirtd of this machine, which is how a test can check what really changed.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module ([IO.Path]::Combine($env:VIRTIOFS_MODULE_PATH, 'VirtioFs.psd1')) -Force
    $script:Local = 'qemu:///system'
    foreach ($cmd in 'virsh', 'ssh', 'ssh-keygen', 'unshare') {
        if (-not (Get-Command $cmd -ErrorAction Ignore)) { throw "$cmd is missing: apt-get install libvirt-clients openssh-client util-linux" }
    }
    & virsh -c $Local version *> $null
    if ($LASTEXITCODE -ne 0) { throw "libvirtd does not answer on ${Local}: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)" }
    $script:Ssh = Get-VirtioFsTestSsh
    $script:Hosts = @($Ssh.Uri.Values)          # three URIs, one per loopback "host"
    $script:A, $script:B, $script:C = $Hosts

    $script:Run = 'vfs-remote-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    $script:Source = Join-Path $Work 'share'
    New-Item -ItemType Directory -Path $Source -Force | Out-Null
    $script:Defined = [System.Collections.Generic.List[string]]::new()

    function script:New-TestDomain([string] $Name, [string] $Fixture = 'pc-minimal.xml') {
        New-VirtioFsTestDomain -Uri $Local -Name "$Run-$Name" -Fixture $Fixture -Work $Work -Defined $Defined
    }
    function script:Get-InactiveXml([string] $Name) { Get-VirtioFsTestDomainXml -Uri $Local -Name $Name }

    # ssh wrappers for libvirt's command=, each breaking one thing the way a real fleet breaks.
    $script:Wrappers = Join-Path $Work 'ssh'
    New-Item -ItemType Directory -Path $Wrappers -Force | Out-Null
    $config = Get-Content -LiteralPath (Join-Path $Ssh.Dir 'ssh_config')
    function script:New-SshWrapper([string] $Name, [string[]] $Config, [string] $Body) {
        $cfg = Join-Path $Wrappers "$Name.config"
        Set-Content -LiteralPath $cfg -Value $Config
        $sh = Join-Path $Wrappers $Name
        Set-Content -LiteralPath $sh -Value ("#!/bin/bash`n" + $Body.Replace('@CONFIG@', $cfg))
        & chmod 755 $sh
        $sh
    }
    # A key the server does not know, offered alone: the config's own key would still log in.
    $script:StrangerKey = Join-Path $Wrappers 'stranger'
    & ssh-keygen -q -t ed25519 -N '' -f $StrangerKey | Out-Null
    $noId = New-SshWrapper 'noid' ($config | Where-Object { $_ -notmatch 'IdentityFile|IdentitiesOnly' }) 'exec /usr/bin/ssh -F @CONFIG@ "$@"'
    # An empty known_hosts: the server's host key is unknown, and strict checking refuses it.
    $emptyKnown = Join-Path $Wrappers 'known_hosts.empty'
    Set-Content -LiteralPath $emptyKnown -Value ''
    $otherKnown = New-SshWrapper 'unknownhost' ($config -replace 'UserKnownHostsFile .*', "UserKnownHostsFile $emptyKnown") 'exec /usr/bin/ssh -F @CONFIG@ "$@"'
    # The far side without a running libvirtd: its session sees an empty /run/libvirt (a private mount
    # namespace), as on a host whose libvirtd is stopped; the real one here is untouched.
    $noLibvirt = New-SshWrapper 'nolibvirt' $config @'
args=("$@"); last=${args[-1]}; unset 'args[-1]'
printf -v q '%q' "$last"
exec /usr/bin/ssh -F @CONFIG@ "${args[@]}" "unshare -m -- sh -c 'mount -t tmpfs -o size=1m none /run/libvirt && exec sh -c \"\$1\"' sh $q"
'@
    $port = $Ssh.Port
    $key = $Ssh.KeyFile
    $script:Broken = [ordered]@{
        HostUnreachable   = "qemu+ssh://root@127.0.0.2:1/system?keyfile=$key&no_tty=1"
        SshAuthFailed     = "qemu+ssh://root@127.0.0.2:$port/system?command=$noId&keyfile=$StrangerKey&no_tty=1"
        SshHostKeyUnknown = "qemu+ssh://root@127.0.0.2:$port/system?command=$otherKnown&keyfile=$key&no_tty=1"
        LibvirtNotRunning = "qemu+ssh://root@127.0.0.2:$port/system?command=$noLibvirt&keyfile=$key&no_tty=1"
    }
    $script:LibSsh = "qemu+libssh://root@127.0.0.3:$port/system?keyfile=$key&known_hosts=$($Ssh.KnownHosts)&sshauth=privkey"

    $script:Dom = New-TestDomain 'main'
    $script:Spare = New-TestDomain 'spare'
}

AfterAll {
    Remove-VirtioFsTestDomain -Uri $Local -Defined $Defined
    if ($Work) { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore }
}

Describe 'Each libvirt-facing cmdlet through qemu+ssh' {
    It 'New-VirtioFsShare adds a share on the far side, and it carries the URI' {
        $s = New-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag data -Source $Source -QueueSize 1024
        $s.ConnectionUri | Should -Be $A
        $s.Tag | Should -Be 'data'
        Get-InactiveXml $Dom | Should -Match "<target dir='data'/>"
        Get-InactiveXml $Dom | Should -Match "<access mode='shared'/>" -Because 'libvirt refuses virtio-fs without shared memory'
    }

    It 'Get-VirtioFsShare reads it through another address of the fleet' {
        $s = Get-VirtioFsShare -Domain $Dom -ConnectionUri $B -Tag data
        $s.ConnectionUri | Should -Be $B
        $s.QueueSize | Should -Be 1024
        $s.Source | Should -Be $Source
    }

    It 'Set-VirtioFsShare changes it, by name and from the pipeline' {
        Set-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag data -Cache Always
        (Get-InactiveXml $Dom) | Should -Match "<cache mode='always'/>"
        Get-VirtioFsShare -Domain $Dom -ConnectionUri $C -Tag data | Set-VirtioFsShare -Cache None -PassThru |
            ForEach-Object { $_.Cache | Should -Be 'None'; $_.ConnectionUri | Should -Be $C }
    }

    It 'Get-VirtioFsSharedMemory and Enable-VirtioFsSharedMemory work through the URI' {
        $m = Get-VirtioFsSharedMemory -Domain $Spare -ConnectionUri $A
        $m.ConnectionUri | Should -Be $A
        $m.VirtioFsReady | Should -BeFalse
        $e = Enable-VirtioFsSharedMemory -Domain $Spare -ConnectionUri $B -PassThru
        $e.VirtioFsReady | Should -BeTrue
        $e.ConnectionUri | Should -Be $B
        Get-InactiveXml $Spare | Should -Match "<source type='memfd'/>"
    }

    It 'Get-VirtioFsHugePage reads the pools through libvirt, and a domain''s needs' {
        $pools = @(Get-VirtioFsHugePage -ConnectionUri $A)
        $pools.Count | Should -BeGreaterThan 0
        $pools.ConnectionUri | Sort-Object -Unique | Should -Be $A
        $pools | Where-Object PageSizeKiB -eq 2048 | Should -Not -BeNullOrEmpty
    }

    It 'Set-VirtioFsHugePage resizes a pool through libvirt, read back there' {
        $before = [long](Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages)
        try {
            $p = Set-VirtioFsHugePage -ConnectionUri $A -PageSize 2M -Add 2
            $p.ConnectionUri | Should -Be $A
            $p.Total | Should -Be ($before + 2)
            [long](Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages) | Should -Be ($before + 2)
        }
        finally { Set-Content /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages $before }
    }

    It 'Set-VirtioFsHugePage -Persist refuses a URI and changes nothing' {
        $before = Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
        { Set-VirtioFsHugePage -ConnectionUri $A -PageSize 2M -Add 1 -Persist } | Should -Throw -ErrorId 'PersistNotRemote*'
        Get-Content /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages | Should -Be $before
    }

    It 'Test-VirtioFsDomain checks the domain through the URI' {
        $r = @(Test-VirtioFsDomain -Domain $Dom -ConnectionUri $A)
        $r.Count | Should -BeGreaterThan 0
        $r.ConnectionUri | Sort-Object -Unique | Should -Be $A
        $r | Where-Object Status -eq 'Fail' | Should -BeNullOrEmpty
    }

    It 'Test-VirtioFsHost asks the far side''s libvirt' {
        $r = @(Test-VirtioFsHost -ConnectionUri $A)
        $daemon = $r | Where-Object Name -eq 'LibvirtDaemon'
        $daemon.Status | Should -Be 'Pass'
        $daemon.ConnectionUri | Should -Be $A
    }

    It 'Remove-VirtioFsShare removes it, by name and from the pipeline' {
        New-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag second -Source $Source | Out-Null
        Remove-VirtioFsShare -Domain $Dom -ConnectionUri $B -Tag second
        Get-InactiveXml $Dom | Should -Not -Match "<target dir='second'/>"
        Get-VirtioFsShare -Domain $Dom -ConnectionUri $C -Tag data | Remove-VirtioFsShare
        Get-InactiveXml $Dom | Should -Not -Match "<target dir='data'/>"
    }
}

Describe 'The source directory of a share on another host' {
    It 'a directory missing on the far side is SourceNotFound naming that host, and nothing changes' {
        $before = Get-InactiveXml $Dom
        $missing = Join-Path $Work 'not-there'
        { New-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag ghost -Source $missing -ErrorAction Stop } |
            Should -Throw -ErrorId 'SourceNotFound*' -ExpectedMessage '*on 127.0.0.2*'
        Get-InactiveXml $Dom | Should -Be $before
    }

    It 'a file is SourceNotDirectory' {
        $file = Join-Path $Work 'a-file'
        Set-Content -LiteralPath $file -Value x
        { New-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag file -Source $file -ErrorAction Stop } | Should -Throw -ErrorId 'SourceNotDirectory*'
    }

    It 'a symlink on the far side to a system directory is refused as what it resolves to there' {
        $link = Join-Path $Work 'looks-harmless'
        New-Item -ItemType SymbolicLink -Path $link -Target /etc | Out-Null
        { New-VirtioFsShare -Domain $Dom -ConnectionUri $B -Tag etc -Source $link -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnsafeSharedDirectory*' -ExpectedMessage '*that is /etc*'
    }

    It 'a transport that gives no shell (libssh) is not checked, and a warning says why' {
        $w = $null
        $s = New-VirtioFsShare -Domain $Dom -ConnectionUri $LibSsh -Tag viaLibssh -Source (Join-Path $Work 'unchecked') -WarningVariable w -WarningAction SilentlyContinue
        $s.Tag | Should -Be 'viaLibssh'
        ($w -join "`n") | Should -Match 'was not checked: 127\.0\.0\.3 is reached through libvirt''s built-in libssh client'
        Remove-VirtioFsShare -Domain $Dom -ConnectionUri $LibSsh -Tag viaLibssh
    }

    It '-SkipSourceCheck looks nowhere and warns of nothing' {
        $w = $null
        $s = New-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag skipped -Source (Join-Path $Work 'elsewhere') -SkipSourceCheck -WarningVariable w -WarningAction SilentlyContinue
        $s.Tag | Should -Be 'skipped'
        $w | Should -BeNullOrEmpty
        Remove-VirtioFsShare -Domain $Dom -ConnectionUri $A -Tag skipped
    }
}

Describe 'Transport failures: own ids, the URI as target, nothing changed' {
    It '<Id> fails with its own id and category <Category>' -ForEach @(
        @{ Id = 'HostUnreachable'; Category = 'ConnectionError' }
        @{ Id = 'SshAuthFailed'; Category = 'PermissionDenied' }
        @{ Id = 'SshHostKeyUnknown'; Category = 'SecurityError' }
        @{ Id = 'LibvirtNotRunning'; Category = 'ConnectionError' }
    ) {
        $uri = $Broken[$Id]
        $before = Get-InactiveXml $Dom
        $err = $null
        $out = New-VirtioFsShare -Domain $Dom -ConnectionUri $uri -Tag broken -Source $Source -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err[0].TargetObject | Should -Be $uri
        $err[0].CategoryInfo.Category | Should -Be $Category
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-InactiveXml $Dom | Should -Be $before
    }

    It 'the readers report the same id: <_>' -ForEach @('HostUnreachable', 'SshHostKeyUnknown') {
        $err = $null
        Get-VirtioFsShare -ConnectionUri $Broken[$_] -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike "$_,*"
    }

    It 'Resolve-VirtioFsError explains a piped transport error by its id and recommended action' {
        $err = $null
        Get-VirtioFsShare -ConnectionUri $Broken.HostUnreachable -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $r = @($err[0] | Resolve-VirtioFsError)
        $r[0].Id | Should -Be 'HostUnreachable'
        $r[0].Known | Should -BeTrue
        $r[0].Fix | Should -Be $err[0].ErrorDetails.RecommendedAction
        @(Resolve-VirtioFsError 'Cannot recv data: Host key verification failed.').Count | Should -BeGreaterThan 0 -Because 'a string still selects the message set'
    }

    It 'nothing prompts: a qemu+ssh URI without no_tty fails at once instead of asking' {
        $uri = $Broken.SshHostKeyUnknown -replace '&no_tty=1', ''
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $err = $null
        Get-VirtioFsShare -ConnectionUri $uri -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SshHostKeyUnknown,*'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'a prompt would wait for ever; this bounds the wait, it does not time the command'
    }
}

Describe 'Fan-out over several hosts' {
    BeforeAll {
        $script:Fleet = @(foreach ($h in 'a', 'b', 'c') { New-TestDomain "fleet-$h" })
        foreach ($d in $Fleet) { New-VirtioFsShare -Domain $d -ConnectionUri $Local -Tag data -Source $Source | Out-Null }
    }

    It 'Get-VirtioFsShare over three hosts returns one stream, each object with its host' {
        $all = @(Get-VirtioFsShare -Domain "$Run-fleet-*" -ConnectionUri $Hosts)
        $all.Count | Should -Be 9 -Because 'three domains seen through three URIs'
        ($all.ConnectionUri | Sort-Object -Unique) | Should -Be ($Hosts | Sort-Object)
        foreach ($h in $Hosts) { @($all | Where-Object ConnectionUri -eq $h).Count | Should -Be 3 }
    }

    It 'takes the hosts from the pipeline by property name' {
        $all = @($Hosts | ForEach-Object { [pscustomobject]@{ ConnectionUri = $_; Domain = $Fleet[0] } } | Get-VirtioFsShare)
        $all.Count | Should -Be 3
        ($all.ConnectionUri | Sort-Object) | Should -Be ($Hosts | Sort-Object)
    }

    It 'a failing host is an error with its URI as target, and the others go on' {
        $err = $null
        $all = @(Get-VirtioFsShare -Domain $Fleet[0] -ConnectionUri $A, $Broken.HostUnreachable, $C -ErrorVariable err -ErrorAction SilentlyContinue)
        $all.Count | Should -Be 2
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be $Broken.HostUnreachable
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HostUnreachable,*'
    }

    It 'an editor changes each host and reports each failure against its host' {
        # All three URIs reach one libvirtd here, so the same domain is asked three times: one adds the
        # share, and the two others find it there already (TagExists), each error naming its own URI.
        $err = $null
        $out = @(New-VirtioFsShare -Domain $Fleet[1] -ConnectionUri $Hosts -Tag fanned -Source $Source -ErrorVariable err -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $err.Count | Should -Be 2
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'TagExists,*' }
        (@($out.ConnectionUri) + @($err.TargetObject) | Sort-Object) | Should -Be ($Hosts | Sort-Object)
        ([regex]::Matches((Get-InactiveXml $Fleet[1]), "<target dir='fanned'/>")).Count | Should -Be 1
    }

    It '-ThrottleLimit 1 runs the hosts one after the other, with the same result' {
        $all = @(Get-VirtioFsShare -Domain $Fleet[2] -ConnectionUri $Hosts -ThrottleLimit 1)
        $all.Count | Should -Be 3
    }

    It '-WhatIf shows the diff per host and changes nothing' {
        $before = Get-InactiveXml $Fleet[2]
        $log = Join-Path $TestDrive 'fan-whatif.log'
        $null = Start-Transcript -LiteralPath $log -Force
        try { $out = New-VirtioFsShare -Domain $Fleet[2] -ConnectionUri $A, $B -Tag planned -Source $Source -WhatIf }
        finally { $null = Stop-Transcript }
        $text = Get-Content -LiteralPath $log -Raw
        $out | Should -BeNullOrEmpty
        foreach ($h in $A, $B) {
            $text | Should -Match ([regex]::Escape("What if: Add virtio-fs share 'planned' on domain '$($Fleet[2])' on $h"))
        }
        ([regex]::Matches($text, "\+      <target dir='planned'/>")).Count | Should -Be 2
        Get-InactiveXml $Fleet[2] | Should -Be $before
    }

    It 'Test-VirtioFsHost and Test-VirtioFsDomain check every host' {
        $r = @(Test-VirtioFsHost -ConnectionUri $Hosts | Where-Object Name -eq 'LibvirtDaemon')
        ($r.ConnectionUri | Sort-Object) | Should -Be ($Hosts | Sort-Object)
        $d = @(Test-VirtioFsDomain -Domain $Fleet[0] -ConnectionUri $Hosts -Quiet)
        $d | Should -Be @($true, $true, $true)
    }

    It 'Get-VirtioFsHugePage and Get-VirtioFsSharedMemory fan out too' {
        $pools = @(Get-VirtioFsHugePage -ConnectionUri $Hosts -PageSize 2M -NumaNode -1)
        ($pools.ConnectionUri | Sort-Object) | Should -Be ($Hosts | Sort-Object)
        $mem = @(Get-VirtioFsSharedMemory -Domain $Fleet[0] -ConnectionUri $Hosts)
        $mem.Count | Should -Be 3
        $mem.VirtioFsReady | Should -Be @($true, $true, $true)
    }

    It 'Remove-VirtioFsShare over several hosts removes once and reports the rest' {
        $err = $null
        Remove-VirtioFsShare -Domain $Fleet[1] -ConnectionUri $A, $B -Tag fanned -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ShareNotFound,*'
        Get-InactiveXml $Fleet[1] | Should -Not -Match "<target dir='fanned'/>"
    }
}
