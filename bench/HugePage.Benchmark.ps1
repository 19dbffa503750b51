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
    the kernel is the limit). The original pool size is restored at the end. Needs root.
.EXAMPLE
    dotnet pwsh -NoProfile -File bench/HugePage.Benchmark.ps1 -Count 256 -Rounds 7
#>
[CmdletBinding()]
param(
    # Pages of 2 MiB per allocation (keep it small: the pool is shared with whatever else runs).
    [ValidateRange(1, 4096)] [int] $Count = 256,
    [ValidateRange(1, 100)] [int] $Rounds = 7,
    # The built module; default $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    [string] $ModulePath = $env:VIRTIOFS_MODULE_PATH
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if ((& id -u) -ne '0') { throw 'The benchmark writes /sys/kernel/mm/hugepages and needs root.' }
if (-not $ModulePath) {
    $version = (Import-PowerShellDataFile -LiteralPath "$PSScriptRoot/../VirtioFs.psd1").ModuleVersion
    $ModulePath = "$PSScriptRoot/../output/VirtioFs/$version"
}
Import-Module -Name ([IO.Path]::Combine((Resolve-Path -LiteralPath $ModulePath).ProviderPath, 'VirtioFs.psd1')) -Force

$file = '/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages'
function Get-Nr { [long][IO.File]::ReadAllText($file).Trim() }
function Set-Nr([long] $n) { [IO.File]::WriteAllText($file, "$n") }
function Get-Median([double[]] $v) { $s = $v | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }

$original = Get-Nr
$target = $original + $Count
$plain = [Collections.Generic.List[double]]::new()
$module = [Collections.Generic.List[double]]::new()
$sw = [Diagnostics.Stopwatch]::new()

function Measure-Plain {
    Set-Nr $original
    $sw.Restart()
    Set-Nr $target
    $got = Get-Nr
    $sw.Stop()
    if ($got -ne $target) { throw "plain write got $got of $target pages" }
    $plain.Add($sw.Elapsed.TotalMilliseconds)
}
function Measure-Module {
    Set-Nr $original
    $sw.Restart()
    $pool = Set-VirtioFsHugePage -Count $target -PageSize 2M
    $sw.Stop()
    if ($pool.Total -ne $target) { throw "Set-VirtioFsHugePage got $($pool.Total) of $target pages" }
    $module.Add($sw.Elapsed.TotalMilliseconds)
}

try {
    # Warm-up (JIT, first-touch of the kernel's page allocator), not counted.
    Measure-Plain; Measure-Module; $plain.Clear(); $module.Clear()
    for ($i = 0; $i -lt $Rounds; $i++) {
        if ($i % 2) { Measure-Module; Measure-Plain } else { Measure-Plain; Measure-Module }
    }
}
finally {
    Set-Nr $original
}

$p = Get-Median $plain.ToArray()
$m = Get-Median $module.ToArray()
$ratio = if ($p -gt 0) { $m / $p } else { [double]::NaN }
'{0} rounds of {1} x 2 MiB pages (pool restored to {2})' -f $Rounds, $Count, (Get-Nr)
'plain write + read-back : median {0,8:N2} ms  (all: {1})' -f $p, (($plain | ForEach-Object { $_.ToString('N1') }) -join ', ')
'Set-VirtioFsHugePage    : median {0,8:N2} ms  (all: {1})' -f $m, (($module | ForEach-Object { $_.ToString('N1') }) -join ', ')
'ratio                   : {0:N2}x (target <= 1.20x): {1}' -f $ratio, $(if ($ratio -le 1.2) { 'within target' } else { 'over target' })
