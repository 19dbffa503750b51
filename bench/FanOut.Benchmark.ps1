# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    Fan-out over three hosts against the slowest of them alone: Get-VirtioFsShare -ConnectionUri a,b,c.
.DESCRIPTION
    The three hosts are the loopback sshd of the tests (tests/tools/start-sshd.sh): 127.0.0.2, .3 and .4,
    each reached as qemu+ssh://root@127.0.0.N:PORT/system over a real ssh login, all leading to this
    machine's libvirtd. The script starts that sshd when it is not running (and stops it again at the end);
    it never starts or stops libvirtd.

    Set-up, outside the timing: -Count domains (the fixture shapes, type='qemu', named vfsb-<run>-...) are
    defined on qemu:///system and given a virtio-fs share. Then -Rounds rounds, each timing four calls in
    this pwsh process, the order rotating between rounds:

      single  Get-VirtioFsShare -Domain 'vfsb-<run>-*' -ConnectionUri <host>, once per host: an ssh login,
              the domain list and each domain's XML through that host's connection;
      fan-out the same with -ConnectionUri <host1>,<host2>,<host3> (-ThrottleLimit left at its default):
              the three hosts at once, one stream of 3 x Count shares.

      floor   bench/floors/fanout_read.py, one python3 process kept running: the same four calls through
              python3-libvirt, one thread per host (connect over the same ssh URI, list, XMLDesc and parse
              each domain), each timed right after the module's call of the same slot (or right before: the
              order alternates).

    Every call's output is checked (Count shares per host, each stamped with its host's URI). Prints the
    median of each single host and of the fan-out with their spread, what running the hosts one after the
    other would cost, the floor's own fan-out ratio (what this machine allows: all three "hosts" share its
    two CPUs and its libvirtd, and an ssh login is mostly CPU, so three at once compete in a way three real
    hosts would not), the per-round ratios, and last the ratio median fan-out / slowest single host's
    median, against the target of 1.5x. Exit code 0 whether or not it is met; 1 when an output is wrong.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/FanOut.Benchmark.ps1 -Count 20 -Rounds 5
#>
[CmdletBinding()]
param(
    # The built module directory; default $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    [string] $ModulePath,

    # Domains each host reads per call.
    [ValidateRange(1, 1000)]
    [int] $Count = 20,

    [ValidateRange(1, 101)]
    [int] $Rounds = 5,

    [int] $Seed = (Get-Random -Minimum 0 -Maximum ([int]::MaxValue))
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'BenchCommon.ps1'))

$Target = 1.5
$Tag = 'data'
$LocalUri = 'qemu:///system'
$repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..'))
$sshDir = [IO.Path]::Combine($repo, 'output', 'ssh')

$manifest = Resolve-BenchModule $ModulePath
$python = Get-BenchPython
$floorScript = [IO.Path]::Combine($PSScriptRoot, 'floors', 'fanout_read.py')
Assert-BenchLibvirtPython $python

function Test-Sshd {
    $pidFile = [IO.Path]::Combine($sshDir, 'sshd.pid')
    (Test-Path -LiteralPath $pidFile) -and (Test-Path -LiteralPath "/proc/$((Get-Content -LiteralPath $pidFile -Raw).Trim())")
}

