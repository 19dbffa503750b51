# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    New-VirtioFsShare -Domain on many libvirt domains against its floor: libvirt's C API from Python.
.DESCRIPTION
    Generates -Count domain definitions (the shapes of tests/fixtures/domains that this libvirt can define,
    type='qemu'), then runs -Rounds rounds. Each round defines that same set twice, once per side, under
    fresh random names (vfsb-<run>-r<round>-m-... and -f-...; outside the timing), works through them in
    chunks of -Chunk domains (2), the two sides taking turns chunk by chunk (who goes first alternates), so both
    see the same load on a shared machine, then undefines them:

      module  this pwsh process, module imported once before the rounds: for each domain
              New-VirtioFsShare -Domain <name> -ConnectionUri <uri> -Tag data -Source <dir>, timed with a
              Stopwatch around each chunk's loop. Each call is a cmdlet of its own, so it opens its own
              connection, as a runbook's loop does;
      floor   bench/floors/libvirt_edit.py, one python3 process kept running for the whole run, on ONE
              connection opened before any timing: virDomainLookupByName, virDomainGetXMLDesc(INACTIVE|SECURE),
              the same edit with ElementTree, virDomainDefineXMLFlags(VALIDATE), timed inside Python around
              each chunk's loop;
      trivial a cmdlet that does nothing but bind the same parameters and write one object, in the same
              loop shape: what PowerShell's invocation and binding alone cost per call; and one derived from
              the module's ShareOptionsCmdlet (New-VirtioFsShare's base classes and parameters) doing nothing.

    A side's round time is the sum of its chunks. A warm-up on a few domains is not counted. Prints each
    side's median ms per VM with its spread, the median of the per-round ratios, then the ratio of the
    medians (module / floor) last, against the target of 1.3x. Exit code 0 whether or not it is met; 1 when
    a domain lacks the share afterwards. Every domain of the run is undefined at the end, also on failure or
    Ctrl+C. Needs a libvirtd on -ConnectionUri (tests/tools/start-libvirt.sh) and python3-libvirt
    (build.ps1 -Task Bench installs it).
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/LibvirtEdit.Benchmark.ps1 -Count 60 -Rounds 5
#>
[CmdletBinding()]
param(
    # The built module directory; default $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    [string] $ModulePath,

    # Domains per side and round.
    [ValidateRange(1, 10000)]
    [int] $Count = 60,

    [ValidateRange(1, 101)]
    [int] $Rounds = 5,

    # Domains per turn: the sides alternate after each chunk.
    [ValidateRange(1, 10000)]
    [int] $Chunk = 2,

    [ValidateNotNullOrEmpty()]
    [string] $ConnectionUri = 'qemu:///system',

    [int] $Seed = (Get-Random -Minimum 0 -Maximum ([int]::MaxValue))
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'BenchCommon.ps1'))

$Target = 1.3
$Tag = 'data'
$WarmUp = [Math]::Min(5, $Count)

$manifest = Resolve-BenchModule $ModulePath
$python = Get-BenchPython
$floorScript = [IO.Path]::Combine($PSScriptRoot, 'floors', 'libvirt_edit.py')
Assert-BenchLibvirtPython $python
Import-BenchNothingCmdlet

$run = 'vfsb-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
$work = [IO.Path]::Combine([IO.Path]::GetTempPath(), "virtiofs-bench-$run")

function Invoke-Domains([hashtable] $Job) { Invoke-BenchDomains -Python $python -Uri $ConnectionUri -Job $Job }

# The same definition under another name and uuid: libvirt wants both unique.
function Rename-Domain([string] $Xml, [string] $Name) {
    $xml = [regex]::new('<name>[^<]*</name>').Replace($Xml, "<name>$Name</name>", 1)
    [regex]::new('<uuid>[^<]*</uuid>').Replace($xml, "<uuid>$([guid]::NewGuid())</uuid>", 1)
}

