# SPDX-License-Identifier: MIT
# Get-VirtioFsGuestMount: text for the guest. The fstab line is proven in a real guest by
# E2E.Guest.Tests.ps1 (case 7); here: escaping, the unit as systemd itself reads it, and refusals.

BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Get-VirtioFsGuestMount' {
    It 'gives the mount command, a boot-safe fstab line and the unit for /mnt/<tag> by default' {
        $m = Get-VirtioFsGuestMount -Tag data
        $m | Should -BeOfType ([VirtioFs.VirtioFsGuestMount])
        $m.MountPoint | Should -Be '/mnt/data'
        $m.MountCommand | Should -Be 'mount -t virtiofs data /mnt/data'
        $m.FstabLine | Should -Be 'data /mnt/data virtiofs defaults,nofail 0 0'
        $m.SystemdUnitName | Should -Be 'mnt-data.mount'
        $m.SystemdUnit | Should -Match '(?m)^What=data$'
        $m.SystemdUnit | Should -Match '(?m)^Type=virtiofs$'
        $m.SystemdUnit | Should -Match '(?m)^DefaultDependencies=no$'
        $m.SystemdUnit | Should -Match '(?m)^WantedBy=remote-fs.target$'
    }

    It 'read-only and extra options go everywhere; x-systemd options never reach the fstab line' {
        $m = Get-VirtioFsGuestMount -Tag data -MountPoint /srv/data/ -ReadOnly -Options 'noatime,ro'
        $m.MountPoint | Should -Be '/srv/data'
        $m.MountCommand | Should -Be 'mount -t virtiofs -o ro,noatime data /srv/data'
        $m.FstabLine | Should -Be 'data /srv/data virtiofs defaults,ro,noatime,nofail 0 0'
        $m.SystemdUnit | Should -Match '(?m)^Options=ro,noatime$'
        $m.FstabLine | Should -Not -Match 'x-systemd'
    }

    It 'takes Tag and ReadOnly from a share on the pipeline' {
        $shares = [pscustomobject]@{ Tag = 'a'; ReadOnly = $true }, [pscustomobject]@{ Tag = 'b'; ReadOnly = $false }
        $m = $shares | Get-VirtioFsGuestMount
        $m.FstabLine | Should -Be @('a /mnt/a virtiofs defaults,ro,nofail 0 0', 'b /mnt/b virtiofs defaults,nofail 0 0')
    }

    It 'names the unit like systemd-escape --path for <MountPoint>' -ForEach @(
        @{ MountPoint = '/mnt/my-data' }, @{ MountPoint = '/srv//a b/ü' }, @{ MountPoint = '/mnt/.hidden/x:y_z.1' }) {
        Assert-VirtioFsRequirement -Command systemd-escape -Package systemd
        $expected = (& systemd-escape --path $MountPoint) + '.mount'
        (Get-VirtioFsGuestMount -Tag t -MountPoint $MountPoint).SystemdUnitName | Should -Be $expected
    }

    It 'escapes blanks in the fstab line and quotes the mount command' {
        $m = Get-VirtioFsGuestMount -Tag t -MountPoint '/mnt/my share'
        $m.FstabLine | Should -Be 't /mnt/my\040share virtiofs defaults,nofail 0 0'
        $m.MountCommand | Should -Be "mount -t virtiofs t '/mnt/my share'"
    }

    It 'systemd-analyze verify accepts the unit (and rejects it under a wrong name)' {
        Assert-VirtioFsRequirement -Command systemd-analyze -Package systemd
        $dir = Join-Path ([IO.Path]::GetTempPath()) "vfs-unit-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        New-Item -ItemType Directory -Path $dir | Out-Null
        try {
            $m = Get-VirtioFsGuestMount -Tag my-data -MountPoint /mnt/my-data -Options noatime
            $m.SystemdUnitName | Should -Be 'mnt-my\x2ddata.mount'
            $good = "$dir/$($m.SystemdUnitName)"   # Join-Path would turn the \ of \x2d into a /
            [IO.File]::WriteAllText($good, $m.SystemdUnit)
            $out = & systemd-analyze verify --man=no $good 2>&1
            $LASTEXITCODE | Should -Be 0 -Because "$out"
            $bad = Join-Path $dir 'mnt-my-data.mount'
            [IO.File]::WriteAllText($bad, $m.SystemdUnit)
            & systemd-analyze verify --man=no $bad *> $null
            $LASTEXITCODE | Should -Not -Be 0
        }
        finally { Remove-Item -LiteralPath $dir -Recurse -Force }
    }

    It 'gives Windows steps: driver, WinFsp, the service with its drive letter, the launcher for more shares' {
        $steps = (Get-VirtioFsGuestMount -Tag docs -DriveLetter y).WindowsSteps
        $steps -join "`n" | Should -Match 'viofs'
        $steps -join "`n" | Should -Match 'WinFsp'
        $steps -join "`n" | Should -Match 'VirtioFsSvc'
        $steps -join "`n" | Should -Match 'MountPoint /t REG_SZ /d Y:'
        $steps -join "`n" | Should -Match 'launchctl-x64.exe" start virtiofs viofs-docs docs Y:'
        $steps -join "`n" | Should -Match 'fsreg.bat'
    }

    It 'refuses <Case> with <Id>' -ForEach @(
        @{ Case = 'a 37-byte tag'; Id = 'TagTooLong'; Params = @{ Tag = 'x' * 37 } }
        @{ Case = 'a tag with a blank'; Id = 'TagHasWhitespace'; Params = @{ Tag = 'a b' } }
        @{ Case = 'a relative mount point'; Id = 'InvalidMountPoint'; Params = @{ Tag = 't'; MountPoint = 'mnt/x' } }
        @{ Case = 'the root directory'; Id = 'InvalidMountPoint'; Params = @{ Tag = 't'; MountPoint = '//' } }
        @{ Case = 'rw with -ReadOnly'; Id = 'ConflictingMountOptions'; Params = @{ Tag = 't'; ReadOnly = $true; Options = 'rw' } }
        @{ Case = 'an option with a blank'; Id = 'InvalidMountOption'; Params = @{ Tag = 't'; Options = 'no atime' } }
        @{ Case = 'a drive "letter" 1'; Id = 'InvalidDriveLetter'; Params = @{ Tag = 't'; DriveLetter = '1' } }
    ) {
        { Get-VirtioFsGuestMount @Params -ErrorAction Stop } | Should -Throw -ErrorId "$Id,*"
    }
}
