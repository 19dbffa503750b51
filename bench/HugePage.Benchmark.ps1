# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    Allocation time of Set-VirtioFsHugePage against a plain write to nr_hugepages.
.DESCRIPTION
    For the same page count, each round releases the pool to its original size, then times a plain
    write of nr_hugepages (plus the read-back any honest caller needs), releases again, and times
    Set-VirtioFsHugePage -Count. The order alternates between rounds so neither side always gets the
    memory the other just freed. Prints the median of each side and the ratio (target: within 1.2x;
    the kernel is the limit), for each -Count in turn, then the cmdlet's fixed cost (a call that
    finds the pool already at its size: everything but the kernel's work). The pool is released to
    its original size before every timed write and restored at the end. Needs root.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/HugePage.Benchmark.ps1 -Count 256,1024,2048 -Rounds 15
#>
[CmdletBinding()]
param(
    # Pages of 2 MiB per allocation (keep it small: the pool is shared with whatever else runs).
    [ValidateRange(1, 4096)] [int[]] $Count = @(256, 1024, 2048),
    [ValidateRange(1, 100)] [int] $Rounds = 7,
    # The built module directory; default $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    [string] $ModulePath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'BenchCommon.ps1'))

if ((& id -u) -ne '0') { throw 'The benchmark writes /sys/kernel/mm/hugepages and needs root.' }
Import-Module -Name (Resolve-BenchModule $ModulePath) -Force

$file = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'
function Get-Nr { [long][IO.File]::ReadAllText($file).Trim() }
function Set-Nr([long] $n) { [IO.File]::WriteAllText($file, "$n") }

$original = Get-Nr
$sw = [Diagnostics.Stopwatch]::new()
$summary = [Collections.Generic.List[object]]::new()
'load average at start: {0}' -f (Get-BenchLoad)

function Measure-Plain([long] $target, $into) {
    Set-Nr $original
    $sw.Restart()
    Set-Nr $target
    $got = Get-Nr
    $sw.Stop()
    if ($got -ne $target) { throw "plain write got $got of $target pages" }
    $into.Add($sw.Elapsed.TotalMilliseconds)
}
function Measure-Module([long] $target, $into) {
    Set-Nr $original
    $sw.Restart()
    $pool = Set-VirtioFsHugePage -Count $target -PageSize 2M
    $sw.Stop()
    if ($pool.Total -ne $target) { throw "Set-VirtioFsHugePage got $($pool.Total) of $target pages" }
    $into.Add($sw.Elapsed.TotalMilliseconds)
}
function Format-All($v) { ($v | ForEach-Object { $_.ToString('N1') }) -join ', ' }

try {
    foreach ($c in $Count) {
        $target = $original + $c
        $plain = [Collections.Generic.List[double]]::new()
        $module = [Collections.Generic.List[double]]::new()
        # Warm-up (JIT, first-touch of the kernel's page allocator), not counted.
        Measure-Plain $target $plain; Measure-Module $target $module; $plain.Clear(); $module.Clear()
        for ($i = 0; $i -lt $Rounds; $i++) {
            if ($i % 2) { Measure-Module $target $module; Measure-Plain $target $plain } else { Measure-Plain $target $plain; Measure-Module $target $module }
        }
        $p = Get-BenchMedian $plain.ToArray()
        $m = Get-BenchMedian $module.ToArray()
        $ratio = if ($p -gt 0) { $m / $p } else { [double]::NaN }
        ''
        '{0} rounds of {1} x 2 MiB pages' -f $Rounds, $c
        'plain write + read-back : median {0,8:N2} ms  (all: {1})' -f $p, (Format-All $plain)
        'Set-VirtioFsHugePage    : median {0,8:N2} ms  (all: {1})' -f $m, (Format-All $module)
        'ratio                   : {0:N2}x (target <= 1.20x): {1}' -f $ratio, $(if ($ratio -le 1.2) { 'within target' } else { 'over target' })
        $summary.Add([pscustomobject]@{ Pages = $c; PlainMs = [math]::Round($p, 2); CmdletMs = [math]::Round($m, 2); Ratio = [math]::Round($ratio, 2) })
    }
    # The cmdlet's own cost: the pool already holds the count, so the kernel does nothing.
    Set-Nr $original
    $null = Set-VirtioFsHugePage -Count $original -PageSize 2M
    $fixed = [double[]]::new(200)
    for ($i = 0; $i -lt $fixed.Length; $i++) { $sw.Restart(); $null = Set-VirtioFsHugePage -Count $original -PageSize 2M; $sw.Stop(); $fixed[$i] = $sw.Elapsed.TotalMilliseconds }
    $read = [double[]]::new(200)
    for ($i = 0; $i -lt $read.Length; $i++) { $sw.Restart(); $null = Get-Nr; $sw.Stop(); $read[$i] = $sw.Elapsed.TotalMilliseconds }
}
finally {
    Set-Nr $original
}
''
'fixed cost of the cmdlet (no-op call, 200 x): median {0:N3} ms; a plain read of nr_hugepages: median {1:N3} ms' -f (Get-BenchMedian $fixed), (Get-BenchMedian $read)
'load average at end: {0}; pool restored to {1}' -f (Get-BenchLoad), (Get-Nr)
$summary | Format-Table -AutoSize | Out-String
