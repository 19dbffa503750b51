# SPDX-License-Identifier: MIT
BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
}
AfterAll { Clear-DaemonTest $script:Root }

Describe 'Get-VirtioFsDaemonBinary' {
    It 'finds the C virtiofsd through its vhost-user descriptor, like libvirt' {
        $b = Get-VirtioFsDaemonBinary | Select-Object -First 1
        $b.PSObject.TypeNames[0] | Should -Be 'VirtioFs.VirtioFsDaemonBinary'
        $b.Path | Should -Be '/usr/lib/qemu/virtiofsd'
        $b.Source | Should -Be 'Descriptor'
        $b.DescriptorPath | Should -Be '/usr/share/qemu/vhost-user/50-qemu-virtiofsd.json'
        $b.Dialect | Should -Be 'C'
        $b.Version | Should -Be (Get-CVirtiofsdVersion) -Because 'it is what the installed binary reports'
        $b.SupportedOptions | Should -Contain 'announce_submounts'
        $b.SupportedOptions | Should -Not -Contain '--inode-file-handles'
        ($b | Format-Table | Out-String) | Should -Match 'Dialect'
    }

    It 'probes an explicit binary: the fake Rust daemon' {
        $b = Get-VirtioFsDaemonBinary -Path (Join-Path $PSScriptRoot '..' 'fixtures' 'fake-rust-virtiofsd')
        $b.Dialect | Should -Be 'Rust'
        $b.Features | Should -Be @('migrate-precopy', 'separate-options')
        $b.SupportedOptions | Should -Contain '--translate-uid'
    }

    It 'reports a path that is not a binary' {
        { Get-VirtioFsDaemonBinary -Path /nonexistent/virtiofsd -ErrorAction Stop } |
            Should -Throw -ErrorId 'DaemonBinaryNotFound,VirtioFs.Commands.GetVirtioFsDaemonBinaryCommand'
    }
}
