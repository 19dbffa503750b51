# SPDX-License-Identifier: MIT
# Tab completion of values that come from the system: share tags from the domain file named on the
# command line (the libvirt-domain case is in Share.Libvirt.Tests.ps1, the daemon names in
# Get-VirtioFsDaemon.Tests.ps1).

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-VirtioFsModule | Out-Null
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "vfs-complete-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path $Work | Out-Null
    Copy-Item -LiteralPath (Join-Path $PSScriptRoot '..' 'fixtures' 'domains' 'several-filesystems.xml') -Destination (Join-Path $Work 'vm.xml')
    function script:Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches }
}

AfterAll { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore }

Describe 'Share tag completion' {
    It 'offers the virtio-fs tags of the -Path domain to <Command>, not its 9p tags' -ForEach @(
        @{ Command = 'Get-VirtioFsShare' }, @{ Command = 'Set-VirtioFsShare' }, @{ Command = 'Remove-VirtioFsShare' }) {
        $expected = @(Get-VirtioFsShare -Path (Join-Path $Work 'vm.xml')).Tag | Sort-Object
        $expected.Count | Should -BeGreaterThan 1 -Because 'the fixture has several virtio-fs shares'
        (Complete "$Command -Path '$Work/vm.xml' -Tag ").CompletionText | Should -Be $expected
    }

    It 'filters by what is typed and resolves -Path against the PowerShell location' {
        $first = (@(Get-VirtioFsShare -Path (Join-Path $Work 'vm.xml')).Tag | Sort-Object)[0]
        Push-Location -LiteralPath $Work
        try { $r = Complete "Remove-VirtioFsShare -Path vm.xml -Tag $($first.Substring(0, 2))" }
        finally { Pop-Location }
        $r.CompletionText | Should -Contain $first
        $r.CompletionText | Where-Object { -not $_.StartsWith($first.Substring(0, 2)) } | Should -BeNullOrEmpty
    }

    It 'offers nothing, without an error, for a file that is not there' {
        Complete "Set-VirtioFsShare -Path '$Work/absent.xml' -Tag " | Should -BeNullOrEmpty
    }
}

Describe 'qemu.conf key completion' {
    It 'offers the keys the -Path file documents, filtered by what is typed' {
        $conf = Join-Path $Work 'qemu.conf'
        Copy-Item -LiteralPath (Get-VirtioFsFixturePath 'qemu.conf.debian12') -Destination $conf
        $r = (Complete "Get-VirtioFsQemuConfig -Path '$conf' -Name hugetlb").CompletionText
        $r | Should -Contain 'hugetlbfs_mount'
        $r | Where-Object { $_ -notlike 'hugetlb*' } | Should -BeNullOrEmpty
        # A stock key no module default lists: it comes from the file's commented defaults.
        (Complete "Get-VirtioFsQemuConfig -Path '$conf' -Name vnc_li").CompletionText | Should -Contain 'vnc_listen'
    }
}
