# SPDX-License-Identifier: MIT
BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
}
AfterAll { Clear-DaemonTest $script:Root }

Describe 'Restart-VirtioFsDaemon' {
    It 'restarts a running daemon with the same arguments, socket and name' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'r,1 x')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name r1 -Cache Always -Xattr -ThreadPoolSize 2
        $n = Restart-VirtioFsDaemon -Name r1
        try {
            $n.ProcessId | Should -Not -Be $d.ProcessId
            $n.Name | Should -Be 'r1'
            $n.SocketPath | Should -Be $d.SocketPath
            ($n.Arguments -join "`n") | Should -Be ($d.Arguments -join "`n")
            Test-Path "/proc/$($d.ProcessId)" | Should -BeFalse
            Test-UnixListening $n.SocketPath | Should -BeTrue
            # The live process really runs with those arguments.
            $argv = ([IO.File]::ReadAllText("/proc/$($n.ProcessId)/cmdline").TrimEnd("`0")).Split("`0")
            ($argv[1..($argv.Count - 1)] -join "`n") | Should -Be ($d.Arguments -join "`n")
        }
        finally { Stop-VirtioFsDaemon -Name r1 }
    }

    It 'brings back a daemon that exited after its guest disconnected' {
        $d = Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name r2
        $s = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::Unix, [Net.Sockets.SocketType]::Stream, [Net.Sockets.ProtocolType]::Unspecified)
        $s.Connect([Net.Sockets.UnixDomainSocketEndPoint]::new($d.SocketPath)); Start-Sleep -Milliseconds 200; $s.Dispose()
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Get-VirtioFsDaemon -Name r2).State -ne 'Exited' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        # Otherwise this would only restart a running daemon, which the first test already covers.
        (Get-VirtioFsDaemon -Name r2).State | Should -Be 'Exited' -Because 'the C daemon exits when its one connection closes'
        $n = Get-VirtioFsDaemon -Name r2 | Restart-VirtioFsDaemon
        try {
            $n.Name | Should -Be 'r2'
            $n.ProcessId | Should -Not -Be $d.ProcessId
            $n.SocketPath | Should -Be $d.SocketPath
            $n.State | Should -Be 'Running'
            Test-UnixListening $n.SocketPath | Should -BeTrue
        }
        finally { $n | Stop-VirtioFsDaemon }
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
    }
}
