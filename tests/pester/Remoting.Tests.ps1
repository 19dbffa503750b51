# SPDX-License-Identifier: MIT
# The module on the far side of PowerShell remoting over SSH, as an admin runs it: installed there with
# Install-PSResource from a file repository, reached with Invoke-Command -HostName through the loopback
# sshd's "Subsystem powershell ... -sshs" (tests/tools/start-sshd.sh), its output coming back as
# Deserialized.VirtioFs.* objects that format with the module's views and copy a share to another host.

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Import-Module ([IO.Path]::Combine($env:VIRTIOFS_MODULE_PATH, 'VirtioFs.psd1')) -Force
    $script:Local = 'qemu:///system'
    & virsh -c $Local version *> $null
    if ($LASTEXITCODE -ne 0) { throw "libvirtd does not answer on ${Local}: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)" }
    if (-not (Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet)) {
        throw 'This test needs Microsoft.PowerShell.PSResourceGet (PowerShell 7.4+); run it with the pinned pwsh (dotnet tool restore).'
    }
    $script:Ssh = Get-VirtioFsTestSsh
    $script:B = $Ssh.Uri['127.0.0.4']       # the host shares are copied to, through libvirt's remote protocol
    $script:Run = 'vfs-remoting-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    $script:Source = Join-Path $Work 'share'
    New-Item -ItemType Directory -Path $Source -Force | Out-Null
    $script:Defined = [System.Collections.Generic.List[string]]::new()
    function script:New-TestDomain([string] $Name) {
        New-VirtioFsTestDomain -Uri $Local -Name "$Run-$Name" -Work $Work -Defined $Defined
    }
    function script:Get-InactiveXml([string] $Name) { Get-VirtioFsTestDomainXml -Uri $Local -Name $Name }

    # How an admin reaches host A: key login, that known_hosts file, never a prompt.
    $script:HostA = @{
        HostName    = '127.0.0.3'
        Port        = $Ssh.Port
        UserName    = 'root'
        KeyFilePath = $Ssh.KeyFile
        Options     = @{ UserKnownHostsFile = $Ssh.KnownHosts; GlobalKnownHostsFile = '/dev/null'; StrictHostKeyChecking = 'yes'; BatchMode = 'yes' }
    }

    # Pack the module as build.ps1 -Task Package does, then install it on host A by name from that folder.
    $moduleDir = Get-VirtioFsModulePath
    $script:Version = (Import-PowerShellDataFile -LiteralPath ([IO.Path]::Combine($moduleDir, 'VirtioFs.psd1'))).ModuleVersion
    $script:Repository = Join-Path $Work 'repository'
    & ([IO.Path]::Combine($PSScriptRoot, '..', '..', 'tools', 'New-GalleryPackage.ps1')) -ModulePath $moduleDir `
        -OutputPath $Repository -ScratchPath (Join-Path $Work 'pack-home') | Out-Null
    $script:Session = New-PSSession @HostA -ErrorAction Stop
    $script:Installed = Invoke-Command -Session $Session -ArgumentList $Repository, $Run {
        param($Repository, $Name)
        $ErrorActionPreference = 'Stop'
        Register-PSResourceRepository -Name $Name -Uri $Repository -Trusted
        try { Install-PSResource -Name VirtioFs -Repository $Name -Scope CurrentUser -Reinstall -PassThru -Quiet }
        finally { Unregister-PSResourceRepository -Name $Name }
        Import-Module VirtioFs
    }
    $script:RemoteHome = Invoke-Command -Session $Session { $HOME }

    $script:Src = New-TestDomain 'src'
    New-VirtioFsShare -Domain $Src -ConnectionUri $Local -Tag data -Source $Source -QueueSize 1024 -Cache Always -Xattr -ThreadPoolSize 4 -SharedMemory File | Out-Null
}

AfterAll {
    if ($Session) {
        Invoke-Command -Session $Session -ErrorAction Ignore { Get-VirtioFsDaemon -ErrorAction Ignore | Where-Object Name -like 'vfs-remoting-*' | Stop-VirtioFsDaemon -ErrorAction Ignore }
        Remove-PSSession $Session
    }
    Remove-VirtioFsTestDomain -Uri $Local -Defined $Defined
    if ($RemoteHome -and $RemoteHome.StartsWith($Ssh.Dir)) {
        # What the install put into the far side's private HOME (output/ssh/home).
        Remove-Item -LiteralPath (Join-Path $RemoteHome '.local/share/powershell/Modules/VirtioFs') -Recurse -Force -ErrorAction Ignore
        Remove-Item -LiteralPath (Join-Path $RemoteHome '.local/share/PSResourceGet') -Recurse -Force -ErrorAction Ignore
    }
    if ($Work) { Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore }
}

Describe 'The module installed on the far side' {
    It 'Install-PSResource put it into the remote user''s modules, and it is what imports there' {
        $Installed.Name | Should -Be 'VirtioFs'
        "$($Installed.Version)" | Should -Be $Version
        $base = Invoke-Command -Session $Session { (Get-Module VirtioFs).ModuleBase }
        $base | Should -Be (Join-Path $RemoteHome ".local/share/powershell/Modules/VirtioFs/$Version")
    }
}

Describe 'Output of the far side' {
    It 'comes back as Deserialized.VirtioFs.* objects, each naming the computer' {
        $s = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d }
        $s.PSObject.TypeNames[0] | Should -Be 'Deserialized.VirtioFs.VirtioFsShare'
        $s.PSComputerName | Should -Be '127.0.0.3'
        $s.Tag | Should -Be 'data'
        $s.QueueSize | Should -Be 1024
        $s.ConnectionUri | Should -Be 'qemu:///system' -Because 'the far side''s own libvirt, which means another machine here'
    }

    It 'formats with the module''s views: shares, shared memory and the doctor''s report' {
        $shares = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d } | Out-String -Width 250
        $shares | Should -Match 'Domain\s+Tag\s+Queue\s+Cache\s+Daemon\s+Source\s+PSComputerName' -Because 'the share table, and remoting''s computer column'
        $memory = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsSharedMemory -Domain $d } | Out-String -Width 250
        $memory | Should -Match 'Domain\s+Backing\s+Access\s+Ready'
        $report = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Test-VirtioFsDomain -Domain $d } | Out-String -Width 250
        $report | Should -Match '(?m)^Pass\s+Shares'
        foreach ($text in $shares, $memory, $report) {
            $text | Should -Not -Match 'RunspaceId\s*:' -Because 'a raw property list would mean no view applied'
        }
    }

    It 'live and remote shares mixed in one stream make one table' {
        $remote = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d }
        $live = Get-VirtioFsShare -Domain $Src -ConnectionUri $Local
        $lines = @(@($live, $remote) | Out-String -Width 250) -split "`n" | Where-Object { $_ -match '\S' }
        @($lines | Where-Object { $_ -match '^Domain\s+Tag' }).Count | Should -Be 1 -Because 'one header for both'
        @($lines | Where-Object { $_ -match '^vfs-remoting\S*\s+data\s+1024\s+Always' }).Count | Should -Be 2 -Because 'a row each (the view cuts the long domain name)'
        ($lines -join "`n") | Should -Not -Match 'RunspaceId\s*:'
    }

    It 'local-only cmdlets run on the host itself: the doctor sees that host' {
        $r = @(Invoke-Command -Session $Session { Test-VirtioFsHost })
        $r.Count | Should -BeGreaterThan 5
        ($r.PSComputerName | Sort-Object -Unique) | Should -Be '127.0.0.3'
        ($r | Where-Object Name -eq 'LibvirtDaemon').Status | Should -Be 'Pass'
    }
}

