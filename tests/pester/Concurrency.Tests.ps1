# SPDX-License-Identifier: MIT
# Concurrent writers and crashes, with real processes (never threads): eight pwsh processes add
# eight different shares to one domain XML file, then to one libvirt domain, at the same moment,
# three rounds each; every success must be in the result. Then a writer in a loop is killed with
# kill -9 (its whole process group, since `dotnet pwsh` runs pwsh as a child) ten times: the file
# must always parse, and the next write must leave no temp file behind.

BeforeAll {
    . $PSScriptRoot/common.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'These tests define libvirt domains (qemu:///system): run them as root.' }
    Assert-VirtioFsRequirement -Command virsh -Package libvirt-clients
    Assert-VirtioFsRequirement -Command setsid -Package util-linux
    & virsh -c qemu:///system version *> $null
    if ($LASTEXITCODE -ne 0) { throw 'libvirtd does not answer on qemu:///system: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)' }

    $script:Run = 'vfs-conc-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) $Run
    New-Item -ItemType Directory -Path $Work | Out-Null
    $script:Source = Join-Path $Work 'share'
    New-Item -ItemType Directory -Path $Source | Out-Null
    $script:Pwsh = [IO.Path]::Combine($PSHOME, 'pwsh.dll')
    $script:Manifest = [IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1')
    $script:Defined = [Collections.Generic.List[string]]::new()
    $script:Ids = @((Get-VirtioFsAssembly -Name VirtioFs.Core).GetType('VirtioFs.Errors.ErrorIds', $true).GetFields() | ForEach-Object Name)

    function script:New-Writer([string] $Command, [string] $Go) {
        # One real pwsh that waits for the starting gun, then runs $Command and prints one JSON line:
        # {ok, id, message}. Its stdout is read when it ends.
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$Manifest'
while (-not [IO.File]::Exists('$Go')) { [Threading.Thread]::Sleep(20) }   # the starting gun

try { $Command | Out-Null; [pscustomobject]@{ ok = `$true; id = ''; message = '' } | ConvertTo-Json -Compress }
catch { [pscustomobject]@{ ok = `$false; id = `$_.FullyQualifiedErrorId; message = `$_.Exception.GetType().FullName + ': ' + `$_.Exception.Message } | ConvertTo-Json -Compress }
"@
        $psi = [Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($a in @($Pwsh, '-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $p = [Diagnostics.Process]::Start($psi)
        [pscustomobject]@{ Process = $p; Out = $p.StandardOutput.ReadToEndAsync(); Err = $p.StandardError.ReadToEndAsync() }
    }

    function script:Invoke-Race([string[]] $Commands) {
        # Starts one writer per command, lets them all import the module, fires, and returns their results.
        $go = Join-Path $Work ('go-' + [guid]::NewGuid().ToString('N'))
        $writers = @($Commands | ForEach-Object { New-Writer -Command $_ -Go $go })
        # Every writer imports the module, then polls for the gun; give them all time to get there.
        Start-Sleep -Seconds 8
        New-Item -ItemType File -Path $go | Out-Null
        foreach ($w in $writers) {
            if (-not $w.Process.WaitForExit(120000)) {
                $threads = Get-ChildItem -LiteralPath "/proc/$($w.Process.Id)/task" -Directory -ErrorAction SilentlyContinue |
                    ForEach-Object { Get-Content -LiteralPath "$($_.FullName)/wchan" -ErrorAction SilentlyContinue } | Group-Object | ForEach-Object { "$($_.Name) x$($_.Count)" }
                $w.Process.Kill($true)
                throw "a writer did not finish within 120 s (its threads wait in: $($threads -join ', ')): $($w.Out.Result) $($w.Err.Result)"
            }
        }
        foreach ($w in $writers) {
            $line = ($w.Out.Result -split "`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1)
            if (-not $line) { throw "a writer printed no result (exit $($w.Process.ExitCode)): $($w.Out.Result) $($w.Err.Result)" }
            $line | ConvertFrom-Json
        }
    }

    function script:Assert-NoRawException($Results) {
        # Every failure must be one of the module's error records, never a .NET exception escaping.
        foreach ($r in @($Results | Where-Object { -not $_.ok })) {
            ($r.id -split ',')[0] | Should -BeIn $Ids -Because "a failure must carry a stable id, not '$($r.id)' ($($r.message))"
        }
    }

    $script:DomainXml = Get-Content -LiteralPath (Get-VirtioFsFixturePath 'domains/pc-minimal.xml') -Raw
}

