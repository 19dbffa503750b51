# SPDX-License-Identifier: MIT
# Helpers the benchmark scripts share; dot-source it: . "$PSScriptRoot/BenchCommon.ps1".
# Nothing here prints a figure of its own: every number a benchmark prints is measured in its run.

$script:BenchFixtureDir = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', 'tests', 'fixtures', 'domains'))

# The domain shapes a benchmark draws from. several-filesystems.xml is left out: it already has a
# 'data' share, so adding one is (rightly) an error there. LibvirtOk: libvirt on this machine can define
# it with type='qemu' (aarch64-virt needs qemu-system-aarch64, which the test packages do not install).
$script:BenchShapes = @(
    [pscustomobject]@{ Shape = 'q35'; File = 'q35-full.xml'; LibvirtOk = $true }
    [pscustomobject]@{ Shape = 'pc'; File = 'pc-minimal.xml'; LibvirtOk = $true }
    [pscustomobject]@{ Shape = 'aarch64'; File = 'aarch64-virt.xml'; LibvirtOk = $false }
    [pscustomobject]@{ Shape = 'numa'; File = 'numa-cells.xml'; LibvirtOk = $true }
    [pscustomobject]@{ Shape = 'huge'; File = 'hugepages.xml'; LibvirtOk = $true }
    [pscustomobject]@{ Shape = 'locked'; File = 'membacking-other.xml'; LibvirtOk = $true }
)

function New-BenchDomainXml {
    # $Number domain definitions drawn at random from the shapes, each with a unique <name> (Prefix-shape-i)
    # and a fresh <uuid>; -ForLibvirt keeps the shapes libvirt can define here and sets type='qemu' (no KVM
    # needed: the domains are defined, never started). Returns objects with Shape, Name and Xml.
    param([int] $Number, [System.Random] $Random, [string] $Prefix = '', [switch] $ForLibvirt)
    $shapes = @($BenchShapes | Where-Object { -not $ForLibvirt -or $_.LibvirtOk })
    $templates = foreach ($s in $shapes) {
        [pscustomobject]@{ Shape = $s.Shape; Xml = [IO.File]::ReadAllText([IO.Path]::Combine($BenchFixtureDir, $s.File)) }
    }
    $bytes = [byte[]]::new(16)
    for ($i = 0; $i -lt $Number; $i++) {
        $t = $templates[$Random.Next($templates.Count)]
        $name = '{0}{1}-{2:d5}' -f $Prefix, $t.Shape, $i
        $Random.NextBytes($bytes)
        $uuid = [guid]::new($bytes).ToString()
        $xml = [regex]::new('<name>[^<]*</name>').Replace($t.Xml, "<name>$name</name>", 1)
        $xml = if ($xml -match '<uuid>') {
            [regex]::new('<uuid>[^<]*</uuid>').Replace($xml, "<uuid>$uuid</uuid>", 1)
        } else {
            $xml.Replace("<name>$name</name>", "<name>$name</name>`n  <uuid>$uuid</uuid>")
        }
        if ($ForLibvirt) { $xml = [regex]::new("<domain type='[a-z]+'").Replace($xml, "<domain type='qemu'", 1) }
        [pscustomobject]@{ Shape = $t.Shape; Name = $name; Xml = $xml }
    }
}

