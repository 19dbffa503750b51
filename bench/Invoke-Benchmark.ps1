# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    Times New-VirtioFsShare against virt-xml doing the same job on the same domain XML files.
.DESCRIPTION
    Generates -Count varied domain XML files (q35, pc, aarch64 virt, NUMA, hugepages and locked-memory
    shapes, from tests/fixtures/domains, each with a unique name and uuid), then runs -Rounds rounds. Each
    round gives both tools fresh copies of that same set and times each tool on all of it, the order
    alternating between rounds:

      (a) the module as an administrator runs it from a shell: a fresh pwsh process that imports the module
          and, for each file, runs New-VirtioFsShare -Path <file> -Tag data -Source <dir>. The time is the
          whole process, from start to exit: pwsh's start-up and the import are counted;
      (b) virt-xml, the way an administrator does it per VM, XML on stdin and out on stdout, two processes
          per VM:
          virt-xml -c test:///default --edit --memorybacking source.type=memfd,access.mode=shared < in > mid
          virt-xml -c test:///default --add-device --filesystem source=<dir>,target=data,driver.type=virtiofs,accessmode=passthrough < mid > out

    virt-xml refuses a file that starts with libvirt's header comment, so the generated files have that
    comment removed (what 'virsh dumpxml' prints), for both tools alike.

    Every output of both tools in every round must hold a <filesystem type='mount' accessmode='passthrough'>
    with driver virtiofs, target 'data' and the source directory, and <memoryBacking><access mode='shared'/>;
    the script exits 1 if one does not. Otherwise it prints each tool's median seconds per VM over the
    rounds with the spread, then the ratio (virt-xml / module) last, against the 100x target, and exits 0
    whether or not it is met.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./build.ps1 -Task Bench
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/Invoke-Benchmark.ps1 -ModulePath ./output/VirtioFs/0.1.0 -Count 100 -Rounds 5 -Seed 7
#>
[CmdletBinding()]
param(
    # The built module directory; default $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    [string] $ModulePath,

    # How many domain XML files to generate; both tools edit all of them in every round.
    [ValidateRange(1, 100000)]
    [int] $Count = 100,

    # Rounds per tool; the medians are taken over them.
    [ValidateRange(1, 101)]
    [int] $Rounds = 5,

    # Seed for the shape mix and the uuids; random (and printed) when omitted.
    [int] $Seed = (Get-Random -Minimum 0 -Maximum ([int]::MaxValue))
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'BenchCommon.ps1'))

$Target = 100                      # the speed-up the module promises over virt-xml, per VM
$Uri = 'test:///default'           # virt-xml needs a connection for defaults; the test driver needs no daemon
$Tag = 'data'

# argv array, no shell; stdin and stdout stand in for '< in > out'.
function Invoke-VirtXml([string] $Exe, [string[]] $Arguments, [string] $InFile, [string] $OutFile) {
    $out = Invoke-BenchProcess -FilePath $Exe -ArgumentList $Arguments -InputText ([IO.File]::ReadAllText($InFile))
    [IO.File]::WriteAllText($OutFile, $out)
}

$virtXml = (Get-Command virt-xml -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $virtXml) { throw "virt-xml not found: install it with 'apt-get install virtinst'." }
$manifest = Resolve-BenchModule $ModulePath

# "pwsh" as an administrator starts it: the installed pwsh when there is one, else the pwsh this script runs
# in, started the way its own launcher does (dotnet pwsh.dll), without the dotnet tool shim in front.
$pwshExe = (Get-Command pwsh -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
$pwshArgs = @()
if (-not $pwshExe) {
    $pwshExe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($pwshExe) -eq 'dotnet') { $pwshArgs = @([IO.Path]::Combine($PSHOME, 'pwsh.dll')) }
}
$pwshShown = (@($pwshExe) + $pwshArgs) -join ' '

