# SPDX-License-Identifier: MIT
BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
    $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'listed')
    $script:Ours = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name listed
    # Someone else's daemon, started like an admin's script would: not through the module.
    $script:OtherSock = Join-Path $Root 'other.sock'
    $psi = [Diagnostics.ProcessStartInfo]::new('/usr/lib/qemu/virtiofsd')
    foreach ($a in "--socket-path=$OtherSock", '-o', "source=$($dir.FullName)", '-o', 'sandbox=chroot') { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardError = $true
    $script:OtherProc = [Diagnostics.Process]::Start($psi)
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (-not (Test-UnixListening $OtherSock) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
}
AfterAll {
    if ($OtherProc -and -not $OtherProc.HasExited) { $OtherProc.Kill(); $OtherProc.WaitForExit() }
    Remove-Item -LiteralPath (Get-CPidFile $OtherSock) -ErrorAction SilentlyContinue
    Clear-DaemonTest $script:Root
}

Describe 'Get-VirtioFsDaemon' {
    It 'lists our daemon and another from the process table' {
        $all = Get-VirtioFsDaemon
        $mine = $all | Where-Object Name -EQ 'listed'
        $mine.ProcessId | Should -Be $Ours.ProcessId
        $mine.ManagedBy | Should -Be 'VirtioFs'
        $mine.State | Should -Be 'Running'
        $other = $all | Where-Object SocketPath -EQ $OtherSock
        $other.ProcessId | Should -Be $OtherProc.Id
        $other.ManagedBy | Should -Be 'Other'
        $other.Dialect | Should -Be 'C'
        "$($other.Version)" | Should -Be "$(Get-CVirtiofsdVersion)"
        $other.SharedDirectory | Should -Be (Join-Path $Root 'listed')
        $other.Name | Should -Be "virtiofsd-$($OtherProc.Id)"
    }

    It 'filters by name, socket and directory with wildcards' {
        (Get-VirtioFsDaemon -Name 'list*').ProcessId | Should -Be $Ours.ProcessId
        (Get-VirtioFsDaemon -SocketPath "$Root/oth*").ProcessId | Should -Be $OtherProc.Id
        @(Get-VirtioFsDaemon -SharedDirectory "$Root/listed").Count | Should -Be 2
        Get-VirtioFsDaemon -SharedDirectory '/nowhere/*' | Should -BeNullOrEmpty
    }

    It 'reports a literal name that matches nothing' {
        { Get-VirtioFsDaemon -Name 'no-such-daemon' -ErrorAction Stop } |
            Should -Throw -ErrorId 'DaemonNotFound,VirtioFs.Commands.GetVirtioFsDaemonCommand'
    }

    It 'shows Exited when the daemon went away by itself (guest disconnect)' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'gone')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName
        # One connection and a close is what a guest shutdown looks like to the C daemon: it exits.
        $s = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::Unix, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Unspecified)
        $s.Connect([Net.Sockets.UnixDomainSocketEndPoint]::new($d.SocketPath)); Start-Sleep -Milliseconds 200; $s.Dispose()
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        do { Start-Sleep -Milliseconds 100; $now = Get-VirtioFsDaemon -Name $d.Name } until ($now.State -eq 'Exited' -or [DateTime]::UtcNow -gt $deadline)
        $now.State | Should -Be 'Exited'
        # The doctor says so, and how to bring the share back.
        $warn = Test-VirtioFsHost | Where-Object { $_.Name -eq 'Daemons' -and $_.Target -eq $d.Name }
        $warn.Status | Should -Be 'Warn'
        $warn.Fix | Should -Match "Restart-VirtioFsDaemon -Name '$($d.Name)'"
        $d | Stop-VirtioFsDaemon
        Get-VirtioFsDaemon -Name $d.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-VirtioFsHost | Where-Object { $_.Name -eq 'Daemons' -and $_.Target -eq $d.Name } | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
    }

    It 'tells whether a guest is connected, and the open files against the limit' {
        if (-not (Get-Command qemu-system-x86_64 -ErrorAction Ignore)) { throw 'QEMU is missing: apt-get install qemu-system-x86' }
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'conn')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name conn -RlimitNofile 4096
        $waiting = Get-VirtioFsDaemon -Name conn
        $waiting.GuestConnected | Should -BeFalse
        $waiting.OpenFiles | Should -BeGreaterThan 0
        # A paused QEMU (-S) connects to the vhost-user socket while it realizes the device; no guest has to boot.
        $psi = [Diagnostics.ProcessStartInfo]::new('qemu-system-x86_64')
        foreach ($a in @('-machine', 'q35,accel=tcg', '-m', '64M', '-display', 'none', '-nodefaults', '-S') +
            ($d | ConvertTo-VirtioFsQemuArgument -Tag conn -MemorySize 64M)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardError = $true
        $qemu = [Diagnostics.Process]::Start($psi)
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(20)
            do { Start-Sleep -Milliseconds 100; $now = Get-VirtioFsDaemon -Name conn } until ($now.GuestConnected -or $qemu.HasExited -or [DateTime]::UtcNow -gt $deadline)
            $now.GuestConnected | Should -BeTrue -Because "QEMU connected (QEMU stderr: $(if ($qemu.HasExited) { $qemu.StandardError.ReadToEnd() }))"
            $now.OpenFilesLimit | Should -Be 4096 -Because 'the C virtiofsd applies --rlimit-nofile once a guest connects'
            $now.OpenFiles | Should -BeGreaterThan 0
            $now.OpenFiles | Should -BeLessThan $now.OpenFilesLimit
        }
        finally { if (-not $qemu.HasExited) { $qemu.Kill(); $qemu.WaitForExit() } }
        $d | Stop-VirtioFsDaemon
        Get-ZombieDaemon | Should -BeNullOrEmpty
    }

    It 'formats with its view' {
        (Get-VirtioFsDaemon -Name listed | Format-Table | Out-String) | Should -Match 'ManagedBy'
    }

    It 'completes -Name' {
        $line = 'Get-VirtioFsDaemon -Name lis'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Contain 'listed'
    }
}