$run = 'vfsb-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
$work = [IO.Path]::Combine([IO.Path]::GetTempPath(), "virtiofs-bench-$run")
$startedSshd = $false
$worker = $null
$exit = 0
try {
    if (-not (Test-Sshd)) {
        & bash ([IO.Path]::Combine($repo, 'tests', 'tools', 'start-sshd.sh'))
        if ($LASTEXITCODE -ne 0) { throw 'tests/tools/start-sshd.sh failed: apt-get install openssh-server openssh-client' }
        $startedSshd = $true
    }
    # As tests/pester/common.ps1 (Get-VirtioFsTestSsh) builds them: command= runs ssh with output/ssh/ssh_config.
    $port = [int](Get-Content -LiteralPath ([IO.Path]::Combine($sshDir, 'port')) -Raw).Trim()
    $key = [IO.Path]::Combine($sshDir, 'id_ed25519')
    $hosts = @(foreach ($a in '127.0.0.2', '127.0.0.3', '127.0.0.4') {
        "qemu+ssh://root@${a}:$port/system?command=$sshDir/ssh&keyfile=$key&no_tty=1"
    })

    $source = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'share')).FullName
    $domains = @(New-BenchDomainXml -Number $Count -Random ([System.Random]::new($Seed)) -Prefix "$run-" -ForLibvirt)
    Write-BenchHeader "Fan-out: Get-VirtioFsShare over 3 hosts (loopback sshd, port $port) against each host alone, $Count domains x $Rounds rounds"
    Write-Host "Seed $Seed; $(Format-BenchMix $domains); domains named $run-*"

    $null = Invoke-BenchDomains -Python $python -Uri $LocalUri -Job @{ action = 'define'; xml = @($domains.Xml) }
    Import-Module $manifest -ErrorAction Stop
    foreach ($d in $domains) { $null = New-VirtioFsShare -Domain $d.Name -ConnectionUri $LocalUri -Tag $Tag -Source $source -Confirm:$false }

    $sw = [Diagnostics.Stopwatch]::new()
    $bad = [Collections.Generic.List[string]]::new()
    function Measure-Get([string[]] $Uris) {
        $sw.Restart()
        $shares = @(Get-VirtioFsShare -Domain "$run-*" -ConnectionUri $Uris -ErrorAction Stop)
        $sw.Stop()
        foreach ($u in $Uris) {
            $got = @($shares | Where-Object ConnectionUri -EQ $u).Count
            if ($got -ne $Count) { $bad.Add("$got of $Count shares from $u") }
        }
        if ($shares.Count -ne $Count * $Uris.Count) { $bad.Add("$($shares.Count) shares from $($Uris.Count) host(s), expected $($Count * $Uris.Count)") }
        $sw.Elapsed.TotalSeconds
    }

    function Measure-Floor([string[]] $Uris) {
        $out = Invoke-BenchWorker $worker @{ uris = $Uris }
        foreach ($n in @($out.shares)) { if ($n -ne $Count) { $bad.Add("floor: $n of $Count shares from one of $($Uris -join ', ')") } }
        [double]$out.seconds
    }
    $worker = Start-BenchWorker -FilePath $python -ArgumentList @($floorScript) -Config @{ prefix = "$run-" }

    # Warm-up, not counted: the JIT (the fan-out's worker threads too), and each host's first ssh login.
    for ($w = 0; $w -lt 2; $w++) {
        foreach ($h in $hosts) { $null = Measure-Get @($h); $null = Measure-Floor @($h) }
        $null = Measure-Get $hosts
        $null = Measure-Floor $hosts
    }

    $single = @{}
    foreach ($h in $hosts) { $single[$h] = [Collections.Generic.List[double]]::new() }
    $fan = [Collections.Generic.List[double]]::new()
    $roundRatios = [Collections.Generic.List[double]]::new()
    $floorSingle = @{}
    foreach ($h in $hosts) { $floorSingle[$h] = [Collections.Generic.List[double]]::new() }
    $floorFan = [Collections.Generic.List[double]]::new()
    for ($r = 0; $r -lt $Rounds; $r++) {
        # Four slots (three hosts alone, then all three), rotated so each takes every place in turn.
        $slots = @($hosts + @('fan-out'))
        $order = @(for ($k = 0; $k -lt $slots.Count; $k++) { $slots[($k + $r) % $slots.Count] })
        $thisRound = @{}
        $floorRound = @{}
        $k = 0
        foreach ($slot in $order) {
            $uris = if ($slot -eq 'fan-out') { $hosts } else { @($slot) }
            if (($r + $k++) % 2) { $floorRound[$slot] = Measure-Floor $uris; $thisRound[$slot] = Measure-Get $uris }
            else { $thisRound[$slot] = Measure-Get $uris; $floorRound[$slot] = Measure-Floor $uris }
        }
        foreach ($h in $hosts) { $single[$h].Add($thisRound[$h]); $floorSingle[$h].Add($floorRound[$h]) }
        $fan.Add($thisRound['fan-out'])
        $floorFan.Add($floorRound['fan-out'])
        $slowest = ($hosts | ForEach-Object { $thisRound[$_] } | Measure-Object -Maximum).Maximum
        $roundRatios.Add($fan[-1] / $slowest)
        Write-Host ('round {0}: alone {1} s, fan-out {2:F3} s, ratio {3:F2}, load {4}' -f ($r + 1),
            (($hosts | ForEach-Object { $thisRound[$_].ToString('F3') }) -join ' / '), $fan[-1], $roundRatios[-1], (Get-BenchLoad))
    }

    ''
    'Outputs checked: {0}' -f ($bad.Count ? "$($bad.Count) wrong, e.g. $($bad[0])" : "every call returned $Count shares per host, each with its host's URI")
    ''
    '{0,-30} {1,10}   {2}' -f 'Call', 'median s', 'seconds: min-max (each round)'
    $medians = @{}
    $n = 2
    foreach ($h in $hosts) {
        $medians[$h] = Get-BenchMedian $single[$h].ToArray()
        '{0,-30} {1,10:F3}   {2}' -f "host 127.0.0.$n alone", $medians[$h], (Format-BenchSpread $single[$h].ToArray())
        $n++
    }
    $fanMedian = Get-BenchMedian $fan.ToArray()
    '{0,-30} {1,10:F3}   {2}' -f 'all 3 in one call (fan-out)', $fanMedian, (Format-BenchSpread $fan.ToArray())
    $floorMedians = @($hosts | ForEach-Object { Get-BenchMedian $floorSingle[$_].ToArray() })
    $floorSlowest = ($floorMedians | Measure-Object -Maximum).Maximum
    $floorFanMedian = Get-BenchMedian $floorFan.ToArray()
    '{0,-30} {1,10:F3}   {2}' -f 'floor: slowest host alone', $floorSlowest, ('hosts {0} s' -f (($floorMedians | ForEach-Object { $_.ToString('F3') }) -join ' / '))
    '{0,-30} {1,10:F3}   {2}' -f 'floor: all 3 at once', $floorFanMedian, (Format-BenchSpread $floorFan.ToArray())
    $slowestMedian = ($hosts | ForEach-Object { $medians[$_] } | Measure-Object -Maximum).Maximum
    $sum = ($hosts | ForEach-Object { $medians[$_] } | Measure-Object -Sum).Sum
    ''
    'One host after the other would take {0:F3} s (sum of the medians); the fan-out takes {1:F2}x of that.' -f $sum, ($fanMedian / $sum)
    'The floor''s own fan-out ratio on this machine: {0:F2}x (python3-libvirt, 3 threads / slowest host alone); the module''s fan-out call takes {1:F2}x the floor''s.' -f ($floorFanMedian / $floorSlowest), ($fanMedian / $floorFanMedian)
    'Per-round ratios fan-out / slowest host alone: median {0:F2}x, {1}' -f (Get-BenchMedian $roundRatios.ToArray()), (Format-BenchSpread $roundRatios.ToArray() 'F2')
    'Load average at the end: {0}' -f (Get-BenchLoad)
    if ($bad.Count) {
        Write-Error "Wrong outputs: $(($bad | Select-Object -First 5) -join '; ')" -ErrorAction Continue
        $exit = 1
    }
    Write-BenchVerdict 'Fan-out over 3 hosts / slowest host alone (medians)' ($fanMedian / $slowestMedian) $Target ('{0:F3} / {1:F3} s' -f $fanMedian, $slowestMedian)
}
finally {
    Stop-BenchWorker $worker
    Remove-BenchDomains -Python $python -Uri $LocalUri -Prefix "$run-"
    if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
    if ($startedSshd) { & bash ([IO.Path]::Combine($repo, 'tests', 'tools', 'stop-sshd.sh')) *> $null }
}
exit $exit