Describe 'Copying from host A to host B' {
    It 'a share read on A through remoting goes into a domain on B with every option' {
        $dst = New-TestDomain 'dst'
        $copy = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d -Tag data } |
            New-VirtioFsShare -Domain $dst -ConnectionUri $B
        $copy.ConnectionUri | Should -Be $B
        $copy.Domain | Should -Be $dst
        $copy.Tag | Should -Be 'data'
        $copy.QueueSize | Should -Be 1024
        "$($copy.Cache)" | Should -Be 'Always'
        $copy.Xattr | Should -BeTrue
        $copy.ThreadPoolSize | Should -Be 4
        $xml = Get-InactiveXml $dst
        $xml | Should -Match "<cache mode='always'/>"
        $xml | Should -Match "<thread_pool size='4'/>"
    }

    It 'explicit parameters override the copied share' {
        $dst = New-TestDomain 'override'
        $copy = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d -Tag data } |
            New-VirtioFsShare -Domain $dst -ConnectionUri $B -Tag renamed -Cache None
        $copy.Tag | Should -Be 'renamed'
        "$($copy.Cache)" | Should -Be 'None'
        $copy.QueueSize | Should -Be 1024
    }

    It 'a shared-memory state from A gives B''s domain the same backing' {
        $dst = New-TestDomain 'memory'
        $m = Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsSharedMemory -Domain $d }
        "$($m.Backing)" | Should -Be 'File'
        $m | New-VirtioFsShare -Domain $dst -ConnectionUri $B -Tag viamem -Source $Source | Out-Null
        Get-InactiveXml $dst | Should -Match "<source type='file'/>"
    }

    It 'a daemon started on A through remoting gives its socket' {
        $dst = New-TestDomain 'daemon'
        $d = Invoke-Command -Session $Session -ArgumentList $Source, "$Run-d" { param($dir, $name) Start-VirtioFsDaemon -SharedDirectory $dir -Name $name }
        $d.PSObject.TypeNames[0] | Should -Be 'Deserialized.VirtioFs.VirtioFsDaemon'
        $s = $d | New-VirtioFsShare -Domain $dst -ConnectionUri $B -Tag sock
        $s.SocketPath | Should -Be $d.SocketPath
        Get-InactiveXml $dst | Should -Match ([regex]::Escape("<source socket='$($d.SocketPath)'/>"))
    }

    It 'without -ConnectionUri the far side''s own URI is refused (RemoteObjectUri), and nothing changes' {
        $dst = New-TestDomain 'refused'
        $before = Get-InactiveXml $dst
        $err = $null
        Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d -Tag data } |
            New-VirtioFsShare -Domain $dst -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RemoteObjectUri,*'
        $err[0].TargetObject | Should -Be '127.0.0.3'
        Get-InactiveXml $dst | Should -Be $before
    }

    It 'Set-VirtioFsShare does not take a deserialized share, so a remote result cannot change a local domain of the same name' {
        $before = Get-InactiveXml $Src
        $err = $null
        Invoke-Command -Session $Session -ArgumentList $Src { param($d) Get-VirtioFsShare -Domain $d -Tag data } |
            Set-VirtioFsShare -Cache None -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -BeGreaterThan 0
        Get-InactiveXml $Src | Should -Be $before
    }

    It 'an object that gives New-VirtioFsShare nothing is InputObjectNotUsable' {
        $dst = New-TestDomain 'nothing'
        { 42 | New-VirtioFsShare -Domain $dst -Tag x -Source $Source -ErrorAction Stop } | Should -Throw -ErrorId 'InputObjectNotUsable*'
    }
}
