# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    New-VirtioFsShare -Path on many domain XML files against its floor: the same edit done by Python.
.DESCRIPTION
    Generates -Count domain XML files (the shapes of tests/fixtures/domains, unique names and uuids), then
    runs -Rounds rounds. Each round gives both sides fresh copies of that same set, in a directory of their
    own (the same path every round), and works through it in chunks of -Chunk files (10), the two sides taking
    turns chunk by chunk (who goes first alternates), so both see the same load on a shared machine:

      module  this pwsh process, module imported once before the rounds: for each file
              New-VirtioFsShare -Path <file> -Tag data -Source <dir> (lock, read, validate, edit, .bak,
              atomic durable write), timed with a Stopwatch around each chunk's loop;
      floor   bench/floors/file_edit.py, one python3 process kept running for the whole run, timed inside
              Python around each chunk's loop: the writers' lock file, read, parse and edit with ElementTree,
              then .bak and file each written to a temp file, fsynced, chmod/chown, renamed, and the
              directory fsynced, as the module's AtomicFile does;
      trivial a cmdlet that does nothing but bind the same parameters and write one object, in the same
              loop shape: what PowerShell's invocation and binding alone cost per call; and one derived from
              the module's ShareOptionsCmdlet (New-VirtioFsShare's base classes and parameters) doing nothing.

    A side's round time is the sum of its chunks. Start-up (pwsh, python, the import) is outside the timing
    on both sides. A warm-up pass over the whole set (JIT tiering) is not counted; its ratio is printed. Prints each side's median ms per VM over
    the rounds with its spread, the median of the per-round ratios, then the ratio of the medians (module /
    floor) last, against the target of 1.25x. Exit code 0 whether or not it is met; 1 when an output lacks
    the share or its .bak.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/FileEdit.Benchmark.ps1 -Count 400 -Rounds 5
#>
[CmdletBinding()]
param(
    # The built module directory; default $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    [string] $ModulePath,

    # Domain XML files per round (each side edits all of them).
    [ValidateRange(1, 100000)]
    [int] $Count = 400,

    # Timed rounds; the medians are taken over them.
    [ValidateRange(1, 101)]
    [int] $Rounds = 5,

    # Files per turn: the sides alternate after each chunk.
    [ValidateRange(1, 100000)]
    [int] $Chunk = 10,

    # Seed for the shape mix and the uuids; random (and printed) when omitted.
    [int] $Seed = (Get-Random -Minimum 0 -Maximum ([int]::MaxValue))
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'BenchCommon.ps1'))

$Target = 1.25
$Tag = 'data'
$WarmUp = $Count

$manifest = Resolve-BenchModule $ModulePath
$python = Get-BenchPython
$floorScript = [IO.Path]::Combine($PSScriptRoot, 'floors', 'file_edit.py')

Import-BenchNothingCmdlet

