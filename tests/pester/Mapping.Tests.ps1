# SPDX-License-Identifier: MIT
# Directory mappings and desired state, driven for real: the mapping file on disk, a real libvirtd
# (qemu:///system, tests/tools/start-libvirt.sh) and three "hosts" reached through the loopback sshd
# (qemu+ssh://root@127.0.0.2/.3/.4, tests/tools/start-sshd.sh). All three reach the same libvirtd, so
# each host gets its own domains; what tells the hosts apart is the URI's host part, which is what a
# mapping's keys match.

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Uri = 'qemu:///system'
    foreach ($cmd in 'virsh', 'virt-xml-validate') {
        if (-not (Get-Command $cmd -ErrorAction Ignore)) { throw "$cmd is missing: apt-get install libvirt-clients libxml2-utils" }
    }
    & virsh -c $Uri version *> $null
    if ($LASTEXITCODE -ne 0) { throw "libvirtd does not answer on ${Uri}: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)" }

    # One random name per run for domains and mappings: a crashed earlier run's marked domains name
    # mappings this run's file does not have, so they are never this run's Extra shares.
    $script:Short = [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:Run = "vfs-map-$Short"
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Defined = [System.Collections.Generic.List[string]]::new()

    function script:New-Dir([string] $Name) { (New-Item -ItemType Directory -Path (Join-Path $Work $Name) -Force).FullName }
    function script:New-TestDomain([string] $Name, [string] $Fixture = 'pc-minimal.xml') {
        $null = New-VirtioFsTestDomain -Uri $Uri -Name $Name -Fixture $Fixture -Work $Work -Defined $Defined
    }
    function script:Get-InactiveXml([string] $Name) { Get-VirtioFsTestDomainXml -Uri $Uri -Name $Name }
    function script:Get-Marker([string] $Name) {
        [xml] $x = Get-InactiveXml $Name
        $ns = [System.Xml.XmlNamespaceManager]::new($x.NameTable)
        $ns.AddNamespace('v', 'urn:virtiofs-powershell:mappings:1')
        @($x.SelectNodes('/domain/metadata/v:shares/v:share', $ns))
    }
    function script:Complete([string] $Line) { (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches }
}

AfterAll {
    Remove-VirtioFsTestDomain -Uri $Uri -Defined $Defined
    if ($Run) { Get-ChildItem -LiteralPath /var/log/libvirt/qemu -Filter "$Run-*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore }
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore
}

Describe 'The mapping file' {
    BeforeAll {
        $script:MapFile = Join-Path $Work 'file' 'mappings.json'
    }

    It '-WhatIf shows the diff and creates nothing' {
        New-VirtioFsMapping -Name data -Path @{ localhost = '/srv/data' } -MappingPath $MapFile -WhatIf | Should -BeNullOrEmpty
        $MapFile | Should -Not -Exist
        Split-Path $MapFile | Should -Not -Exist
    }

    It 'creates the file, its directory and the mapping, in the canonical form' {
        $m = New-VirtioFsMapping -Name data -Path @{ localhost = '/srv/data'; 'KVM1.example.com' = '/export/data' } -Description 'Project data' `
            -Cache Always -Xattr:$false -UidMap '0:100000:65536' -MappingPath $MapFile
        $m | Should -BeOfType ([VirtioFs.VirtioFsMapping])
        $m.MappingPath | Should -Be $MapFile
        $m.Hosts | Should -Be @('KVM1.example.com', 'localhost')
        $m.Options['cache'] | Should -Be ([VirtioFs.VirtioFsCacheMode]::Always)
        $m.Options['Xattr'] | Should -BeFalse
        $raw = [IO.File]::ReadAllText($MapFile)
        $raw | Should -BeExactly (@(
                '{'
                '  "version": 1,'
                '  "mappings": {'
                '    "data": {'
                '      "description": "Project data",'
                '      "paths": {'
                '        "KVM1.example.com": "/export/data",'
                '        "localhost": "/srv/data"'
                '      },'
                '      "options": {'
                '        "cache": "always",'
                '        "uidMap": ['
                '          "0:100000:65536"'
                '        ],'
                '        "xattr": false'
                '      }'
                '    }'
                '  },'
                '  "assignments": []'
                '}'
                ''
            ) -join "`n")
        # Other tools read it: PowerShell's own JSON reader (and jq, Ansible, Python alike).
        ($raw | ConvertFrom-Json).mappings.data.paths.localhost | Should -Be '/srv/data'
    }

    It 'reads mappings back, by wildcard, and tab-completes their names' {
        New-VirtioFsMapping -Name media -Path @{ localhost = '/srv/media' } -ReadOnly -MappingPath $MapFile | Out-Null
        (Get-VirtioFsMapping -MappingPath $MapFile).Name | Should -Be @('data', 'media')
        (Get-VirtioFsMapping -Name 'M*' -MappingPath $MapFile).Name | Should -Be 'media'
        (Get-VirtioFsMapping -Name data -MappingPath $MapFile).Path['kvm1.example.com'] | Should -Be '/export/data'
        (Complete "Get-VirtioFsMapping -MappingPath '$MapFile' -Name ").CompletionText | Should -Be @('data', 'media')
        (Complete "New-VirtioFsShare -Domain x -MappingPath '$MapFile' -Mapping m").CompletionText | Should -Be @('media')
        (Get-VirtioFsMapping -MappingPath $MapFile | Format-Table | Out-String) | Should -Match 'data\s+KVM1\.example\.com, localhost\s+Cache=Always'
    }

    It 'changes what is given, keeps the rest, stores -Xattr:$false and resets options' {
        $before = Get-VirtioFsMapping data -MappingPath $MapFile
        $m = Set-VirtioFsMapping -Name data -Path @{ '127.0.0.9' = '/srv/nine' } -QueueSize 1024 -Reset Cache, UidMap -Description '' -MappingPath $MapFile -PassThru
        $m.Path.Count | Should -Be 3
        $m.Path['localhost'] | Should -Be $before.Path['localhost']
        $m.Options.Keys | Should -Be @('QueueSize', 'Xattr')
        $m.Options['Xattr'] | Should -BeFalse
        $m.Description | Should -BeNullOrEmpty
        Get-VirtioFsMapping data -MappingPath $MapFile | Set-VirtioFsMapping -RemoveHost 127.0.0.9 -PassThru |
            ForEach-Object { $_.Hosts } | Should -Be @('KVM1.example.com', 'localhost')
    }

    It 'writes nothing when nothing changes, and -WhatIf writes nothing either' {
        $bytes = [IO.File]::ReadAllBytes($MapFile)
        $stamp = (Get-Item $MapFile).LastWriteTimeUtc
        Set-VirtioFsMapping -Name data -QueueSize 1024 -MappingPath $MapFile
        Set-VirtioFsMapping -Name data -QueueSize 512 -MappingPath $MapFile -WhatIf
        [IO.File]::ReadAllBytes($MapFile) | Should -Be $bytes
        (Get-Item $MapFile).LastWriteTimeUtc | Should -Be $stamp
    }

    It 'refuses <Case> and leaves the file byte for byte' -TestCases @(
        @{ Case = 'an existing name (ignoring case)'; Script = { New-VirtioFsMapping -Name DATA -Path @{ localhost = '/x' } -MappingPath $MapFile }; Id = 'MappingExists'; Category = 'ResourceExists' }
        @{ Case = 'a name with white space'; Script = { New-VirtioFsMapping -Name 'my data' -Path @{ localhost = '/x' } -MappingPath $MapFile }; Id = 'TagHasWhitespace'; Category = 'InvalidArgument' }
        @{ Case = 'a 37-byte name'; Script = { New-VirtioFsMapping -Name ('x' * 37) -Path @{ localhost = '/x' } -MappingPath $MapFile }; Id = 'TagTooLong'; Category = 'InvalidArgument' }
        @{ Case = 'a wildcard in the name'; Script = { New-VirtioFsMapping -Name 'd*' -Path @{ localhost = '/x' } -MappingPath $MapFile }; Id = 'MappingNameInvalid'; Category = 'InvalidArgument' }
        @{ Case = 'a host key with a user'; Script = { New-VirtioFsMapping -Name n1 -Path @{ 'root@kvm1' = '/x' } -MappingPath $MapFile }; Id = 'MappingHostKeyInvalid'; Category = 'InvalidArgument' }
        @{ Case = 'a relative directory'; Script = { New-VirtioFsMapping -Name n2 -Path @{ localhost = 'srv/x' } -MappingPath $MapFile }; Id = 'SourceNotAbsolute'; Category = 'InvalidArgument' }
        @{ Case = 'no host at all'; Script = { New-VirtioFsMapping -Name n3 -Path @{} -MappingPath $MapFile }; Id = 'MappingHasNoPath'; Category = 'InvalidArgument' }
        @{ Case = 'an invalid option value'; Script = { New-VirtioFsMapping -Name n4 -Path @{ localhost = '/x' } -QueueSize 1000 -MappingPath $MapFile }; Id = 'InvalidQueueSize'; Category = 'InvalidArgument' }
        @{ Case = 'removing the last host'; Script = { Set-VirtioFsMapping -Name media -RemoveHost localhost -MappingPath $MapFile }; Id = 'MappingHasNoPath'; Category = 'InvalidArgument' }
        @{ Case = 'removing a host it does not have'; Script = { Set-VirtioFsMapping -Name media -RemoveHost kvm7 -MappingPath $MapFile }; Id = 'MappingHostMissing'; Category = 'ObjectNotFound' }
        @{ Case = 'setting and resetting one option'; Script = { Set-VirtioFsMapping -Name data -Cache None -Reset Cache -MappingPath $MapFile }; Id = 'SetAndResetSameOption'; Category = 'InvalidArgument' }
        @{ Case = 'an unknown mapping'; Script = { Set-VirtioFsMapping -Name nope -Cache None -MappingPath $MapFile }; Id = 'MappingNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'removing an unknown mapping'; Script = { Remove-VirtioFsMapping -Name nope -MappingPath $MapFile }; Id = 'MappingNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'an assignment without a directory for its host'; Script = { Add-VirtioFsMappingAssignment -Name media -Domain x -ConnectionUri 'qemu+ssh://root@kvm1.example.com/system' -MappingPath $MapFile }; Id = 'MappingHostMissing'; Category = 'ObjectNotFound' }
        @{ Case = 'an assignment to a host that is no URI'; Script = { Add-VirtioFsMappingAssignment -Name media -Domain x -ConnectionUri kvm1 -MappingPath $MapFile }; Id = 'MappingAssignmentInvalid'; Category = 'InvalidArgument' }
        @{ Case = 'removing an assignment that is not there'; Script = { Remove-VirtioFsMappingAssignment -Name media -Domain nope -MappingPath $MapFile }; Id = 'MappingAssignmentNotFound'; Category = 'ObjectNotFound' }
    ) {
        param($Case, $Script, $Id, $Category)
        # The suite runs with 'Stop' (tools/Invoke-PesterTests.ps1); these are non-terminating errors to collect.
        $ErrorActionPreference = 'Continue'
        $bytes = [IO.File]::ReadAllBytes($MapFile)
        $out = @(& $Script 2>&1)
        $err = @($out | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $out.Count | Should -Be $err.Count -Because 'nothing but the error is written'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err[0].CategoryInfo.Category | Should -Be $Category
        $err[0].TargetObject | Should -Not -BeNullOrEmpty
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        [IO.File]::ReadAllBytes($MapFile) | Should -Be $bytes
    }

    It 'declares assignments once, and guards what they need' {
        $a = Add-VirtioFsMappingAssignment -Name data -Domain 'web*', db1 -ConnectionUri qemu:///system -MappingPath $MapFile -PassThru
        $a.Count | Should -Be 2
        $a[0] | Should -BeOfType ([VirtioFs.VirtioFsMappingAssignment])
        $bytes = [IO.File]::ReadAllBytes($MapFile)
        Add-VirtioFsMappingAssignment -Name data -Domain db1 -ConnectionUri QEMU:///system -MappingPath $MapFile
        [IO.File]::ReadAllBytes($MapFile) | Should -Be $bytes -Because 'what is declared already is not declared twice'
        (Get-VirtioFsMappingAssignment -MappingPath $MapFile).Domain | Should -Be @('db1', 'web*')

        { Remove-VirtioFsMapping -Name data -MappingPath $MapFile -ErrorAction Stop } | Should -Throw -ErrorId 'MappingAssigned,*'
        { Set-VirtioFsMapping -Name data -RemoveHost localhost -MappingPath $MapFile -ErrorAction Stop } | Should -Throw -ErrorId 'MappingAssigned,*'
        [IO.File]::ReadAllBytes($MapFile) | Should -Be $bytes

        Get-VirtioFsMappingAssignment -Name data -MappingPath $MapFile | Where-Object Domain -EQ db1 | Remove-VirtioFsMappingAssignment
        (Get-VirtioFsMappingAssignment -MappingPath $MapFile).Domain | Should -Be 'web*'
        Remove-VirtioFsMapping -Name data -Force -MappingPath $MapFile -PassThru | ForEach-Object Name | Should -Be 'data'
        Get-VirtioFsMappingAssignment -MappingPath $MapFile | Should -BeNullOrEmpty
        (Get-VirtioFsMapping -MappingPath $MapFile).Name | Should -Be 'media'
    }

    It 'a malformed file is an error with line and column, and no cmdlet overwrites it' {
        $bad = Join-Path $Work 'bad.json'
        Set-Content -LiteralPath $bad -NoNewline -Value "{`n  `"version`": 1,`n  `"mappings`": {`n    `"data`": { `"paths`": { `"localhost`": `"/x`" }, `"optoins`": {} }`n  }`n}`n"
        $bytes = [IO.File]::ReadAllBytes($bad)
        $ErrorActionPreference = 'Continue'
        foreach ($try in { Get-VirtioFsMapping -MappingPath $bad }, { New-VirtioFsMapping -Name other -Path @{ localhost = '/y' } -MappingPath $bad },
            { Set-VirtioFsMapping -Name data -Cache None -MappingPath $bad }, { Test-VirtioFsMapping -MappingPath $bad -ConnectionUri $Uri }) {
            $err = @(& $try 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'MappingFileMalformed,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].Exception.Message | Should -BeLike "${bad}:4:47: mapping `"data`" has an unknown key `"optoins`"*"
        }
        [IO.File]::ReadAllBytes($bad) | Should -Be $bytes
        Set-Content -LiteralPath $bad -Value '{ "version": 1, "mappings": { , } }'
        { Get-VirtioFsMapping -MappingPath $bad -ErrorAction Stop } | Should -Throw -ErrorId 'MappingFileMalformed,*' -ExpectedMessage "${bad}:1:31: the mapping file is not valid JSON*"
    }

    It 'loses no edit when eight writers change one file at once' {
        $parallel = Join-Path $Work 'parallel.json'
        $manifest = [IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1')
        1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:manifest
            New-VirtioFsMapping -Name "p$_" -Path @{ localhost = "/srv/p$_" } -MappingPath $using:parallel -ErrorAction Stop | Out-Null
        }
        (Get-VirtioFsMapping -MappingPath $parallel).Name | Should -Be (1..8 | ForEach-Object { "p$_" })
        Get-ChildItem -LiteralPath $Work -Filter '.parallel.json*' -Force | Should -BeNullOrEmpty -Because 'no temporary file is left behind'
    }

    It 'uses $env:VIRTIOFS_MAPPING_PATH when no -MappingPath is given' {
        $saved = $env:VIRTIOFS_MAPPING_PATH
        try {
            $env:VIRTIOFS_MAPPING_PATH = $MapFile
            (Get-VirtioFsMapping).Name | Should -Be 'media'
            (Get-VirtioFsMapping media).MappingPath | Should -Be $MapFile
        }
        finally { $env:VIRTIOFS_MAPPING_PATH = $saved }
    }
}

Describe 'Shares from a mapping' {
    BeforeAll {
        $script:Ssh = Get-VirtioFsTestSsh
        $script:U2 = $Ssh.Uri['127.0.0.2']
        $script:ShareFile = Join-Path $Work 'share.json'
        $script:Local = New-Dir 'share-local'
        $script:Two = New-Dir 'share-two'
        New-VirtioFsMapping -Name "s$Short" -Path @{ localhost = $Local; '127.0.0.2' = $Two } -Cache Always -MappingPath $ShareFile | Out-Null
        New-TestDomain "$Run-share"
    }

    It 'through qemu:///system takes the localhost directory, the name as tag and the options; the share is marked' {
        $s = New-VirtioFsShare -Domain "$Run-share" -Mapping "s$Short" -MappingPath $ShareFile -ConnectionUri $Uri -QueueSize 1024
        $s.Tag | Should -Be "s$Short"
        $s.Source | Should -Be $Local
        $s.Cache | Should -Be 'Always'
        $s.QueueSize | Should -Be 1024
        $m = @(Get-Marker "$Run-share")
        $m.Count | Should -Be 1
        $m[0].tag | Should -Be "s$Short"
        $m[0].mapping | Should -Be "s$Short"
        $m[0].host | Should -Be 'localhost'
    }

    It 'through qemu+ssh to 127.0.0.2 takes that host''s directory; -Tag and explicit options win' {
        $s = New-VirtioFsShare -Domain "$Run-share" -Mapping "s$Short" -MappingPath $ShareFile -ConnectionUri $U2 -Tag two -Cache None
        $s.ConnectionUri | Should -Be $U2
        $s.Source | Should -Be $Two
        $s.Cache | Should -Be 'None'
        (Get-Marker "$Run-share" | Where-Object tag -EQ two).host | Should -Be '127.0.0.2'
    }

    It 'a host the mapping has no directory for is MappingHostMissing, naming the hosts it has, and changes nothing' {
        $before = Get-InactiveXml "$Run-share"
        $err = $null
        New-VirtioFsShare -Domain "$Run-share" -Mapping "s$Short" -MappingPath $ShareFile -ConnectionUri $Ssh.Uri['127.0.0.3'] -Tag three -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'MappingHostMissing,*'
        $err[0].Exception.Message | Should -Match "Mapping 's$Short' has no directory for host '127\.0\.0\.3'.*it has: 127\.0\.0\.2, localhost"
        Get-InactiveXml "$Run-share" | Should -BeExactly $before
    }

    It 'an unknown mapping, or -Source with -Mapping, is refused before libvirt sees anything' {
        $before = Get-InactiveXml "$Run-share"
        { New-VirtioFsShare -Domain "$Run-share" -Mapping nope -MappingPath $ShareFile -ErrorAction Stop } | Should -Throw -ErrorId 'MappingNotFound,*'
        { New-VirtioFsShare -Domain "$Run-share" -Mapping "s$Short" -Source $Local -Tag x -MappingPath $ShareFile -ErrorAction Stop } | Should -Throw -ErrorId 'MappingWithSource,*'
        Get-InactiveXml "$Run-share" | Should -BeExactly $before
    }
}

Describe 'Desired state on three hosts' {
    BeforeAll {
        $script:Ssh = Get-VirtioFsTestSsh
        $script:U = $Ssh.Uri
        $script:FleetFile = Join-Path $Work 'fleet.json'
        $script:M = "d$Short"
        $script:Dirs = @{}
        foreach ($h in '127.0.0.2', '127.0.0.3', '127.0.0.4') { $Dirs[$h] = New-Dir "fleet-$h" }
        New-VirtioFsMapping -Name $M -Path $Dirs -Cache Always -MappingPath $FleetFile | Out-Null
        # One libvirtd behind all three names: each host gets domains of its own.
        foreach ($d in 'h2', 'h3', 'h4a', 'h4b') { New-TestDomain "$Run-$d" }
        Add-VirtioFsMappingAssignment -Name $M -Domain "$Run-h2" -ConnectionUri $U['127.0.0.2'] -MappingPath $FleetFile
        Add-VirtioFsMappingAssignment -Name $M -Domain "$Run-h3" -ConnectionUri $U['127.0.0.3'] -MappingPath $FleetFile
        Add-VirtioFsMappingAssignment -Name $M -Domain "$Run-h4*" -ConnectionUri $U['127.0.0.4'] -MappingPath $FleetFile
        function script:Get-FleetXml { $r = @{}; foreach ($d in 'h2', 'h3', 'h4a', 'h4b') { $r[$d] = Get-InactiveXml "$Run-$d" }; $r }
    }

    It 'Test reports every declared share as Missing, per host, with what Sync would do' {
        # The hosts run at once, so their output comes in any order: sort it as a reader would.
        $drift = @(Test-VirtioFsMapping -MappingPath $FleetFile | Sort-Object Host, Domain)
        $drift.Count | Should -Be 4
        $drift | ForEach-Object { $_ | Should -BeOfType ([VirtioFs.VirtioFsMappingDrift]) }
        ($drift | ForEach-Object { "$($_.Host) $($_.Domain) $($_.Tag) $($_.Kind)" }) | Should -Be @(
            "127.0.0.2 $Run-h2 $M Missing", "127.0.0.3 $Run-h3 $M Missing", "127.0.0.4 $Run-h4a $M Missing", "127.0.0.4 $Run-h4b $M Missing")
        $drift[1].ConnectionUri | Should -Be $U['127.0.0.3']
        $drift[1].Expected.Source | Should -Be $Dirs['127.0.0.3']
        $drift[1].Actual | Should -BeNullOrEmpty
        $drift[1].Differences | Should -Contain "Source: (none) -> $($Dirs['127.0.0.3'])"
        $drift[1].Differences | Should -Contain 'Cache: (default) -> Always'
        Test-VirtioFsMapping -MappingPath $FleetFile -Quiet | Should -BeFalse
    }

    It 'Sync -WhatIf shows each host''s diff and changes nothing' {
        $before = Get-FleetXml
        Sync-VirtioFsMapping -MappingPath $FleetFile -WhatIf | Should -BeNullOrEmpty
        $after = Get-FleetXml
        foreach ($d in $before.Keys) { $after[$d] | Should -BeExactly $before[$d] }
    }

    It 'Sync adds each share with that host''s directory, marked for that host' {
        $r = @(Sync-VirtioFsMapping -MappingPath $FleetFile)
        $r.Count | Should -Be 4
        $r.Action | Sort-Object -Unique | Should -Be 'Added'
        $r.Changed | Sort-Object -Unique | Should -BeTrue
        foreach ($pair in @(@('h2', '127.0.0.2'), @('h3', '127.0.0.3'), @('h4a', '127.0.0.4'), @('h4b', '127.0.0.4'))) {
            $share = Get-VirtioFsShare -Domain "$Run-$($pair[0])" -Tag $M
            $share.Source | Should -Be $Dirs[$pair[1]]
            $share.Cache | Should -Be 'Always'
            $share.SharedMemoryReady | Should -BeTrue
            (Get-Marker "$Run-$($pair[0])").host | Should -Be $pair[1]
        }
    }

    It 'a second Sync changes nothing and says so' {
        $before = Get-FleetXml
        $info = $null
        $r = @(Sync-VirtioFsMapping -MappingPath $FleetFile -InformationVariable info)
        $r.Count | Should -Be 4
        $r.Action | Sort-Object -Unique | Should -Be 'None'
        $r.Changed | Sort-Object -Unique | Should -BeFalse
        "$info" | Should -Match 'Nothing to change: 4 share\(s\) on 3 host\(s\)'
        $after = Get-FleetXml
        foreach ($d in $before.Keys) { $after[$d] | Should -BeExactly $before[$d] }
        Test-VirtioFsMapping -MappingPath $FleetFile | Should -BeNullOrEmpty
        Test-VirtioFsMapping -MappingPath $FleetFile -Quiet | Should -BeTrue
    }

    It 'a changed option is Different on that host only, and Sync changes just that line' {
        Set-VirtioFsShare -Domain "$Run-h3" -Tag $M -Cache None -WarningAction SilentlyContinue
        $drift = Test-VirtioFsMapping -MappingPath $FleetFile
        @($drift).Count | Should -Be 1
        $drift.Domain | Should -Be "$Run-h3"
        $drift.Kind | Should -Be 'Different'
        $drift.Differences | Should -Be @('Cache: None -> Always')

        $before = (Get-InactiveXml "$Run-h3") -split "`n"
        $r = Sync-VirtioFsMapping -MappingPath $FleetFile
        ($r | Where-Object Changed).Domain | Should -Be "$Run-h3"
        ($r | Where-Object Changed).Action | Should -Be 'Changed'
        $after = (Get-InactiveXml "$Run-h3") -split "`n"
        $changed = Compare-Object $before $after
        @($changed).Count | Should -Be 2
        ($changed | Where-Object SideIndicator -EQ '=>').InputObject.Trim() | Should -Be "<cache mode='always'/>"
    }

    It 'a share the declaration no longer names is Extra, kept without -Prune, removed with it' {
        Remove-VirtioFsMappingAssignment -Name $M -ConnectionUri $U['127.0.0.4'] -MappingPath $FleetFile
        # A share made by hand in the same domain is not the declaration's business.
        New-VirtioFsShare -Domain "$Run-h4a" -Tag hand -Source $Dirs['127.0.0.4'] | Out-Null

        # The host is no longer declared: it is examined because it is named.
        $drift = @(Test-VirtioFsMapping -MappingPath $FleetFile -ConnectionUri $U['127.0.0.4'])
        ($drift | ForEach-Object { "$($_.Domain) $($_.Tag) $($_.Kind)" }) | Should -Be @("$Run-h4a $M Extra", "$Run-h4b $M Extra")
        # Declared hosts only: the other hosts match, and a domain seen through another host's name is not theirs.
        Test-VirtioFsMapping -MappingPath $FleetFile | Should -BeNullOrEmpty

        $kept = Sync-VirtioFsMapping -MappingPath $FleetFile -ConnectionUri $U['127.0.0.4']
        $kept.Action | Sort-Object -Unique | Should -Be 'Kept'
        (Get-VirtioFsShare -Domain "$Run-h4a" -Tag $M) | Should -Not -BeNullOrEmpty

        $before = Get-InactiveXml "$Run-h4a"
        Sync-VirtioFsMapping -MappingPath $FleetFile -ConnectionUri $U['127.0.0.4'] -Prune -WhatIf | Out-Null
        Get-InactiveXml "$Run-h4a" | Should -BeExactly $before

        $removed = Sync-VirtioFsMapping -MappingPath $FleetFile -ConnectionUri $U['127.0.0.4'] -Prune
        $removed.Action | Sort-Object -Unique | Should -Be 'Removed'
        (Get-VirtioFsShare -Domain "$Run-h4a").Tag | Should -Be 'hand'
        Get-VirtioFsShare -Domain "$Run-h4b" | Should -BeNullOrEmpty
        Get-Marker "$Run-h4a" | Should -BeNullOrEmpty
        Test-VirtioFsMapping -MappingPath $FleetFile -ConnectionUri $U['127.0.0.4'] -Quiet | Should -BeTrue
    }

    It 'a host that fails is one error with its URI as target, and the other hosts go on' {
        $dead = "qemu+ssh://root@127.0.0.2:1/system?command=$($Ssh.Dir)/ssh&keyfile=$($Ssh.KeyFile)&no_tty=1"
        Add-VirtioFsMappingAssignment -Name $M -Domain "$Run-h2" -ConnectionUri $dead -MappingPath $FleetFile
        Add-VirtioFsMappingAssignment -Name $M -Domain "$Run-gone" -ConnectionUri $U['127.0.0.3'] -MappingPath $FleetFile
        $err = $null
        $r = @(Sync-VirtioFsMapping -MappingPath $FleetFile -ErrorVariable err -ErrorAction SilentlyContinue)
        $r.Count | Should -Be 2
        ($r | ForEach-Object { "$($_.Host) $($_.Action)" } | Sort-Object) | Should -Be @('127.0.0.2 None', '127.0.0.3 None') -Because 'the hosts run at once, in any order'
        $err.Count | Should -Be 2
        $hostError = $err | Where-Object TargetObject -EQ $dead
        $hostError.FullyQualifiedErrorId | Should -BeLike 'HostUnreachable,*'
        $domainError = $err | Where-Object TargetObject -EQ $U['127.0.0.3']
        $domainError.FullyQualifiedErrorId | Should -BeLike 'DomainNotFound,*'
        $domainError.Exception.Message | Should -Match "$Run-gone"
        Test-VirtioFsMapping -MappingPath $FleetFile -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
    }

    It '-Quiet is false for any error the command wrote, also one before any host was read' {
        # A -MappingPath on a provider that is no file system fails the record itself, not a host.
        Test-VirtioFsMapping -MappingPath 'Env:/VIRTIOFS_NOT_A_FILE' -Quiet -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
        $err.Count | Should -Be 1
    }

    It 'pipes the declaration into Test, host by host' {
        Remove-VirtioFsMappingAssignment -Name $M -Domain "$Run-gone" -MappingPath $FleetFile
        Get-VirtioFsMappingAssignment -MappingPath $FleetFile -ConnectionUri $U['127.0.0.2'], $U['127.0.0.3'] | Test-VirtioFsMapping -Quiet | Should -BeTrue
    }
}
