# SPDX-License-Identifier: MIT
# New/Get/Set/Remove-VirtioFsShare and the shared-memory cmdlets against a real libvirtd
# (qemu:///system, started by tests/tools/start-libvirt.sh). libvirt refuses virtio-fs without
# shared memory, so every successful define here proves the module set it up.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Import-Module ([IO.Path]::Combine($env:VIRTIOFS_MODULE_PATH, 'VirtioFs.psd1')) -Force
    $script:Uri = 'qemu:///system'
    foreach ($cmd in 'virsh', 'virt-xml-validate') {
        if (-not (Get-Command $cmd -ErrorAction Ignore)) { throw "$cmd is missing: apt-get install libvirt-clients libxml2-utils" }
    }
    & virsh -c $Uri version *> $null
    if ($LASTEXITCODE -ne 0) { throw "libvirtd does not answer on ${Uri}: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)" }

    # One random name per run: every domain is $Run-<case>, so two runs on one libvirtd never meet,
    # and cleanup touches only this run's domains and logs.
    $script:Run = 'vfs-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    $script:Source = Join-Path $Work 'share'
    New-Item -ItemType Directory -Path $Source -Force | Out-Null
    $script:Fixtures = Join-Path $PSScriptRoot '..' 'fixtures' 'domains'
    $script:Defined = [System.Collections.Generic.List[string]]::new()

    function script:New-TestDomain([string] $Fixture, [string] $Name) {
        $null = New-VirtioFsTestDomain -Uri $Uri -Name $Name -Fixture $Fixture -Work $Work -Defined $Defined
    }
    function script:Get-InactiveXml([string] $Name) { Get-VirtioFsTestDomainXml -Uri $Uri -Name $Name }
    function script:Test-LibvirtSchema([string] $Xml) {
        $f = Join-Path $Work "validate-$([guid]::NewGuid().ToString('N')).xml"
        Set-Content -LiteralPath $f -Value $Xml
        $out = & virt-xml-validate $f domain 2>&1
        if ($LASTEXITCODE -ne 0) { throw "virt-xml-validate: $out" }
        $true
    }
}

