# SPDX-License-Identifier: MIT
# The daemon cmdlets against the REAL Rust virtiofsd (Debian 13's package, the daemon every current
# distribution ships), fetched and set up beside the project by tests/tools/get-rust-virtiofsd.sh
# (Debian 12 has only the legacy C daemon). The golden tests against tests/fixtures/fake-rust-virtiofsd
# pin the argument building; these prove the real binary takes those arguments. A real guest mounts
# through it in E2E.Guest.Tests.ps1.

BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
    $repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $script:RustDir = [IO.Path]::Combine($repo, 'output', 'rust-virtiofsd')
    $log = & bash ([IO.Path]::Combine($repo, 'tests', 'tools', 'get-rust-virtiofsd.sh')) $RustDir 2>&1
    if ($LASTEXITCODE -ne 0) { throw "tests/tools/get-rust-virtiofsd.sh failed (it needs network access to Debian's package mirror, as apt on this host is configured with it, and apt-get install patchelf): $($log -join "`n")" }
    $script:Rust = Join-Path $RustDir 'bin/virtiofsd'
    # What the binary itself says, read independently of the module.
    $script:RustVersion = ((Get-Content -LiteralPath (Join-Path $RustDir 'version') -Raw).Trim() -split ' ')[-1]

    function script:Get-Argv([int] $ProcessId) {
        [IO.File]::ReadAllText("/proc/$ProcessId/cmdline").TrimEnd([char]0).Split([char]0)
    }
}
AfterAll {
    Clear-DaemonTest $script:Root
    Remove-Item Env:XDG_CONFIG_HOME -ErrorAction SilentlyContinue
}

Describe 'The real Rust virtiofsd' {
    It 'is identified as the Rust dialect with its version and capabilities' {
        $b = Get-VirtioFsDaemonBinary -Path $Rust
        $b.Dialect | Should -Be 'Rust'
        "$($b.Version)" | Should -Be $RustVersion
        $b.Features | Should -Contain 'separate-options'
        $b.Features | Should -Contain 'migrate-precopy'
        $b.SupportedOptions | Should -Contain '--inode-file-handles'
        $b.SupportedOptions | Should -Contain '--translate-uid'
    }

    It 'is found through its vhost-user descriptor in the XDG config dir, as libvirt finds it' {
        $xdg = New-Item -ItemType Directory -Path (Join-Path $Root 'xdg/qemu/vhost-user') -Force
        Copy-Item -LiteralPath (Join-Path $RustDir 'vhost-user/50-virtiofsd.json') -Destination $xdg.FullName
        $env:XDG_CONFIG_HOME = Join-Path $Root 'xdg'
        try { $found = @(Get-VirtioFsDaemonBinary) | Where-Object Path -EQ $Rust }
        finally { Remove-Item Env:XDG_CONFIG_HOME }
        $found | Should -Not -BeNullOrEmpty
        $found.Source | Should -Be 'Descriptor'
        $found.DescriptorPath | Should -Be (Join-Path $xdg.FullName '50-virtiofsd.json')
        $found.Dialect | Should -Be 'Rust'
    }

    It 'starts with every option in the Rust syntax, in a directory named with a comma and a space, and stops clean' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'rust, one')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name rustall -BinaryPath $Rust -Cache Metadata -Xattr `
            -Sandbox Namespace -ThreadPoolSize 4 -InodeFileHandles Prefer -AnnounceSubmounts -ReadOnly -AllowDirectIo `
            -XattrMap ':prefix:all::user.virtiofs.::bad:all:::' -TranslateUid 'guest:0:1000:1' -TranslateGid 'guest:0:1000:1' `
            -RlimitNofile 4096 -LogLevel Info
        try {
            $d.State | Should -Be 'Running'
            $d.Dialect | Should -Be 'Rust'
            Test-UnixListening $d.SocketPath | Should -BeTrue
            # What the kernel says the daemon runs with: exactly our argv, the directory as one word.
            Get-Argv $d.ProcessId | Should -Be (@($Rust) + $d.Arguments)
            $d.Arguments | Should -Contain "--shared-dir=$($dir.FullName)"
            $d.Arguments | Should -Contain '--cache=metadata'
            $d.Arguments | Should -Contain '--translate-uid=guest:0:1000:1'
            (Get-Content -LiteralPath $d.LogPath -Raw) | Should -Match 'Waiting for vhost-user socket connection'
            $now = Get-VirtioFsDaemon -Name rustall
            $now.GuestConnected | Should -BeFalse
            $now.OpenFiles | Should -BeGreaterThan 0
        }
        finally { $d | Stop-VirtioFsDaemon }
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Test-Path -LiteralPath $d.SocketPath | Should -BeFalse
        Test-Path -LiteralPath ($d.SocketPath + '.pid') | Should -BeFalse
    }

    It 'refuses -PosixAcl with -TranslateUid before starting anything, as the real daemon would refuse it' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'acl')
        { Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name rustacl -BinaryPath $Rust -Xattr -PosixAcl -TranslateUid 'guest:0:1000:1' -ErrorAction Stop } |
            Should -Throw -ErrorId 'DaemonOptionConflict,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Test-Path -LiteralPath (Join-Path $env:VIRTIOFS_RUNTIME_DIR 'rustacl.json') | Should -BeFalse
        # The daemon's own verdict on the same pair, so the refusal above stays true to the binary.
        $out = & $Rust --shared-dir $dir.FullName --socket-path (Join-Path $Root 'acl.sock') --posix-acl --translate-uid guest:0:1000:1 2>&1
        $LASTEXITCODE | Should -Not -Be 0
        "$out" | Should -Match "'--posix-acl' cannot be used with"
    }

    It 'makes New-VirtioFsShare refuse <lock> for it, leaving the domain file as it was' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'lockshare')
        $file = Join-Path $Root 'lock.xml'
        Copy-Item -LiteralPath (Join-Path $PSScriptRoot '..' 'fixtures' 'domains' 'pc-minimal.xml') -Destination $file
        $before = [IO.File]::ReadAllBytes($file)
        { New-VirtioFsShare -Path $file -Tag t -Source $dir.FullName -BinaryPath $Rust -PosixLock -ErrorAction Stop } |
            Should -Throw -ErrorId 'LockNeedsCVirtiofsd,VirtioFs.Commands.NewVirtioFsShareCommand'
        [IO.File]::ReadAllBytes($file) | Should -Be $before
        # The legacy C daemon takes the same lock options.
        (New-VirtioFsShare -Path $file -Tag t -Source $dir.FullName -BinaryPath /usr/lib/qemu/virtiofsd -PosixLock).PosixLock | Should -BeTrue
    }

    It 'takes each -Cache value the cmdlet offers' -ForEach @(@{ Cache = 'Never' }, @{ Cache = 'Auto' }, @{ Cache = 'Always' }, @{ Cache = 'Metadata' }) {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root "cache-$Cache") -Force
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name "cache$Cache" -BinaryPath $Rust -Cache $Cache
        try { Get-Argv $d.ProcessId | Should -Contain "--cache=$($Cache.ToLowerInvariant())" }
        finally { $d | Stop-VirtioFsDaemon }
    }

    It 'restarts with the same arguments' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'restart')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name rustre -BinaryPath $Rust -Sandbox Chroot -Xattr -PosixAcl
        $r = $d | Restart-VirtioFsDaemon
        try {
            $r.ProcessId | Should -Not -Be $d.ProcessId
            $r.State | Should -Be 'Running'
            Get-Argv $r.ProcessId | Should -Be (@($Rust) + $d.Arguments)
            Test-UnixListening $r.SocketPath | Should -BeTrue
        }
        finally { $r | Stop-VirtioFsDaemon }
        Get-TestProcess $Root | Should -BeNullOrEmpty
    }

    It 'gets a systemd unit that systemd-analyze verify accepts' {
        if (-not (Get-Command systemd-analyze -ErrorAction Ignore)) { throw 'systemd-analyze is missing: apt-get install systemd' }
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'unit')
        $units = New-Item -ItemType Directory -Path (Join-Path $Root 'units')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name rustunit -BinaryPath $Rust -Cache Never
        try {
            $u = $d | Register-VirtioFsDaemon -Path $units.FullName
            $out = & systemd-analyze verify $u.Path 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $u.Content | Should -Match ([regex]::Escape("--cache=never"))
        }
        finally { $d | Stop-VirtioFsDaemon }
    }
}
