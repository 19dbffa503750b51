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
        $other.Version | Should -Be '7.2.22'
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
        $d | Stop-VirtioFsDaemon
        Get-VirtioFsDaemon -Name $d.Name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
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
