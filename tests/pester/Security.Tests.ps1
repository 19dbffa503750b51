# SPDX-License-Identifier: MIT
# A share must not open the host: system directories are refused before anything is written (also
# through a symlink), -Force overrides, the doctor fails existing ones and warns where the guest's
# root could plant setuid programs or device nodes, measured against a real nosuid,nodev bind mount.
# Tags the guest cannot mount are refused at creation. Real libvirtd (qemu:///system), real mounts.

BeforeAll {
    . $PSScriptRoot/common.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'These tests define libvirt domains and bind-mount a directory: run them as root.' }
    Assert-VirtioFsRequirement -Command virsh -Package libvirt-clients
    & virsh -c qemu:///system version *> $null
    if ($LASTEXITCODE -ne 0) { throw 'libvirtd does not answer on qemu:///system: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)' }
    $script:Uri = 'qemu:///system'
    $script:Run = 'vfs-sec-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Share = New-Item -ItemType Directory -Path (Join-Path $Work 'share')
    $script:Name = "$Run-dom"
    $xml = (Get-Content -LiteralPath (Get-VirtioFsFixturePath 'domains/pc-minimal.xml') -Raw) -replace '<name>[^<]*</name>', "<name>$Name</name>"
    Set-Content -LiteralPath "$Work/dom.xml" -Value $xml
    & virsh -c $Uri define "$Work/dom.xml" *> $null
    if ($LASTEXITCODE -ne 0) { throw "virsh define $Work/dom.xml failed" }
    function script:Get-Definition { (& virsh -c $Uri dumpxml --inactive $Name) -join "`n" }
    $script:Mounted = $false
}

AfterAll {
    if ($Mounted) { & umount (Join-Path $Work 'share') 2>$null }
    & virsh -c $Uri undefine $Name *> $null
    Get-ChildItem -LiteralPath /var/log/libvirt/qemu -Filter "$Run-*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore
}

Describe 'A share must not open the host' {
    It 'refuses <Source> with UnsafeSharedDirectory and leaves the domain byte-identical' -ForEach @(
        @{ Source = '/' }, @{ Source = '/etc' }, @{ Source = '/root' }, @{ Source = '/var/lib/libvirt' }, @{ Source = '/var' }, @{ Source = '/run/libvirt' }) {
        $before = Get-Definition
        $err = { New-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag sys -Source $Source -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'UnsafeSharedDirectory,VirtioFs.Commands.NewVirtioFsShareCommand'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.TargetObject | Should -Be $Source
        $err.ErrorDetails.RecommendedAction | Should -Match '-Force'
        Get-Definition | Should -Be $before
    }

    It 'sees through a symlink and ..' {
        $link = Join-Path $Work 'looks-harmless'
        New-Item -ItemType SymbolicLink -Path $link -Target /etc | Out-Null
        $before = Get-Definition
        { New-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag l -Source $link -ErrorAction Stop } | Should -Throw -ErrorId 'UnsafeSharedDirectory,VirtioFs.Commands.NewVirtioFsShareCommand'
        { New-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag d -Source "$Work/../../etc" -ErrorAction Stop } | Should -Throw -ErrorId 'UnsafeSharedDirectory,VirtioFs.Commands.NewVirtioFsShareCommand'
        Get-Definition | Should -Be $before
    }

    It '-Force shares it anyway, and the doctor keeps failing it' {
        New-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag forced -Source /etc -Force | Out-Null
        try {
            $check = Test-VirtioFsDomain -Domain $Name -ConnectionUri $Uri | Where-Object { $_.Name -eq 'SharedDirectory' -and $_.Target -match 'forced' }
            $check.Status | Should -Be 'Fail'
            $check.Message | Should -Match '/etc'
        }
        finally {
            Remove-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag forced -Confirm:$false
        }
    }

    It 'Start-VirtioFsDaemon refuses /etc before anything starts' {
        $before = @(Get-VirtioFsDaemon).Count
        { Start-VirtioFsDaemon -SharedDirectory /etc -ErrorAction Stop } | Should -Throw -ErrorId 'UnsafeSharedDirectory,VirtioFs.Commands.StartVirtioFsDaemonCommand'
        @(Get-VirtioFsDaemon).Count | Should -Be $before
    }

    It 'warns where the guest could plant setuid files, and passes once the source is nosuid,nodev' {
        New-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag plain -Source $Share.FullName | Out-Null
        $open = Test-VirtioFsDomain -Domain $Name -ConnectionUri $Uri | Where-Object { $_.Name -eq 'HostExposure' -and $_.Target -match 'plain' }
        $mount = (& findmnt -n -o OPTIONS --target $Share.FullName)
        if ($mount -match '\bnosuid\b' -and $mount -match '\bnodev\b') { $open.Status | Should -Be 'Pass' }
        else { $open.Status | Should -Be 'Warn'; $open.Fix | Should -Match 'nosuid,nodev' }
        # The first way out the fix names, for real: the directory as its own nosuid,nodev bind mount.
        & mount --bind $Share.FullName $Share.FullName
        if ($LASTEXITCODE -ne 0) { throw 'mount --bind failed' }
        $script:Mounted = $true
        & mount -o remount,bind,nosuid,nodev $Share.FullName
        $closed = Test-VirtioFsDomain -Domain $Name -ConnectionUri $Uri | Where-Object { $_.Name -eq 'HostExposure' -and $_.Target -match 'plain' }
        $closed.Status | Should -Be 'Pass'
        $closed.Message | Should -Match 'nosuid,nodev'
    }
}

Describe 'Tags the guest cannot mount are refused at creation' {
    It 'refuses <Tag> with <Id>' -ForEach @(
        @{ Tag = '   '; Id = 'TagHasWhitespace' }, @{ Tag = 'my share'; Id = 'TagHasWhitespace' }, @{ Tag = "a`tb"; Id = 'TagHasControlCharacter' }) {
        $before = Get-Definition
        { New-VirtioFsShare -Domain $Name -ConnectionUri $Uri -Tag $Tag -Source $Share.FullName -ErrorAction Stop } |
            Should -Throw -ErrorId "$Id,VirtioFs.Commands.NewVirtioFsShareCommand"
        Get-Definition | Should -Be $before
        # The guest side uses the same rule.
        { Get-VirtioFsGuestMount -Tag $Tag -ErrorAction Stop } | Should -Throw -ErrorId "$Id,VirtioFs.Commands.GetVirtioFsGuestMountCommand"
    }
}