$work = [IO.Path]::Combine([IO.Path]::GetTempPath(), "virtiofs-bench-file-$([guid]::NewGuid().ToString('n'))")
$lockDir = $null
$savedLockDir = $env:VIRTIOFS_LOCK_DIR
$exit = 0
$worker = $null
try {
    $genDir = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'generated')).FullName
    $source = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'share')).FullName
    # Both sides take their locks in it.
    $lockDir = New-BenchLockDir $work
    $env:VIRTIOFS_LOCK_DIR = $lockDir

    $domains = @(New-BenchDomainXml -Number $Count -Random ([System.Random]::new($Seed)))
    foreach ($d in $domains) { [IO.File]::WriteAllText([IO.Path]::Combine($genDir, "$($d.Name).xml"), $d.Xml) }
    $names = @($domains | ForEach-Object { "$($_.Name).xml" })
    Write-BenchHeader "File edit: New-VirtioFsShare -Path against Python (file_edit.py), $Count files x $Rounds rounds"
    Write-Host "Seed $Seed; $(Format-BenchMix $domains); in $work"

    # Fresh copies of the first $Number generated files in $work/<side>, the same path every round.
    function Copy-Set([string] $Side, [int] $Number = $Count) {
        Copy-BenchSet -From $genDir -To ([IO.Path]::Combine($work, $Side)) -Names $names[0..($Number - 1)]
    }
    $sw = [Diagnostics.Stopwatch]::new()
    function Measure-Module([string[]] $Files) {
        $sw.Restart()
        foreach ($f in $Files) { $null = New-VirtioFsShare -Path $f -Tag $Tag -Source $source -Confirm:$false -ErrorAction Stop }
        $sw.Stop()
        $sw.Elapsed.TotalSeconds
    }
    function Measure-Trivial([string[]] $Files) {
        $sw.Restart()
        foreach ($f in $Files) { $null = Test-BenchNothing -Path $f -Tag $Tag -Source $source -Confirm:$false -ErrorAction Stop }
        $sw.Stop()
        $sw.Elapsed.TotalSeconds
    }
    function Measure-Base([string[]] $Files) {
        $sw.Restart()
        foreach ($f in $Files) { $null = Test-BenchShareNothing -Path $f -Tag $Tag -Source $source -Confirm:$false -ErrorAction Stop }
        $sw.Stop()
        $sw.Elapsed.TotalSeconds
    }
    function Measure-Floor([string[]] $Files) {
        $out = Invoke-BenchWorker $worker @{ files = $Files }
        if ($out.count -ne $Files.Count) { throw "The floor edited $($out.count) of $($Files.Count) files." }
        [double]$out.seconds
    }

    $worker = Start-BenchWorker -FilePath $python -ArgumentList @($floorScript) -Config @{ tag = $Tag; source = $source; lockdir = $lockDir }
    $sw.Restart()
    Import-Module $manifest -ErrorAction Stop
    $importSeconds = $sw.Elapsed.TotalSeconds
    Import-BenchShareNothingCmdlet
    # Warm-up, not counted: one whole pass over the set on each side. .NET compiles a method quickly first
    # and again, optimised, once it is hot (tiered JIT); on this path that settles only after several hundred
    # calls, so a 20-file warm-up left the first timed rounds 1.3-1.6x slower than the later ones (measured).
    # The cold pass is printed for information: it is what one fresh process editing the set once pays.
    $coldModule = Measure-Module (Copy-Set 'module' $WarmUp)
    $coldFloor = Measure-Floor (Copy-Set 'floor' $WarmUp)
    $null = Measure-Trivial (Copy-Set 'trivial' $WarmUp)

    $result = Invoke-BenchTurns -Count $Count -Rounds $Rounds -Chunk $Chunk `
        -NewRound { param($Round) @{ Module = Copy-Set 'module'; Floor = Copy-Set 'floor' } } `
        -Module { param($Files) Measure-Module $Files } -Floor { param($Files) Measure-Floor $Files } `
        -Trivial { param($Files) Measure-Trivial $Files } -Base { param($Files) Measure-Base $Files }

    # Correctness of the last round, both sides: the share, shared memory, and a .bak equal to the input.
    $bad = [Collections.Generic.List[string]]::new()
    foreach ($side in 'module', 'floor') {
        foreach ($n in $names) {
            $file = [IO.Path]::Combine($work, $side, $n)
            $share = Test-BenchShareOutput -File $file -Tag $Tag -Source $source
            $bakSame = [IO.File]::Exists("$file.bak") -and
                [Linq.Enumerable]::SequenceEqual([IO.File]::ReadAllBytes("$file.bak"), [IO.File]::ReadAllBytes([IO.Path]::Combine($genDir, $n)))
            if (-not $share.Ok -or -not $bakSame) { $bad.Add("$side/$n") }
        }
    }

    $m = $result.ModuleMedian
    $f = $result.FloorMedian
    ''
    'Correct outputs (share, shared memory, .bak = input): {0} of {1}' -f (2 * $Count - $bad.Count), (2 * $Count)
    'Module import: {0:F3} s (once, not counted)' -f $importSeconds
    ''
    Format-BenchTurnTable $result -ModuleLabel 'New-VirtioFsShare -Path' -FloorLabel 'floor: Python, same edit, durable'
    'Cold pass (the untimed warm-up, JIT tiering under way): module {0:F3}, floor {1:F3} ms per VM, {2:F2}x' -f ($coldModule * 1000 / $WarmUp), ($coldFloor * 1000 / $WarmUp), ($coldModule / $coldFloor)
    'Load average at the end: {0}' -f (Get-BenchLoad)
    if ($bad.Count) {
        Write-Error "Outputs without the share, shared memory or the .bak, e.g.: $(($bad | Select-Object -First 5) -join ', ')" -ErrorAction Continue
        $exit = 1
    }
    Write-BenchVerdict 'File edit, module / floor (medians)' ($m / $f) $Target ('{0:F3} / {1:F3} ms per VM' -f $m, $f)
}
finally {
    Stop-BenchWorker $worker
    $env:VIRTIOFS_LOCK_DIR = $savedLockDir
    foreach ($d in $work, $lockDir) { if ($d -and (Test-Path -LiteralPath $d)) { Remove-Item -LiteralPath $d -Recurse -Force } }
}
exit $exit