Describe 'Get-VirtioFsDaemon and Stop-VirtioFsDaemon with a daemon libvirt started' {
    BeforeAll {
        & virsh -c qemu:///system version *> $null
        if ($LASTEXITCODE -ne 0) { throw 'libvirtd does not answer on qemu:///system: run tests/tools/start-libvirt.sh (build.ps1 -Task Test does)' }
        $script:Dom = 'vfsd-t4-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $script:LvShare = (New-Item -ItemType Directory -Path (Join-Path $Root 'lv share')).FullName
        # A transient domain with no OS: libvirt starts virtiofsd (--fd) and QEMU connects; nothing needs to boot.
        $xml = @"
<domain type='qemu'>
  <name>$Dom</name>
  <memory unit='MiB'>64</memory>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/>
      <source dir='$LvShare'/>
      <target dir='t4tag'/>
    </filesystem>
  </devices>
</domain>
"@
        $xmlPath = Join-Path $Root 'dom.xml'
        Set-Content -LiteralPath $xmlPath -Value $xml
        $out = & virsh -c qemu:///system create $xmlPath 2>&1
        if ($LASTEXITCODE -ne 0) { throw "virsh create failed: $out" }
    }
    AfterAll {
        & virsh -c qemu:///system destroy $Dom *> $null
    }

    It 'names the domain, the socket behind --fd and libvirt''s log' {
        $d = Get-VirtioFsDaemon -SharedDirectory $LvShare
        @($d).Count | Should -Be 1   # the namespace sandbox's second process is folded in
        $d.ManagedBy | Should -Be 'Libvirt'
        $d.Domain | Should -Be $Dom
        $d.Name | Should -Be "$Dom-fs0"
        $d.FileDescriptor | Should -BeGreaterThan 2
        $d.SocketPath | Should -BeLike "/var/lib/libvirt/qemu/domain-*-$Dom/fs0-fs.sock"
        $d.LogPath | Should -Be "/var/log/libvirt/qemu/$Dom-fs0-virtiofsd.log"
        $d.Dialect | Should -Be 'C'
        $d.GuestConnected | Should -BeTrue -Because 'QEMU connected when libvirt started the domain'
        $d.OpenFiles | Should -BeGreaterThan 0
        $d.OpenFilesLimit | Should -BeGreaterThan $d.OpenFiles
        $live = Test-VirtioFsDomain -Domain $Dom | Where-Object Name -EQ 'LiveDaemon'
        $live.Status | Should -Be 'Pass'
        $live.Message | Should -Match ([regex]::Escape("$Dom-fs0"))
    }

    It 'refuses to stop it without -Force, with a clear message' {
        $err = { Get-VirtioFsDaemon -Name "$Dom-fs0" | Stop-VirtioFsDaemon -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'DaemonManagedByLibvirt,VirtioFs.Commands.StopVirtioFsDaemonCommand'
        $err.Exception.Message | Should -Match ([regex]::Escape("libvirt domain '$Dom'"))
        (Get-VirtioFsDaemon -Name "$Dom-fs0").State | Should -Be 'Running'
        { Restart-VirtioFsDaemon -Name "$Dom-fs0" -ErrorAction Stop } | Should -Throw -ErrorId 'DaemonRestartUnsupported,VirtioFs.Commands.RestartVirtioFsDaemonCommand'
    }

    It 'stops it with -Force and leaves libvirt''s files to libvirt' {
        $d = Get-VirtioFsDaemon -Name "$Dom-fs0"
        $d | Stop-VirtioFsDaemon -Force -Confirm:$false
        # Not our child: it may stay a zombie until init reaps it, but it no longer runs.
        $stat = Get-Content "/proc/$($d.ProcessId)/stat" -Raw -ErrorAction SilentlyContinue
        if ($stat) { $stat.Substring($stat.LastIndexOf(')') + 2, 1) | Should -Be 'Z' }
        Get-VirtioFsDaemon -SharedDirectory $LvShare | Should -BeNullOrEmpty
        Test-Path -LiteralPath $d.SocketPath | Should -BeTrue
        # The guest still runs with a dead share: the doctor says so, and how to recover.
        $dead = Test-VirtioFsDomain -Domain $Dom | Where-Object Name -EQ 'LiveDaemon'
        $dead.Status | Should -Be 'Fail'
        $dead.Fix | Should -Match 'Shut the guest down and start it again'
    }
}
