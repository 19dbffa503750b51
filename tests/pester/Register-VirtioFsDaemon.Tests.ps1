# SPDX-License-Identifier: MIT
BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
    if (-not (Get-Command systemd-analyze -ErrorAction SilentlyContinue)) { throw 'systemd-analyze is missing: apt-get install systemd' }
    $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'a,b c%')
    $script:D = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Name unit1 -Sandbox Chroot
    $script:Units = New-Item -ItemType Directory -Path (Join-Path $Root 'units')
}
AfterAll { Clear-DaemonTest $script:Root }

Describe 'Register-VirtioFsDaemon' {
    It 'writes a unit with the same argv that systemd-analyze verify accepts' {
        $u = $D | Register-VirtioFsDaemon -Path $Units.FullName -Domain vm1
        $u.UnitName | Should -Be 'virtiofsd-unit1.service'
        $u.Path | Should -Be (Join-Path $Units.FullName 'virtiofsd-unit1.service')
        (Get-Content -LiteralPath $u.Path -Raw) | Should -Be $u.Content
        $u.Content | Should -Match '(?m)^Restart=always$'
        $u.Content | Should -Match '(?m)^Before=.*libvirt-guests\.service'
        $u.Content | Should -Match '(?m)^WantedBy=multi-user\.target$'
        $u.Content | Should -Match 'vm1'
        $out = & systemd-analyze verify $u.Path 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        ($out -join "`n") | Should -Not -Match 'virtiofsd-unit1'
    }

    It 'writes ExecStart so systemd hands the daemon the very same argv' {
        $u = Get-Item -LiteralPath (Join-Path $Units.FullName 'virtiofsd-unit1.service')
        $line = (Get-Content -LiteralPath $u.FullName | Where-Object { $_ -like 'ExecStart=*' })
        # Undo systemd's quoting the way systemd does: words, "..." with \\ and \", %% and $$.
        $words = [regex]::Matches($line.Substring(10), '"((?:\\.|[^"\\])*)"|(\S+)') | ForEach-Object {
            $w = if ($_.Groups[1].Success) { $_.Groups[1].Value -replace '\\(.)', '$1' } else { $_.Groups[2].Value }
            $w.Replace('%%', '%').Replace('$$', '$')
        }
        ($words -join "`n") | Should -Be ((@($D.BinaryPath) + $D.Arguments) -join "`n")
    }

    It 'refuses to overwrite without -Force, and honours -WhatIf' {
        { $D | Register-VirtioFsDaemon -Path $Units.FullName -ErrorAction Stop } |
            Should -Throw -ErrorId 'DaemonUnitExists,VirtioFs.Commands.RegisterVirtioFsDaemonCommand'
        $D | Register-VirtioFsDaemon -Path (Join-Path $Root 'units2') -ErrorAction SilentlyContinue -ErrorVariable e | Out-Null
        $e[0].FullyQualifiedErrorId | Should -BeLike 'DaemonUnitDirectoryNotFound,*'
        Remove-Item -LiteralPath (Join-Path $Units.FullName 'virtiofsd-unit1.service')
        $D | Register-VirtioFsDaemon -Path $Units.FullName -WhatIf | Should -BeNullOrEmpty
        Test-Path (Join-Path $Units.FullName 'virtiofsd-unit1.service') | Should -BeFalse
        (Register-VirtioFsDaemon -Name unit1 -Path $Units.FullName).Written | Should -BeTrue
    }
}