$exit = 0
$worker = $null
try {
    $source = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'share')).FullName
    $domains = @(New-BenchDomainXml -Number $Count -Random ([System.Random]::new($Seed)) -ForLibvirt)
    Write-BenchHeader "libvirt edit: New-VirtioFsShare -Domain against python3-libvirt (libvirt_edit.py) on $ConnectionUri, $Count domains x $Rounds rounds"
    Write-Host "Seed $Seed; $(Format-BenchMix $domains); domains named $run-*"

    # Defines the set for one side of one round; returns the names, in the set's order.
    function New-Set([string] $Label, [int] $Number = $Count) {
        $names = [Collections.Generic.List[string]]::new()
        $xml = [Collections.Generic.List[string]]::new()
        for ($i = 0; $i -lt $Number; $i++) {
            $name = "$run-$Label-$($domains[$i].Name)"
            $names.Add($name)
            $xml.Add((Rename-Domain $domains[$i].Xml $name))
        }
        $null = Invoke-Domains @{ action = 'define'; xml = $xml.ToArray() }
        , $names.ToArray()
    }
    $sw = [Diagnostics.Stopwatch]::new()
    function Measure-Module([string[]] $Names) {
        $sw.Restart()
        foreach ($n in $Names) {
            $null = New-VirtioFsShare -Domain $n -ConnectionUri $ConnectionUri -Tag $Tag -Source $source -Confirm:$false -ErrorAction Stop
        }
        $sw.Stop()
        $sw.Elapsed.TotalSeconds
    }
    function Measure-Trivial([string[]] $Names) {
        $sw.Restart()
        foreach ($n in $Names) { $null = Test-BenchNothing -Domain $n -ConnectionUri $ConnectionUri -Tag $Tag -Source $source -Confirm:$false -ErrorAction Stop }
        $sw.Stop()
        $sw.Elapsed.TotalSeconds
    }
    function Measure-Base([string[]] $Names) {
        $sw.Restart()
        foreach ($n in $Names) { $null = Test-BenchShareNothing -Domain $n -ConnectionUri $ConnectionUri -Tag $Tag -Source $source -Confirm:$false -ErrorAction Stop }
        $sw.Stop()
        $sw.Elapsed.TotalSeconds
    }
    function Measure-Floor([string[]] $Names) {
        $out = Invoke-BenchWorker $worker @{ names = $Names }
        if ($out.count -ne $Names.Count) { throw "The floor edited $($out.count) of $($Names.Count) domains." }
        [double]$out.seconds
    }

    $worker = Start-BenchWorker -FilePath $python -ArgumentList @($floorScript) -Config @{ uri = $ConnectionUri; tag = $Tag; source = $source }
    $sw.Restart()
    Import-Module $manifest -ErrorAction Stop
    $importSeconds = $sw.Elapsed.TotalSeconds
    Import-BenchShareNothingCmdlet
    # Warm-up, not counted: the JIT, libvirtd's caches of the emulator's capabilities.
    $null = Measure-Module (New-Set 'wm' $WarmUp)
    $null = Measure-Floor (New-Set 'wf' $WarmUp)

    $check = $null
    $result = Invoke-BenchTurns -Count $Count -Rounds $Rounds -Chunk $Chunk `
        -NewRound { param($Round) @{ Module = New-Set "r$Round-m"; Floor = New-Set "r$Round-f" } } `
        -Module { param($Names) Measure-Module $Names } -Floor { param($Names) Measure-Floor $Names } `
        -Trivial { param($Names) Measure-Trivial $Names } -Base { param($Names) Measure-Base $Names } `
        -EndRound {
            param($Round, $Set)
            if ($Round -eq $Rounds) {
                # $script: the block runs in a scope of its own; a plain assignment would be lost with it.
                $script:check = Invoke-Domains @{ action = 'check'; names = @($Set.Module + $Set.Floor); tag = $Tag; source = $source }
            }
            $null = Invoke-Domains @{ action = 'undefine'; prefix = "$run-r$Round-" }
        }

    $m = $result.ModuleMedian
    $f = $result.FloorMedian
    ''
    'Correct definitions in the last round (share, shared memory, read back from libvirt): {0} of {1}' -f $check.ok, (2 * $Count)
    'Module import: {0:F3} s (once, not counted)' -f $importSeconds
    ''
    Format-BenchTurnTable $result -ModuleLabel 'New-VirtioFsShare -Domain' -FloorLabel 'floor: C API from Python, 1 connection'
    'Load average at the end: {0}' -f (Get-BenchLoad)
    if (@($check.bad).Count -gt 0) {
        Write-Error "Domains without the share or shared memory, e.g.: $((@($check.bad) | Select-Object -First 5) -join ', ')" -ErrorAction Continue
        $exit = 1
    }
    Write-BenchVerdict 'libvirt edit, module / floor (medians)' ($m / $f) $Target ('{0:F3} / {1:F3} ms per VM' -f $m, $f)
}
finally {
    Stop-BenchWorker $worker
    # Every domain of this run, whatever round it got to.
    Remove-BenchDomains -Python $python -Uri $ConnectionUri -Prefix "$run-"
    if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
}
exit $exit