function Format-BenchMix($Items) {
    ($Items | Group-Object Shape | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '
}

function Get-BenchMedian([double[]] $Values) {
    $s = [double[]]($Values | Sort-Object)
    if ($s.Count -eq 0) { return [double]::NaN }
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

function Format-BenchSpread([double[]] $Values, [string] $Format = 'F3') {
    # min-max and every value in run order, so a reader sees how much a shared machine moved them.
    $sorted = [double[]]($Values | Sort-Object)
    '{0}-{1} (rounds: {2})' -f $sorted[0].ToString($Format), $sorted[-1].ToString($Format),
        (($Values | ForEach-Object { $_.ToString($Format) }) -join ', ')
}

function Get-BenchLoad {
    # The 1/5/15 minute load averages: the machine is shared, so every report says how busy it was.
    if (Test-Path -LiteralPath /proc/loadavg) { ((Get-Content -LiteralPath /proc/loadavg -Raw).Split(' ')[0..2]) -join ' ' } else { '?' }
}

function Write-BenchHeader([string] $What) {
    Write-Host "$What"
    Write-Host ("{0} CPUs, load average {1}, {2}" -f [Environment]::ProcessorCount, (Get-BenchLoad), (Get-Date -Format 'yyyy-MM-dd HH:mm'))
}

function Resolve-BenchModule([string] $ModulePath) {
    # The built module's manifest: -ModulePath, else $env:VIRTIOFS_MODULE_PATH, else output/VirtioFs/<version>.
    if (-not $ModulePath) { $ModulePath = $env:VIRTIOFS_MODULE_PATH }
    if (-not $ModulePath) {
        $version = (Import-PowerShellDataFile -LiteralPath ([IO.Path]::Combine($PSScriptRoot, '..', 'VirtioFs.psd1'))).ModuleVersion
        $ModulePath = [IO.Path]::Combine($PSScriptRoot, '..', 'output', 'VirtioFs', $version)
    }
    $manifest = [IO.Path]::Combine([IO.Path]::GetFullPath($ModulePath), 'VirtioFs.psd1')
    if (-not (Test-Path -LiteralPath $manifest)) { throw "No VirtioFs.psd1 in '$ModulePath': build first (./build.ps1 -Task Build)." }
    $manifest
}

function New-BenchLockDir([string] $Fallback) {
    # A lock directory of this run's own where the module puts its lock files (/run/lock, a tmpfs; $Fallback
    # when there is none), so the thousands of lock files are removed afterwards instead of piling up in
    # /run/lock/virtiofs. Creates it and returns its path; the caller removes it.
    $root = (Test-Path -LiteralPath /run/lock) ? '/run/lock' : $Fallback
    [IO.Directory]::CreateDirectory([IO.Path]::Combine($root, "virtiofs-bench-$([guid]::NewGuid().ToString('n'))")).FullName
}

function Copy-BenchSet([string] $From, [string] $To, [string[]] $Names) {
    # Fresh copies of the files $Names of $From in $To (emptied first: it keeps its path between rounds);
    # returns their paths, in the order of $Names.
    if (Test-Path -LiteralPath $To) { [IO.Directory]::Delete($To, $true) }
    [void][IO.Directory]::CreateDirectory($To)
    foreach ($n in $Names) { [IO.File]::Copy([IO.Path]::Combine($From, $n), [IO.Path]::Combine($To, $n)) }
    , @($Names | ForEach-Object { [IO.Path]::Combine($To, $_) })
}

function Test-BenchShareOutput([string] $File, [string] $Tag, [string] $Source) {
    # Whether a domain XML file holds the share (one <filesystem type='mount' accessmode='passthrough'>, driver
    # virtiofs, target $Tag, source $Source) and shared memory. Parsed, not grepped: virt-xml writes double
    # quotes, the module keeps the file's single quotes.
    $doc = [xml]::new()
    $doc.Load($File)
    $fs = $doc.SelectNodes("/domain/devices/filesystem[@type='mount' and @accessmode='passthrough' and driver/@type='virtiofs' and target/@dir='$Tag' and source/@dir='$Source']")
    $shared = $doc.SelectNodes("/domain/memoryBacking/access[@mode='shared']")
    [pscustomobject]@{
        File        = $File
        Ok          = $fs.Count -eq 1 -and $shared.Count -eq 1
        # Informational: a NUMA cell left memAccess='private' keeps that cell's RAM unshared with virtiofsd.
        PrivateNuma = $doc.SelectNodes("/domain/cpu/numa/cell[@memAccess='private']").Count -gt 0
    }
}

function Get-BenchPython {
    # Debian's python3 first: python3-libvirt installs there, and a pyenv or venv python on PATH lacks it.
    $py = if (Test-Path -LiteralPath /usr/bin/python3) { '/usr/bin/python3' }
          else { (Get-Command python3 -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source }
    if (-not $py) { throw 'python3 not found: the floors are Python scripts (apt-get install python3).' }
    $py
}

function Assert-BenchLibvirtPython([string] $Python) {
    # The floors that talk to libvirt need python3-libvirt in that python.
    & $Python -c 'import libvirt' 2>$null
    if ($LASTEXITCODE -ne 0) { throw "$Python cannot import libvirt: apt-get install python3-libvirt (build.ps1 -Task Bench installs it)." }
}

function Invoke-BenchProcess {
    # Runs a program with an argv array (no shell), stdin from -InputText; returns its stdout, throws with
    # its stderr when it fails.
    param([string] $FilePath, [string[]] $ArgumentList, [string] $InputText, [hashtable] $Environment = @{})
    $psi = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    $stdout = $p.StandardOutput.ReadToEndAsync()
    if ($InputText) { $p.StandardInput.Write($InputText) }
    $p.StandardInput.Close()
    $p.WaitForExit()
    if ($p.ExitCode -ne 0) {
        throw "$FilePath $($ArgumentList -join ' ') failed ($($p.ExitCode)): $($stderr.Result)"
    }
    $stdout.Result
}

function Invoke-BenchDomains([string] $Python, [string] $Uri, [hashtable] $Job) {
    # One job of bench/floors/libvirt_domains.py on $Uri (set-up and clean-up, never timed): define the
    # domains of xml = @(...), undefine every domain whose name starts with prefix, or check the share of names.
    $request = $Job.Clone()
    $request.uri = $Uri
    $script = [IO.Path]::Combine($PSScriptRoot, 'floors', 'libvirt_domains.py')
    Invoke-BenchProcess -FilePath $Python -ArgumentList @($script) -InputText ($request | ConvertTo-Json -Compress -Depth 3) | ConvertFrom-Json
}

function Remove-BenchDomains([string] $Python, [string] $Uri, [string] $Prefix) {
    # Clean-up for a finally block: undefines every domain named $Prefix* (whatever round a run got to) and
    # deletes their logs in /var/log/libvirt/qemu; warns instead of throwing.
    try { $null = Invoke-BenchDomains -Python $Python -Uri $Uri -Job @{ action = 'undefine'; prefix = $Prefix } }
    catch { Write-Warning "Could not undefine the $Prefix* domains: $_" }
    Get-ChildItem -LiteralPath /var/log/libvirt/qemu -Filter "$Prefix*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore
}

function Write-BenchVerdict([string] $What, [double] $Ratio, [double] $Target, [string] $Detail) {
    # The last line of a benchmark: the ratio, the target and whether it was met (the exit code stays 0).
    $met = $Ratio -le $Target
    '{0}: {1:F2}x (target <= {2:F2}x): {3}{4}' -f $What, $Ratio, $Target, ($met ? 'met' : 'NOT met'), ($Detail ? " ($Detail)" : '')
}

function Import-BenchNothingCmdlet {
    # Test-BenchNothing: a compiled cmdlet that binds the parameters the benchmarks pass to the module and
    # writes one object, nothing else. Timed in the same loop as the module, it is what PowerShell's
    # invocation and parameter binding alone cost per call.
    if (-not ('VirtioFsBench.TestBenchNothingCommand' -as [type])) {
        Add-Type -TypeDefinition @'
using System.Management.Automation;
namespace VirtioFsBench
{
    [Cmdlet(VerbsDiagnostic.Test, "BenchNothing", SupportsShouldProcess = true)]
    public sealed class TestBenchNothingCommand : PSCmdlet
    {
        [Parameter] public string Path { get; set; } = "";
        [Parameter] public string Domain { get; set; } = "";
        [Parameter] public string[] ConnectionUri { get; set; } = new string[0];
        [Parameter] public string Tag { get; set; } = "";
        [Parameter] public string Source { get; set; } = "";
        protected override void ProcessRecord() => WriteObject(Path + Domain);
    }
}
'@
    }
    Import-Module -Assembly ([VirtioFsBench.TestBenchNothingCommand].Assembly) -Global
}

function Start-BenchWorker {
    # A floor that stays running (bench/floors/*.py): its start-up is paid once, and batches of the module and
    # of the floor can alternate in time, so both sides see the same load on a shared machine. The first line
    # it reads is its configuration; then one JSON request per line, one JSON answer per line.
    param([string] $FilePath, [string[]] $ArgumentList, [hashtable] $Config)
    $psi = [Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($psi)
    $worker = [pscustomobject]@{ Process = $p; Stderr = $p.StandardError.ReadToEndAsync(); Name = "$FilePath $($ArgumentList -join ' ')" }
    $p.StandardInput.WriteLine(($Config | ConvertTo-Json -Compress -Depth 4))
    $p.StandardInput.Flush()
    $worker
}

function Invoke-BenchWorker($Worker, [hashtable] $Request) {
    $Worker.Process.StandardInput.WriteLine(($Request | ConvertTo-Json -Compress -Depth 4))
    $Worker.Process.StandardInput.Flush()
    $line = $Worker.Process.StandardOutput.ReadLine()
    if ($null -eq $line) {
        $Worker.Process.WaitForExit()
        throw "$($Worker.Name) stopped (exit code $($Worker.Process.ExitCode)): $($Worker.Stderr.Result)"
    }
    $line | ConvertFrom-Json
}

function Stop-BenchWorker($Worker) {
    if (-not $Worker) { return }
    try { $Worker.Process.StandardInput.Close() } catch { }
    if (-not $Worker.Process.WaitForExit(10000)) { $Worker.Process.Kill() }
    $Worker.Process.Dispose()
}

function Split-BenchChunk([object[]] $Items, [int] $Size) {
    # The items in consecutive chunks of $Size (the last one shorter), each chunk an array.
    for ($i = 0; $i -lt $Items.Count; $i += $Size) { , @($Items[$i..([Math]::Min($i + $Size, $Items.Count) - 1)]) }
}

function Invoke-BenchTurns {
    # The timed rounds of a benchmark whose module and floor take turns. Each round (1, 2, ...), -NewRound
    # gets the round's number and returns its sets, @{ Module = items; Floor = items }, -Count items each; they
    # are worked through in chunks of -Chunk items, the module and the floor taking turns chunk by chunk, who
    # goes first alternating between chunks and between rounds (the module in round 1's first chunk), so both
    # sides see the same load on a shared machine. After each chunk's two turns, -Trivial and -Base run on the
    # module's chunk. -Module, -Floor, -Trivial and -Base each get a chunk's items and return the seconds they
    # timed themselves (a Stopwatch around their own loop, or the floor's clock): nothing here is inside the
    # timing. A side's round time is the sum of its chunks. After each round: its line, then -EndRound with the
    # round's number and sets. Returns ms per VM per round of each side (Module, Floor, Trivial, Base), their
    # medians (ModuleMedian ...), and the per-round ratios module / floor (Ratios, RatioMedian).
    # The script blocks see the caller's variables (PowerShell's scopes are dynamic): this function's own are
    # few and named so as not to hide the ones the benchmarks use.
    param(
        [int] $Count, [int] $Rounds, [int] $Chunk,
        [scriptblock] $NewRound, [scriptblock] $Module, [scriptblock] $Floor, [scriptblock] $Trivial, [scriptblock] $Base,
        [scriptblock] $EndRound
    )
    $turnSides = 'Module', 'Floor', 'Trivial', 'Base'
    $turnMs = @{}
    foreach ($k in $turnSides) { $turnMs[$k] = [Collections.Generic.List[double]]::new() }
    $turnChunks = @(Split-BenchChunk -Items (0..($Count - 1)) -Size $Chunk)
    for ($turnRound = 1; $turnRound -le $Rounds; $turnRound++) {
        $turnSet = & $NewRound $turnRound
        $turnSum = @{ Module = 0.0; Floor = 0.0; Trivial = 0.0; Base = 0.0 }
        for ($c = 0; $c -lt $turnChunks.Count; $c++) {
            $mItems = $turnSet.Module[$turnChunks[$c]]
            $fItems = $turnSet.Floor[$turnChunks[$c]]
            if (($turnRound + $c) % 2) {
                $turnSum.Module += [double](& $Module $mItems)
                $turnSum.Floor += [double](& $Floor $fItems)
            } else {
                $turnSum.Floor += [double](& $Floor $fItems)
                $turnSum.Module += [double](& $Module $mItems)
            }
            $turnSum.Trivial += [double](& $Trivial $mItems)
            $turnSum.Base += [double](& $Base $mItems)
        }
        foreach ($k in $turnSides) { $turnMs[$k].Add($turnSum[$k] * 1000 / $Count) }
        Write-Host ('round {0}: module {1:F3} ms/VM, floor {2:F3} ms/VM, ratio {3:F2}, load {4}' -f $turnRound, $turnMs.Module[-1], $turnMs.Floor[-1], ($turnMs.Module[-1] / $turnMs.Floor[-1]), (Get-BenchLoad))
        if ($EndRound) { & $EndRound $turnRound $turnSet }
    }
    $result = [ordered]@{}
    foreach ($k in $turnSides) {
        $result[$k] = $turnMs[$k].ToArray()
        $result["${k}Median"] = Get-BenchMedian $result[$k]
    }
    $result.Ratios = [double[]]@(for ($c = 0; $c -lt $Rounds; $c++) { $result.Module[$c] / $result.Floor[$c] })
    $result.RatioMedian = Get-BenchMedian $result.Ratios
    [pscustomobject]$result
}

function Format-BenchTurnTable($Result, [string] $ModuleLabel, [string] $FloorLabel) {
    # Invoke-BenchTurns' result as lines: each side's median ms per VM with its spread, what PowerShell's
    # invocation and binding cost of the module's time, and the per-round ratios.
    $rows = @(
        , @($ModuleLabel, $Result.ModuleMedian, $Result.Module)
        , @($FloorLabel, $Result.FloorMedian, $Result.Floor)
        , @('a do-nothing cmdlet, same loop', $Result.TrivialMedian, $Result.Trivial)
        , @('same, with the module''s base/params', $Result.BaseMedian, $Result.Base)
    )
    $w = ($rows | ForEach-Object { $_[0].Length } | Measure-Object -Maximum).Maximum
    "{0,-$w} {1,10}   {2}" -f 'Side', 'median', 'ms per VM: min-max (each round)'
    foreach ($row in $rows) { "{0,-$w} {1,10:F3}   {2}" -f $row[0], $row[1], (Format-BenchSpread $row[2]) }
    ''
    'Of the module''s {0:F3} ms per VM, PowerShell invoking a cmdlet and binding its parameters costs {1:F3} ms; {2:F3} ms with New-VirtioFsShare''s base classes and parameters (a do-nothing cmdlet derived from them).' -f $Result.ModuleMedian, $Result.TrivialMedian, $Result.BaseMedian
    'Per-round ratios module/floor: median {0:F2}x, {1}' -f $Result.RatioMedian, (Format-BenchSpread $Result.Ratios 'F2')
}

function Import-BenchShareNothingCmdlet {
    # Test-BenchShareNothing: a cmdlet derived from the module's own ShareOptionsCmdlet (so it has
    # New-VirtioFsShare's base classes, parameters and parameter sets) that does nothing but write one object.
    # What it costs is what PowerShell and those base classes cost per call before any work is done. Needs the
    # module imported first (it compiles against the loaded VirtioFs.dll).
    if (-not ('VirtioFsBench.TestBenchShareNothingCommand' -as [type])) {
        $vfs = [VirtioFs.Internal.ShareOptionsCmdlet].Assembly.Location
        # CS1701: VirtioFs.dll is built against PowerShell Standard; this pwsh's own assemblies are newer.
        Add-Type -IgnoreWarnings -CompilerOptions '-nowarn:CS1701' -ReferencedAssemblies $vfs, ([System.Management.Automation.PSCmdlet].Assembly.Location) -TypeDefinition @'
using System.Management.Automation;
namespace VirtioFsBench
{
    [Cmdlet(VerbsDiagnostic.Test, "BenchShareNothing", SupportsShouldProcess = true, DefaultParameterSetName = "Domain")]
    public sealed class TestBenchShareNothingCommand : VirtioFs.Internal.ShareOptionsCmdlet
    {
        [Parameter(Position = 1)] public string Tag { get; set; }
        protected override void ProcessRecord() => WriteObject(Path + Domain);
    }
}
'@
    }
    Import-Module -Assembly ([VirtioFsBench.TestBenchShareNothingCommand].Assembly) -Global
}