AfterAll {
    Remove-VirtioFsTestDomain -Uri $Uri -Defined $Defined
    if ($Run) { Get-ChildItem -LiteralPath /var/log/libvirt/qemu -Filter "$Run-*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore }
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore
}

Describe 'virtio-fs shares on a libvirt domain' {
    It 'libvirt itself refuses virtio-fs without shared memory (the failure the module prevents)' {
        $f = Join-Path $Work 'noshm.xml'
        $xml = (Get-Content -LiteralPath (Join-Path $Fixtures 'pc-minimal.xml') -Raw) -replace '<name>pc-minimal</name>', "<name>$Run-noshm</name>" `
            -replace '</devices>', "<filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='$Source'/><target dir='t'/></filesystem></devices>"
        Set-Content -LiteralPath $f -Value $xml
        $out = & virsh -c $Uri define $f 2>&1
        if ($LASTEXITCODE -eq 0) { $Defined.Add("$Run-noshm") }
        $LASTEXITCODE | Should -Not -Be 0
        "$out" | Should -Match 'requires shared memory'
    }

    It 'adds a share with memfd shared memory, libvirt accepts it, and it reads back' {
        New-TestDomain 'pc-minimal.xml' "$Run-a"
        $share = New-VirtioFsShare -Domain "$Run-a" -Tag data -Source $Source -QueueSize 1024 -ConnectionUri $Uri
        $share | Should -BeOfType ([VirtioFs.VirtioFsShare])
        $share.ConnectionUri | Should -Be $Uri
        $share.Address | Should -Match '^pci '
        $xml = Get-InactiveXml "$Run-a"
        $xml | Should -Match "<source type='memfd'/>"
        $xml | Should -Match "<access mode='shared'/>"
        $xml | Should -Match "<target dir='data'/>"
        Test-LibvirtSchema $xml | Should -BeTrue
        $back = Get-VirtioFsShare -Domain "$Run-a" -ConnectionUri $Uri
        $back.Tag | Should -Be 'data'
        $back.Source | Should -Be $Source
        $back.QueueSize | Should -Be 1024
        (Get-VirtioFsSharedMemory -Domain "$Run-a").VirtioFsReady | Should -BeTrue
    }

    It 'finds the domain by UUID and by wildcard' {
        $uuid = (& virsh -c $Uri domuuid "$Run-a" | Select-Object -First 1).Trim()
        (Get-VirtioFsShare -Domain $uuid).Tag | Should -Be 'data'
        (Get-VirtioFsShare -Domain "$Run-*" -Tag 'da*').Domain | Should -Contain "$Run-a"
    }

    It '-WhatIf leaves the domain untouched' {
        $before = Get-InactiveXml "$Run-a"
        New-VirtioFsShare -Domain "$Run-a" -Tag other -Source $Source -WhatIf | Should -BeNullOrEmpty
        Get-InactiveXml "$Run-a" | Should -BeExactly $before
    }

    It 'refuses <Case> before libvirt sees it and leaves the domain untouched' -TestCases @(
        @{ Case = 'a 37-byte tag'; Extra = @{ Tag = ('x' * 37) }; Id = 'TagTooLong' }
        @{ Case = 'a duplicate tag'; Extra = @{ Tag = 'data' }; Id = 'TagExists' }
        @{ Case = 'read-only on libvirt 9'; Extra = @{ Tag = 'ro'; ReadOnly = $true }; Id = 'OptionNeedsNewerLibvirt' }
        @{ Case = 'a missing source'; Extra = @{ Tag = 'm'; Source = '/nonexistent/vfs' }; Id = 'SourceNotFound' }
    ) {
        param($Case, $Extra, $Id)
        $before = Get-InactiveXml "$Run-a"
        $p = @{ Domain = "$Run-a"; Source = $Source }
        foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
        { New-VirtioFsShare @p -ErrorAction Stop } | Should -Throw -ErrorId "$Id,VirtioFs.Commands.NewVirtioFsShareCommand"
        Get-InactiveXml "$Run-a" | Should -BeExactly $before
    }

    It 'an unknown domain is ObjectNotFound' {
        $err = $null
        New-VirtioFsShare -Domain "$Run-no-such-domain" -Tag t -Source $Source -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DomainNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'copies a share to another domain through the pipeline' {
        New-TestDomain 'q35-full.xml' "$Run-b"
        Get-VirtioFsShare -Domain "$Run-a" | New-VirtioFsShare -Domain "$Run-b" | Out-Null
        $copy = Get-VirtioFsShare -Domain "$Run-b"
        $copy.Tag | Should -Be 'data'
        $copy.QueueSize | Should -Be 1024
    }

    It 'changes an option with Set-VirtioFsShare' {
        Set-VirtioFsShare -Domain "$Run-a" -Tag data -Cache Always -Sandbox Chroot -ThreadPoolSize 4
        $s = Get-VirtioFsShare -Domain "$Run-a"
        $s.Cache | Should -Be 'Always'
        $s.Sandbox | Should -Be 'Chroot'
        $s.ThreadPoolSize | Should -Be 4
    }

    It 'completes -Tag from the shares of the libvirt domain on the command line' {
        $line = "Set-VirtioFsShare -Domain $Run-a -ConnectionUri $Uri -Tag d"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('data')
    }

    It 'gives NUMA cells memAccess=shared and libvirt accepts it' {
        New-TestDomain 'numa-cells.xml' "$Run-numa"
        New-VirtioFsShare -Domain "$Run-numa" -Tag data -Source $Source | Out-Null
        $xml = Get-InactiveXml "$Run-numa"
        ([regex]::Matches($xml, "memAccess='shared'")).Count | Should -Be 2
        (Get-VirtioFsSharedMemory -Domain "$Run-numa").VirtioFsReady | Should -BeTrue
    }

    It 'removes shares through the pipeline' {
        Get-VirtioFsShare -Domain "$Run-a", "$Run-b" | Remove-VirtioFsShare
        Get-VirtioFsShare -Domain "$Run-a", "$Run-b" | Should -BeNullOrEmpty
        Get-InactiveXml "$Run-a" | Should -Not -Match '<filesystem'
    }

    It 'hot-plugs a share into a running domain that already has shared memory' {
        $xml = @"
<domain type='qemu'>
  <name>$Run-live</name>
  <memory unit='MiB'>128</memory>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/><apic/></features>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator><memballoon model='none'/></devices>
</domain>
"@
        $f = Join-Path $Work 'live.xml'
        Set-Content -LiteralPath $f -Value $xml
        & virsh -c $Uri define $f *> $null; $Defined.Add("$Run-live")
        & virsh -c $Uri start "$Run-live" *> $null
        $LASTEXITCODE | Should -Be 0
        New-VirtioFsShare -Domain "$Run-live" -Tag hot -Source $Source -WarningVariable w | Out-Null
        $w | Should -BeNullOrEmpty
        ((& virsh -c $Uri dumpxml "$Run-live") -join "`n") | Should -Match "<target dir='hot'/>"
        Get-InactiveXml "$Run-live" | Should -Match "<target dir='hot'/>"
    }

    It 'says the change waits for the next boot when the running guest lacks shared memory' {
        New-TestDomain 'pc-minimal.xml' "$Run-cold"
        & virsh -c $Uri start "$Run-cold" *> $null
        $LASTEXITCODE | Should -Be 0
        New-VirtioFsShare -Domain "$Run-cold" -Tag later -Source $Source -WarningVariable w 3>$null | Out-Null
        "$w" | Should -Match 'next boot'
        ((& virsh -c $Uri dumpxml "$Run-cold") -join "`n") | Should -Not -Match "<target dir='later'/>"
        Get-InactiveXml "$Run-cold" | Should -Match "<target dir='later'/>"
        # The doctor knows the share is pending, not dead.
        (Test-VirtioFsDomain -Domain "$Run-cold" | Where-Object Name -EQ 'LiveDaemon').Status | Should -Be 'Skip'
    }
}

Describe 'Remove-VirtioFsShare and Set-VirtioFsShare refusals on a libvirt domain' {
    BeforeAll {
        # A virtio-fs share with libvirt's daemon options, one with an external socket, and a 9p filesystem.
        New-TestDomain 'several-filesystems.xml' "$Run-err"
        $script:NotADirectory = Join-Path $Work 'a-file'
        Set-Content -LiteralPath $NotADirectory -Value 'not a directory'
        function script:Invoke-Refused([string] $Command, [hashtable] $Params) {
            # Runs the command, which must fail on its one input, and returns that error.
            $errors = $null
            $out = & $Command @Params -ErrorVariable errors -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            @($errors).Count | Should -Be 1 -Because "one input, one error: $($errors -join '; ')"
            $errors[0]
        }
    }

    It '<Command> refuses <Case> with <Id> and the domain stays byte-identical' -TestCases @(
        @{ Command = 'Remove-VirtioFsShare'; Case = 'an unknown tag'; Params = @{ Tag = 'nope' }; Id = 'ShareNotFound'; Category = 'ObjectNotFound' }
        @{ Command = 'Remove-VirtioFsShare'; Case = 'a tag in another case'; Params = @{ Tag = 'DATA' }; Id = 'ShareNotFound'; Category = 'ObjectNotFound' }
        @{ Command = 'Remove-VirtioFsShare'; Case = 'a 9p filesystem'; Params = @{ Tag = 'ninep' }; Id = 'NotVirtioFs'; Category = 'InvalidOperation' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'an unknown tag'; Params = @{ Tag = 'nope'; QueueSize = 256 }; Id = 'ShareNotFound'; Category = 'ObjectNotFound' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'a 9p filesystem'; Params = @{ Tag = 'ninep'; QueueSize = 256 }; Id = 'NotVirtioFs'; Category = 'InvalidOperation' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'queue size 100'; Params = @{ Tag = 'data'; QueueSize = 100 }; Id = 'InvalidQueueSize'; Category = 'InvalidArgument' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'queue size 2048'; Params = @{ Tag = 'data'; QueueSize = 2048 }; Id = 'InvalidQueueSize'; Category = 'InvalidArgument' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'a source that is a file'; Params = @{ Tag = 'data'; Source = '<file>' }; Id = 'SourceNotDirectory'; Category = 'InvalidArgument' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'a missing source'; Params = @{ Tag = 'data'; Source = '/nonexistent/vfs' }; Id = 'SourceNotFound'; Category = 'ObjectNotFound' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'a 108-byte socket path'; Params = @{ Tag = 'media'; SocketPath = '/' + 's' * 107 }; Id = 'SocketPathTooLong'; Category = 'InvalidArgument' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'daemon options on an external socket'; Params = @{ Tag = 'media'; Xattr = $true }; Id = 'DaemonOptionsWithSocket'; Category = 'InvalidArgument' }
        @{ Command = 'Set-VirtioFsShare'; Case = '-Reset with the option it sets'; Params = @{ Tag = 'data'; QueueSize = 256; Reset = 'QueueSize' }; Id = 'SetAndResetSameOption'; Category = 'InvalidArgument' }
        @{ Command = 'Set-VirtioFsShare'; Case = '-NewTag of another share'; Params = @{ Tag = 'data'; NewTag = 'media' }; Id = 'TagExists'; Category = 'ResourceExists' }
        @{ Command = 'Set-VirtioFsShare'; Case = '-NewTag of the 9p filesystem'; Params = @{ Tag = 'data'; NewTag = 'ninep' }; Id = 'TagExists'; Category = 'ResourceExists' }
        @{ Command = 'Set-VirtioFsShare'; Case = 'an alias another device has'; Params = @{ Tag = 'media'; Alias = 'ua-data' }; Id = 'AliasInUse'; Category = 'ResourceExists' }
    ) {
        $p = @{ Domain = "$Run-err"; ConnectionUri = $Uri }
        foreach ($k in $Params.Keys) { $p[$k] = if ('<file>' -eq $Params[$k]) { $NotADirectory } else { $Params[$k] } }
        $before = Get-InactiveXml "$Run-err"
        $err = Invoke-Refused $Command $p
        $err.FullyQualifiedErrorId | Should -BeExactly "$Id,VirtioFs.Commands.$($Command -replace '-')Command"
        $err.CategoryInfo.Category | Should -Be $Category
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-InactiveXml "$Run-err" | Should -BeExactly $before
    }

    It '<Command> on an unknown domain is DomainNotFound, and defines nothing' -TestCases @(
        @{ Command = 'Remove-VirtioFsShare'; Params = @{ Tag = 'data' } }
        @{ Command = 'Set-VirtioFsShare'; Params = @{ Tag = 'data'; QueueSize = 256 } }
    ) {
        $missing = "$Run-no-such-domain"
        $err = Invoke-Refused $Command (@{ Domain = $missing; ConnectionUri = $Uri } + $Params)
        $err.FullyQualifiedErrorId | Should -BeExactly "DomainNotFound,VirtioFs.Commands.$($Command -replace '-')Command"
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        & virsh -c $Uri dominfo $missing *> $null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'a refused change must not define the domain'
    }
}
