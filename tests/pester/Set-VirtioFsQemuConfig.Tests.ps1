# SPDX-License-Identifier: MIT
# Set-VirtioFsQemuConfig on copies of the stock Debian 12 qemu.conf; never on the real file.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Fixture = Get-VirtioFsFixturePath 'qemu.conf.debian12'
    function Get-Diff([string] $A, [string] $B) {
        # Line numbers (1-based) that differ; both files must have the same number of lines.
        $x = [IO.File]::ReadAllLines($A); $y = [IO.File]::ReadAllLines($B)
        $x.Count | Should -Be $y.Count
        @(for ($i = 0; $i -lt $x.Count; $i++) { if ($x[$i] -cne $y[$i]) { $i + 1 } })
    }
    function Get-Hash([string] $P) { (Get-FileHash -LiteralPath $P -Algorithm SHA256).Hash }
}

Describe 'Set-VirtioFsQemuConfig' {
    BeforeEach {
        $script:Conf = Join-Path $TestDrive 'qemu.conf'
        Copy-Item -LiteralPath $script:Fixture -Destination $script:Conf -Force
        Remove-Item -LiteralPath "$script:Conf.bak" -ErrorAction Ignore
        [IO.File]::SetUnixFileMode($script:Conf, [IO.UnixFileMode]'UserRead, UserWrite')
        $script:RamDir = Join-Path $TestDrive 'ram'
        Remove-Item -LiteralPath $script:RamDir -Recurse -Force -ErrorAction Ignore
    }

    It 'uncomments the stock memory_backing_dir line in place and changes no other line' {
        $null = New-Item -ItemType Directory -Path $script:RamDir -Force
        Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $script:RamDir -WarningVariable warn -WarningAction SilentlyContinue
        Get-Diff $script:Fixture $script:Conf | Should -Be @(898)
        [IO.File]::ReadAllLines($script:Conf)[897] | Should -BeExactly "memory_backing_dir = `"$script:RamDir`""
        "$warn" | Should -Match 'restart libvirtd'
        Get-Hash "$script:Conf.bak" | Should -Be (Get-Hash $script:Fixture)
        [IO.File]::GetUnixFileMode($script:Conf) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
        [IO.File]::GetUnixFileMode("$script:Conf.bak") | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'is idempotent: the same value again writes nothing and does not warn' {
        $null = New-Item -ItemType Directory -Path $script:RamDir -Force
        Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $script:RamDir -WarningAction SilentlyContinue
        $hash = Get-Hash $script:Conf
        $stamp = (Get-Item $script:Conf).LastWriteTimeUtc
        Start-Sleep -Milliseconds 20
        Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $script:RamDir -WarningVariable warn
        Get-Hash $script:Conf | Should -Be $hash
        (Get-Item $script:Conf).LastWriteTimeUtc | Should -Be $stamp
        $warn | Should -BeNullOrEmpty
    }

    It 'refuses a memory_backing_dir that does not exist, leaving the file byte-identical' {
        { Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $script:RamDir -ErrorAction Stop } |
            Should -Throw -ErrorId 'MemoryBackingDirNotFound,VirtioFs.Commands.SetVirtioFsQemuConfigCommand'
        Get-Hash $script:Conf | Should -Be (Get-Hash $script:Fixture)
        Test-Path "$script:Conf.bak" | Should -BeFalse
        Test-Path $script:RamDir | Should -BeFalse
    }

    It 'creates the directory with -Create' {
        Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $script:RamDir -Create -WarningAction SilentlyContinue
        Test-Path -LiteralPath $script:RamDir -PathType Container | Should -BeTrue
        (Get-VirtioFsQemuConfig -Path $script:Conf -Name memory_backing_dir).Value | Should -Be $script:RamDir
    }

    It 'rejects <Case> with <Id> before touching anything, -Create included' -ForEach @(
        @{ Case = 'a relative path'; Value = 'relative/dir'; Id = 'PathNotAbsolute' }
        @{ Case = 'a path with both quote characters'; Value = "a`"b'c"; InTestDrive = $true; Id = 'QemuConfigValueUnwritable' }
    ) {
        $dir = if ($InTestDrive) { Join-Path $TestDrive $Value } else { $Value }
        $e = { Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $dir -Create -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,VirtioFs.Commands.SetVirtioFsQemuConfigCommand" -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.TargetObject | Should -Be $dir
        Get-Hash $script:Conf | Should -Be (Get-Hash $script:Fixture)
        Test-Path "$script:Conf.bak" | Should -BeFalse
        Test-Path -LiteralPath $dir | Should -BeFalse -Because '-Create must not create a directory it then refuses'
    }

    It 'sets virtiofsd_debug and hugetlbfs_mount on their stock lines; -PassThru returns the settings' {
        $h1 = Join-Path $TestDrive 'h1'; $h2 = Join-Path $TestDrive 'h2'
        $null = New-Item -ItemType Directory -Path $h1, $h2 -Force
        $out = Set-VirtioFsQemuConfig -Path $script:Conf -VirtiofsdDebug $true -HugeTlbFsMount $h1, $h2 -PassThru -WarningAction SilentlyContinue
        Get-Diff $script:Fixture $script:Conf | Should -Be @(646, 886)
        $lines = [IO.File]::ReadAllLines($script:Conf)
        $lines[885] | Should -BeExactly 'virtiofsd_debug = 1'
        $lines[645] | Should -BeExactly "hugetlbfs_mount = [`"$h1`", `"$h2`"]"
        $out.Count | Should -Be 2
        ($out | Where-Object Name -EQ 'virtiofsd_debug').Value | Should -Be 1
        ($out | Where-Object Name -EQ 'hugetlbfs_mount').Value | Should -Be @($h1, $h2)
        # turning it off again edits the same line
        Set-VirtioFsQemuConfig -Path $script:Conf -VirtiofsdDebug 0 -WarningAction SilentlyContinue
        [IO.File]::ReadAllLines($script:Conf)[885] | Should -BeExactly 'virtiofsd_debug = 0'
    }

    It '-WhatIf shows the line diff and changes nothing' {
        $null = New-Item -ItemType Directory -Path $script:RamDir -Force
        # What-if text goes to the host, so a transcript is what captures it.
        $log = Join-Path $TestDrive 'whatif.log'
        $null = Start-Transcript -LiteralPath $log -Force
        try { Set-VirtioFsQemuConfig -Path $script:Conf -MemoryBackingDir $script:RamDir -WhatIf }
        finally { $null = Stop-Transcript }
        $text = Get-Content -LiteralPath $log -Raw
        Get-Hash $script:Conf | Should -Be (Get-Hash $script:Fixture)
        Test-Path "$script:Conf.bak" | Should -BeFalse
        $text | Should -Match '-898: #memory_backing_dir = "/var/lib/libvirt/qemu/ram"'
        $text | Should -Match ([regex]::Escape("+898: memory_backing_dir = `"$script:RamDir`""))
    }

    It 'needs at least one setting' {
        { Set-VirtioFsQemuConfig -Path $script:Conf -ErrorAction Stop } | Should -Throw -ErrorId 'NoSettingGiven,*'
    }
}
