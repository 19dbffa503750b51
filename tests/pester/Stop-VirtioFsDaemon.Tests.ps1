# SPDX-License-Identifier: MIT
BeforeAll {
    . (Join-Path $PSScriptRoot 'Daemon.TestHelpers.ps1')
    $script:Root = Initialize-DaemonTest
}
AfterAll { Clear-DaemonTest $script:Root }

Describe 'Stop-VirtioFsDaemon' {
    It 'stops by pipeline object and leaves no process, socket, pid or state file' {
        $dir = New-Item -ItemType Directory -Path (Join-Path $Root 'one')
        $d = Start-VirtioFsDaemon -SharedDirectory $dir.FullName -Sandbox Namespace
        Test-Path -LiteralPath (Get-CPidFile $d.SocketPath) | Should -BeTrue
        $out = $d | Stop-VirtioFsDaemon -PassThru
        $out.Name | Should -Be $d.Name
        $out.State | Should -Be Exited
        Test-Path "/proc/$($d.ProcessId)" | Should -BeFalse
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
        Test-Path -LiteralPath $d.SocketPath | Should -BeFalse
        Test-Path -LiteralPath (Get-CPidFile $d.SocketPath) | Should -BeFalse
        Test-Path -LiteralPath $d.StatePath | Should -BeFalse
        Test-Path -LiteralPath $d.LogPath | Should -BeTrue   # the log stays for the post-mortem
    }

    It 'stops by name from the pipeline (by property name) and by -Name' {
        $a = Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name s-a
        $b = Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name s-b
        # Both really run, or the checks below would pass without anything to stop.
        (Get-VirtioFsDaemon -Name 's-*').ProcessId | Sort-Object | Should -Be (@($a.ProcessId, $b.ProcessId) | Sort-Object)
        [pscustomobject]@{ Name = 's-a' } | Stop-VirtioFsDaemon
        Test-Path "/proc/$($a.ProcessId)" | Should -BeFalse
        (Get-VirtioFsDaemon -Name s-b).State | Should -Be 'Running' -Because 'only s-a was piped in'
        Stop-VirtioFsDaemon -Name s-b
        Test-Path "/proc/$($b.ProcessId)" | Should -BeFalse
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
        Get-VirtioFsDaemon -Name 's-*' | Should -BeNullOrEmpty
    }

    It 'says which name it could not find' {
        { Stop-VirtioFsDaemon -Name 'missing-one' -ErrorAction Stop } |
            Should -Throw -ErrorId 'DaemonNotFound,VirtioFs.Commands.StopVirtioFsDaemonCommand'
    }

    It 'does nothing under -WhatIf' {
        $d = Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name whatif
        $d | Stop-VirtioFsDaemon -WhatIf
        (Get-VirtioFsDaemon -Name whatif).State | Should -Be 'Running'
        $d | Stop-VirtioFsDaemon -Force -Confirm:$false
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
    }

    It 'declares ConfirmImpact Medium and asks under -Force (High impact)' {
        (Get-Command Stop-VirtioFsDaemon).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'Medium'
        $d = Start-VirtioFsDaemon -SharedDirectory (Join-Path $Root 'shared') -Name forced
        # A non-interactive child pwsh cannot answer the prompt, so -Force without -Confirm:$false must not stop it.
        $env:VFS_T = $d.Name
        $out = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:VIRTIOFS_MODULE_PATH/VirtioFs.psd1'; Stop-VirtioFsDaemon -Name `$env:VFS_T -Force" 2>&1
        # It must have failed at the prompt, not earlier (a child that cannot load the module stops nothing either).
        $LASTEXITCODE | Should -Not -Be 0
        "$out" | Should -Match 'NonInteractive' -Because "the child said: $out"
        (Get-VirtioFsDaemon -Name forced).State | Should -Be 'Running'
        Stop-VirtioFsDaemon -Name forced -Force -Confirm:$false
        Get-TestProcess $Root | Should -BeNullOrEmpty
        Get-ZombieDaemon | Should -BeNullOrEmpty
    }
}