AfterAll {
    foreach ($d in $Defined) { & virsh -c qemu:///system undefine $d *> $null }
    if ($Work -and (Test-Path -LiteralPath $Work)) { Remove-Item -LiteralPath $Work -Recurse -Force }
}

Describe 'Concurrent writers lose no edit' {
    It 'eight processes add eight shares to one domain XML file: all succeed and all are in the file (round <Round>)' -ForEach @(
        @{ Round = 1 }, @{ Round = 2 }, @{ Round = 3 }) {
        $file = Join-Path $Work "file-$Round.xml"
        Set-Content -LiteralPath $file -Value ($DomainXml -replace '<name>[^<]*</name>', "<name>$Run-f$Round</name>")
        $results = Invoke-Race -Commands (1..8 | ForEach-Object { "New-VirtioFsShare -Path '$file' -Tag c$_ -Source '$Source'" })
        Assert-NoRawException $results
        @($results | Where-Object ok).Count | Should -Be 8 -Because "writers of one file wait for each other: $(@($results | Where-Object { -not $_.ok } | ForEach-Object message) -join '; ')"
        $tags = @(Get-VirtioFsShare -Path $file | ForEach-Object Tag | Sort-Object)
        $tags | Should -Be @(1..8 | ForEach-Object { "c$_" } | Sort-Object)
        @(Get-ChildItem -LiteralPath $Work -Force -Filter ".file-$Round.xml*.tmp") | Should -BeNullOrEmpty
    }

    It 'eight processes add eight shares to one libvirt domain: every success is defined (round <Round>)' -ForEach @(
        @{ Round = 1 }, @{ Round = 2 }, @{ Round = 3 }) {
        $name = "$Run-l$Round"
        $file = Join-Path $Work "$name.xml"
        Set-Content -LiteralPath $file -Value ($DomainXml -replace '<name>[^<]*</name>', "<name>$name</name>")
        & virsh -c qemu:///system define $file *> $null
        $LASTEXITCODE | Should -Be 0
        $Defined.Add($name)
        $results = Invoke-Race -Commands (1..8 | ForEach-Object { "New-VirtioFsShare -Domain '$name' -ConnectionUri qemu:///system -Tag c$_ -Source '$Source'" })
        Assert-NoRawException $results
        $succeeded = @(1..8 | Where-Object { $results[$_ - 1].ok } | ForEach-Object { "c$_" })
        # Our writers on one host take turns, so all succeed; any that did not must say why with DomainLocked or
        # DomainChangedConcurrently, and must not be defined.
        foreach ($r in @($results | Where-Object { -not $_.ok })) { ($r.id -split ',')[0] | Should -BeIn @('DomainLocked', 'DomainChangedConcurrently') }
        $defined = @(Get-VirtioFsShare -Domain $name -ConnectionUri qemu:///system | ForEach-Object Tag | Sort-Object)
        $defined | Should -Be ($succeeded | Sort-Object) -Because 'every share reported as added must be defined, and only those'
        $succeeded.Count | Should -Be 8
    }

    It 'two hugepage allocations at once leave the pool at what one of them asked, never in between' {
        $dir = '/sys/kernel/mm/hugepages/hugepages-2048kB'
        if (-not (Test-Path $dir)) { throw "This host has no 2 MiB hugepages ($dir); use a kernel with CONFIG_HUGETLBFS." }
        $original = [long](Get-Content "$dir/nr_hugepages")
        try {
            $results = Invoke-Race -Commands @("Set-VirtioFsHugePage -PageSize 2M -Add 16", "Set-VirtioFsHugePage -PageSize 2M -Add 32")
            Assert-NoRawException $results
            @($results | Where-Object ok).Count | Should -Be 2
            # Both -Add must count from what the other left: the pool grows by exactly 48.
            [long](Get-Content "$dir/nr_hugepages") | Should -Be ($original + 48)
        }
        finally {
            [IO.File]::WriteAllText("$dir/nr_hugepages", "$original")
        }
    }
}

Describe 'A writer killed with kill -9 leaves nothing behind' {
    It 'the file always parses, and the next write removes the temp files of dead writers' {
        $file = Join-Path $Work 'crash.xml'
        Set-Content -LiteralPath $file -Value ($DomainXml -replace '<name>[^<]*</name>', "<name>$Run-crash</name>")
        $loop = "Import-Module '$Manifest'; while (`$true) { New-VirtioFsShare -Path '$file' -Tag crash -Source '$Source' -ErrorAction SilentlyContinue | Out-Null; Remove-VirtioFsShare -Path '$file' -Tag crash -Confirm:`$false -ErrorAction SilentlyContinue }"
        $killed = 0
        $stale = 0
        for ($i = 0; $i -lt 10; $i++) {
            # setsid: the writer leads its own process group, so kill -9 -PGID reaches dotnet and pwsh alike.
            $psi = [Diagnostics.ProcessStartInfo]::new('setsid')
            foreach ($a in @('dotnet', $Pwsh, '-NoProfile', '-NonInteractive', '-Command', $loop)) { $psi.ArgumentList.Add($a) }
            $psi.UseShellExecute = $false
            $p = [Diagnostics.Process]::Start($psi)
            Start-Sleep -Milliseconds (2500 + (Get-Random -Maximum 1500))
            # '--' is not optional: without it this kill reads -PGID as -1, which is every process on the host.
            & kill -s KILL -- "-$($p.Id)"
            $p.WaitForExit(10000) | Out-Null
            $killed++
            # Whatever instant the kill hit, the file is a whole domain: the old or the new version.
            { Get-VirtioFsShare -Path $file -ErrorAction Stop } | Should -Not -Throw
            $stale += @(Get-ChildItem -LiteralPath $Work -Force -Filter '.crash.xml*.tmp').Count
        }
        $killed | Should -Be 10
        Write-Host "kill -9 left $stale temp file(s) over 10 kills; the next write must remove them"
        # However the kills fell, a dead writer's temp file and backup temp are there, and a live one's (this
        # process's: a write in progress in another runspace) must be left alone.
        $dead = Start-Process -FilePath true -PassThru; $dead.WaitForExit()
        $guid = [guid]::NewGuid().ToString('N')
        New-Item -ItemType File -Path (Join-Path $Work ".crash.xml.$($dead.Id).$guid.tmp"), (Join-Path $Work ".crash.xml.bak.$($dead.Id).$guid.tmp") | Out-Null
        $live = Join-Path $Work ".crash.xml.$PID.$guid.tmp"
        New-Item -ItemType File -Path $live | Out-Null
        New-VirtioFsShare -Path $file -Tag after -Source $Source | Out-Null
        @(Get-ChildItem -LiteralPath $Work -Force -Filter '.crash.xml*.tmp').FullName | Should -Be @($live)
        Remove-Item -LiteralPath $live -Force
        (Get-VirtioFsShare -Path $file).Tag | Should -Contain 'after'
    }
}
