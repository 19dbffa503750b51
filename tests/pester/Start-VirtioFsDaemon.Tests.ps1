# SPDX-License-Identifier: MIT
BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
    $script:Fake = Join-Path $PSScriptRoot '..' 'fixtures' 'fake-rust-virtiofsd' | Resolve-Path | ForEach-Object Path
}
AfterAll { Clear-DaemonTest $script:Root }

Describe 'Start-VirtioFsDaemon with the real C virtiofsd' {
    It 'starts detached, listens, records 0600 state and logs' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'data')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Sandbox Chroot -Cache Auto
        try {
            $d.PSObject.TypeNames[0] | Should -Be 'VirtioFs.VirtioFsDaemon'
            $d.State | Should -Be 'Running'
            $d.Dialect | Should -Be 'C'
            $d.ManagedBy | Should -Be 'VirtioFs'
            $d.Name | Should -Be 'data'
            $d.SocketPath | Should -Be (Join-Path $env:VIRTIOFS_RUNTIME_DIR 'data.sock')
            Test-UnixListening $d.SocketPath | Should -BeTrue
            [int](Get-Item -LiteralPath $d.StatePath).UnixFileMode | Should -Be 384   # 0600
            [int](Get-Item -LiteralPath $env:VIRTIOFS_RUNTIME_DIR).UnixFileMode | Should -Be 457   # 0711: QEMU must reach the sockets
            (Get-Content -LiteralPath $d.StatePath -Raw | ConvertFrom-Json).Dialect | Should -Be 'C'
            (Get-Content -LiteralPath $d.LogPath -Raw) | Should -Match 'Waiting for vhost-user socket connection'
            # Its own session and process group: Ctrl+C and the end of this session do not reach it.
            $stat = (Get-Content "/proc/$($d.ProcessId)/stat" -Raw)
            $f = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
            [int]$f[3] | Should -Be $d.ProcessId   # session id
            [int]$f[2] | Should -Be $d.ProcessId   # process group
            $d.Arguments | Should -Contain "source=$($dir.FullName)"
        }
        finally { $d | Stop-VirtioFsDaemon }
    }

    It 'gives the socket to the group libvirt runs QEMU as' {
        if (-not (Test-Path /etc/libvirt/qemu.conf)) { throw 'libvirt is not installed: apt-get install libvirt-daemon-system' }
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'grp')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name grp
        try {
            (& stat -c '%G %a' $d.SocketPath) | Should -Be 'kvm 770'
            $d.Arguments | Should -Contain '--socket-group=kvm'
        }
        finally { $d | Stop-VirtioFsDaemon }
    }

    It 'lets QEMU''s user (libvirt-qemu) connect to the generated socket' {
        if (-not (Get-Command runuser -ErrorAction SilentlyContinue)) { throw 'runuser is missing: apt-get install util-linux' }
        & id libvirt-qemu *> $null
        if ($LASTEXITCODE -ne 0) { throw 'The libvirt-qemu user is missing: apt-get install libvirt-daemon-system' }
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'qemuuser')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName
        try {
            # Connecting is what QEMU does; the C daemon then serves this one connection and exits on close.
            $py = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print('connected')"
            $out = & runuser -u libvirt-qemu -- /usr/bin/python3 -c $py $d.SocketPath 2>&1
            ($out -join "`n") | Should -Be 'connected'
        }
        finally { $d | Stop-VirtioFsDaemon }
        Get-ZombieDaemon | Should -BeNullOrEmpty
    }

    It 'shares a directory named with a comma and a space' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'a,b c')
        $sock = Join-Path $Root 'comma.sock'
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -SocketPath $sock -SocketGroup ''
        try {
            $d.SharedDirectory | Should -Be $dir.FullName
            $d.Arguments | Should -Contain ('source=' + $dir.FullName.Replace(',', '\,'))
            Test-UnixListening $sock | Should -BeTrue
            (Get-VirtioFsDaemon -Name $d.Name).SharedDirectory | Should -Be $dir.FullName
            (& stat -c '%a' $sock) | Should -Be '700'
        }
        finally { $d | Stop-VirtioFsDaemon }
    }

    It 'refuses a missing directory with DaemonSharedDirectoryNotFound and starts nothing' {
        { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DaemonSharedDirectoryNotFound,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        Get-TestProcess $Root | Should -BeNullOrEmpty
    }

    It 'refuses a missing socket directory with DaemonSocketDirectoryNotFound' {
        $err = { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -SocketPath (Join-Path $Root 'no/such/dir/x.sock') -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'DaemonSocketDirectoryNotFound,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'does not exist'
        Get-TestProcess $Root | Should -BeNullOrEmpty
    }

    It 'refuses an option the C binary lacks before starting' {
        $err = { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -InodeFileHandles Prefer -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'DaemonOptionUnsupported,*'
        $err.Exception.Message | Should -Match 'Rust'
        { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Cache Metadata -ErrorAction Stop } | Should -Throw -ErrorId 'DaemonOptionUnsupported,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -ReadOnly -ErrorAction Stop } | Should -Throw -ErrorId 'DaemonOptionUnsupported,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath $env:VIRTIOFS_RUNTIME_DIR -Filter *.json -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'fails with the log tail when the daemon exits at once, leaving nothing behind' {
        # An option the binary's --help does not know, passed through the escape hatch, makes virtiofsd exit.
        $err = { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name bad -ExtraArgument '-o', 'no_such_option' -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'DaemonExited,*'
        $err.Exception.Message | Should -Match 'no_such_option'
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Test-Path (Join-Path $env:VIRTIOFS_RUNTIME_DIR 'bad.json') | Should -BeFalse
    }

    It 'refuses a socket someone already listens on' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'busy')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName
        try {
            { Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name other -SocketPath $d.SocketPath -ErrorAction Stop } |
                Should -Throw -ErrorId 'DaemonSocketInUse,VirtioFs.Commands.StartVirtioFsDaemonCommand'
            { Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name $d.Name -ErrorAction Stop } |
                Should -Throw -ErrorId 'DaemonNameInUse,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        }
        finally { $d | Stop-VirtioFsDaemon }
    }

    It 'does nothing under -WhatIf' {
        Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name whatif -WhatIf | Should -BeNullOrEmpty
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Test-Path (Join-Path $env:VIRTIOFS_RUNTIME_DIR 'whatif.json') | Should -BeFalse
    }
}

Describe 'Start-VirtioFsDaemon with the Rust dialect (fake 1.13 daemon)' {
    It 'detects the Rust dialect and passes separate flags' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'rust dir')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -BinaryPath $Fake -Cache Never -ReadOnly -InodeFileHandles Prefer -SocketGroup ''
        try {
            $d.Dialect | Should -Be 'Rust'
            $d.Version | Should -Be '1.13.0'
            $d.Arguments | Should -Contain "--shared-dir=$($dir.FullName)"
            $d.Arguments | Should -Contain '--cache=never'
            $d.Arguments | Should -Contain '--readonly'
            Test-UnixListening $d.SocketPath | Should -BeTrue
        }
        finally { $d | Stop-VirtioFsDaemon }
        Test-Path ($d.SocketPath + '.pid') | Should -BeFalse
        Test-Path $d.SocketPath | Should -BeFalse
    }
}

Describe 'Start-VirtioFsDaemon waiting, timeout, Ctrl+C and session end' {
    AfterEach { Remove-Item Env:FAKE_VIRTIOFSD_HANG -ErrorAction SilentlyContinue }

    It 'times out with DaemonSocketTimeout and kills the daemon' {
        $env:FAKE_VIRTIOFSD_HANG = '1'
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $err = { Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name hang -BinaryPath $Fake -SocketGroup '' -TimeoutSec 1 -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'DaemonSocketTimeout,*'
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 8
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
        Test-Path (Join-Path $env:VIRTIOFS_RUNTIME_DIR 'hang.json') | Should -BeFalse
    }

    It 'stops waiting on Ctrl+C (pipeline stop) and kills the daemon' {
        $env:FAKE_VIRTIOFSD_HANG = '1'
        $ps = [powershell]::Create()
        $null = $ps.AddCommand('Import-Module').AddParameter('Name', (Join-Path $env:VIRTIOFS_MODULE_PATH 'VirtioFs.psd1')).AddStatement()
        $null = $ps.AddCommand('Start-VirtioFsDaemon').AddParameter('SharedDirectory', (Join-Path $Root 'shared')).AddParameter('Name', 'cancel').
            AddParameter('BinaryPath', $Fake).AddParameter('SocketGroup', '').AddParameter('TimeoutSec', 120)
        $async = $ps.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Get-TestProcess $Root | Where-Object { (Get-Content "/proc/$_/cmdline" -Raw) -match 'cancel\.sock' }) -and [DateTime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 50
        }
        Get-TestProcess $Root | Should -Not -BeNullOrEmpty -Because 'the daemon must have been spawned before we cancel'
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        # Stop() returns once the pipeline state is Stopped; the async result is completed just after
        # that on the pipeline thread, so wait for it (bounded) rather than racing it.
        $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(5)) | Should -BeTrue -Because 'the pipeline must end after Ctrl+C'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $ps.Dispose()
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Test-Path (Join-Path $env:VIRTIOFS_RUNTIME_DIR 'cancel.json') | Should -BeFalse
    }

    It 'leaves the daemon running after the PowerShell session that started it ends' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'outlive')
        $env:VFS_T = $dir.FullName
        $childPid = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:VIRTIOFS_MODULE_PATH/VirtioFs.psd1'; (Start-VirtioFsDaemon -SharedDirectory `$env:VFS_T -Name outlive).ProcessId"
        $LASTEXITCODE | Should -Be 0
        $d = Get-VirtioFsDaemon -Name outlive
        $d.ProcessId | Should -Be ([int]($childPid | Select-Object -Last 1))
        $d.State | Should -Be 'Running'
        Test-UnixListening $d.SocketPath | Should -BeTrue
        # Reparented away from the ended session, and still in its own session.
        $stat = Get-Content "/proc/$($d.ProcessId)/stat" -Raw
        $f = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
        [int]$f[3] | Should -Be $d.ProcessId
        $d | Stop-VirtioFsDaemon
        Get-TestProcess $Root | Should -BeNullOrEmpty
    }
}