$work = [IO.Path]::Combine([IO.Path]::GetTempPath(), "virtiofs-bench-$([guid]::NewGuid().ToString('n'))")
$lockDir = $null
$exit = 0
try {
    # The module's lock files go there (the module's round runs with VIRTIOFS_LOCK_DIR set to it).
    $lockDir = New-BenchLockDir $work
    $genDir = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'generated')).FullName
    $source = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'share')).FullName

    $domains = @(New-BenchDomainXml -Number $Count -Random ([System.Random]::new($Seed)))
    $stripped = 0
    $names = foreach ($d in $domains) {
        # virt-xml rejects a document that starts with a comment ("expected root element name 'domain', found
        # 'comment'"), i.e. libvirt's own /etc/libvirt/qemu/*.xml header: both tools get what 'virsh dumpxml'
        # prints instead.
        $xml = [regex]::Replace($d.Xml, '^\s*(<!--.*?-->\s*)+', '', 'Singleline')
        if ($xml.Length -ne $d.Xml.Length) { $stripped++ }
        [IO.File]::WriteAllText([IO.Path]::Combine($genDir, "$($d.Name).xml"), $xml)
        "$($d.Name).xml"
    }
    Write-BenchHeader "New-VirtioFsShare (fresh pwsh per round, start-up counted) against virt-xml (2 processes per VM), $Count files x $Rounds rounds"
    Write-Host "Seed $Seed; $(Format-BenchMix $domains); pwsh: $pwshShown; in $work"

    function Copy-Set([string] $Side) { Copy-BenchSet -From $genDir -To ([IO.Path]::Combine($work, $Side)) -Names $names }

    # The module's round: one fresh pwsh, import, the loop, exit; the clock runs from start to exit.
    $script = [IO.Path]::Combine($work, 'module-round.ps1')
    [IO.File]::WriteAllText($script, @'
param([string] $Manifest, [string] $ListFile, [string] $Source, [string] $Tag)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
foreach ($f in [IO.File]::ReadAllLines($ListFile)) {
    $null = New-VirtioFsShare -Path $f -Tag $Tag -Source $Source -Confirm:$false
}
'@)
    function Measure-Module {
        $files = Copy-Set 'module'
        $list = [IO.Path]::Combine($work, 'module-files.txt')
        [IO.File]::WriteAllLines($list, [string[]]$files)
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = Invoke-BenchProcess -FilePath $pwshExe -ArgumentList ($pwshArgs + @('-NoProfile', '-NonInteractive', '-File', $script,
            '-Manifest', $manifest, '-ListFile', $list, '-Source', $source, '-Tag', $Tag)) -Environment @{ VIRTIOFS_LOCK_DIR = $lockDir }
        $seconds = $sw.Elapsed.TotalSeconds
        [pscustomobject]@{ Seconds = $seconds; Check = @($files | ForEach-Object { Test-BenchShareOutput -File $_ -Tag $Tag -Source $source }) }
    }
    function Measure-VirtXml {
        $files = Copy-Set 'virt-xml'
        $sw = [Diagnostics.Stopwatch]::StartNew()
        foreach ($f in $files) {
            $mid = "$f.mem"
            Invoke-VirtXml $virtXml @('-c', $Uri, '--edit', '--memorybacking', 'source.type=memfd,access.mode=shared') $f $mid
            Invoke-VirtXml $virtXml @('-c', $Uri, '--add-device', '--filesystem', "source=$source,target=$Tag,driver.type=virtiofs,accessmode=passthrough") $mid $f
        }
        $seconds = $sw.Elapsed.TotalSeconds
        [pscustomobject]@{ Seconds = $seconds; Check = @($files | ForEach-Object { Test-BenchShareOutput -File $_ -Tag $Tag -Source $source }) }
    }

    $module = [Collections.Generic.List[double]]::new()
    $reference = [Collections.Generic.List[double]]::new()
    $bad = [Collections.Generic.List[string]]::new()
    $privateNuma = @{ module = 0; 'virt-xml' = 0 }
    for ($r = 0; $r -lt $Rounds; $r++) {
        $results = @{}
        foreach ($side in ($r % 2 ? @('virt-xml', 'module') : @('module', 'virt-xml'))) {
            $results[$side] = if ($side -eq 'module') { Measure-Module } else { Measure-VirtXml }
            foreach ($c in $results[$side].Check) { if (-not $c.Ok) { $bad.Add("$side round $($r + 1): $([IO.Path]::GetFileName($c.File))") } }
            $privateNuma[$side] = @($results[$side].Check | Where-Object PrivateNuma).Count
        }
        $module.Add($results['module'].Seconds / $Count)
        $reference.Add($results['virt-xml'].Seconds / $Count)
        Write-Host ('round {0}: module {1:F4} s/VM (whole pwsh process), virt-xml {2:F4} s/VM, load {3}' -f ($r + 1), $module[-1], $reference[-1], (Get-BenchLoad))
    }

    $m = Get-BenchMedian $module.ToArray()
    $v = Get-BenchMedian $reference.ToArray()
    ''
    'Correct outputs: {0} of {1} (every round, both tools: filesystem mount/passthrough/virtiofs/target data + memoryBacking access shared)' -f (2 * $Count * $Rounds - $bad.Count), (2 * $Count * $Rounds)
    "NUMA cell left memAccess='private': module $($privateNuma.module), virt-xml $($privateNuma.'virt-xml') of $Count (last round; informational)"
    if ($stripped -gt 0) { "$stripped of $Count files had libvirt's header comment, removed for both tools (virt-xml rejects it; the module keeps it)." }
    ''
    '{0,-40} {1,10}   {2}' -f 'Tool', 'median', 's per VM: min-max (each round)'
    '{0,-40} {1,10:F4}   {2}' -f 'VirtioFs (fresh pwsh: start, import, loop)', $m, (Format-BenchSpread $module.ToArray() 'F4')
    '{0,-40} {1,10:F4}   {2}' -f 'virt-xml (2 processes per VM)', $v, (Format-BenchSpread $reference.ToArray() 'F4')
    'Load average at the end: {0}' -f (Get-BenchLoad)
    if ($bad.Count) {
        Write-Error "Outputs without the virtio-fs share or shared memory, e.g.: $(($bad | Select-Object -First 5) -join ', ')" -ErrorAction Continue
        $exit = 1
    }
    $ratio = $v / $m
    "{0}x target {1}: virt-xml takes {2:F1}x the module's time per VM (medians of {3} rounds, pwsh start-up included)." -f `
        $Target, ($ratio -ge $Target ? 'met' : 'NOT met'), $ratio, $Rounds
}
finally {
    foreach ($d in $work, $lockDir) { if ($d -and (Test-Path -LiteralPath $d)) { Remove-Item -LiteralPath $d -Recurse -Force } }
}
exit $exit
