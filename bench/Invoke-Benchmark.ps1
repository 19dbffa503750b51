# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    Times New-VirtioFsShare against virt-xml doing the same job on many domain XML files.
.DESCRIPTION
    Generates -Count varied domain XML files (q35, pc, aarch64 virt, NUMA, hugepages and locked-memory
    shapes, from tests/fixtures/domains, each with a unique name and uuid) in a temp directory, then in
    one run:

      (a) the module, in this one pwsh process: import once, then for each file
          New-VirtioFsShare -Path <file> -Tag data -Source <tempdir>
          (loop wall time, and loop + import);
      (b) virt-xml, the way an administrator does it per VM, XML on stdin and out on stdout:
          virt-xml -c test:///default --edit --memorybacking source.type=memfd,access.mode=shared < in > mid
          virt-xml -c test:///default --add-device --filesystem source=<dir>,target=data,driver.type=virtiofs,accessmode=passthrough < mid > out
          on the first -ReferenceCount files only (each call costs ~0.4 s), extrapolated per VM.
          virt-xml refuses a file starting with libvirt's header comment, so its inputs have that
          comment removed beforehand (what 'virsh dumpxml' prints), outside the timing.

    Every output of both tools must hold a <filesystem type='mount' accessmode='passthrough'> with
    driver virtiofs, target 'data' and the source directory, and <memoryBacking><access mode='shared'/>;
    the script exits 1 if one does not. Otherwise it prints the table and exits 0, whether or not the
    100x target is met.
.EXAMPLE
    dotnet pwsh -NoProfile -File ./build.ps1 -Task Bench
.EXAMPLE
    dotnet pwsh -NoProfile -File ./bench/Invoke-Benchmark.ps1 -ModulePath ./output/VirtioFs/0.1.0 -Count 200 -Seed 7
#>
[CmdletBinding()]
param(
    # The built module directory (holding VirtioFs.psd1), e.g. output/VirtioFs/0.1.0.
    [Parameter(Mandatory)]
    [string] $ModulePath,

    # How many domain XML files to generate; the module edits all of them.
    [ValidateRange(1, 100000)]
    [int] $Count = 200,

    # How many of them virt-xml edits (two process starts per VM); the per-VM figure is extrapolated.
    [ValidateRange(1, 100000)]
    [int] $ReferenceCount = 40,

    # Seed for the shape mix and the uuids; random (and printed) when omitted.
    [int] $Seed = (Get-Random -Minimum 0 -Maximum ([int]::MaxValue))
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Target = 100                      # the speed-up the module promises over virt-xml, per VM
$Uri = 'test:///default'           # virt-xml needs a connection for defaults; the test driver needs no daemon
$FixtureDir = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', 'tests', 'fixtures', 'domains'))
# several-filesystems.xml already has a 'data' share, so adding one is (rightly) an error there.
$Shapes = [ordered]@{
    q35     = 'q35-full.xml'
    pc      = 'pc-minimal.xml'
    aarch64 = 'aarch64-virt.xml'
    numa    = 'numa-cells.xml'
    huge    = 'hugepages.xml'
    locked  = 'membacking-other.xml'
}

function New-DomainFiles([string] $Directory, [int] $Number, [System.Random] $Random) {
    $templates = foreach ($shape in $Shapes.Keys) {
        [pscustomobject]@{ Shape = $shape; Xml = [IO.File]::ReadAllText([IO.Path]::Combine($FixtureDir, $Shapes[$shape])) }
    }
    $bytes = [byte[]]::new(16)
    for ($i = 0; $i -lt $Number; $i++) {
        $t = $templates[$Random.Next($templates.Count)]
        $name = '{0}-{1:d5}' -f $t.Shape, $i
        $Random.NextBytes($bytes)
        $uuid = [guid]::new($bytes).ToString()
        $xml = [regex]::new('<name>[^<]*</name>').Replace($t.Xml, "<name>$name</name>", 1)
        $xml = if ($xml -match '<uuid>') {
            [regex]::new('<uuid>[^<]*</uuid>').Replace($xml, "<uuid>$uuid</uuid>", 1)
        } else {
            $xml.Replace("<name>$name</name>", "<name>$name</name>`n  <uuid>$uuid</uuid>")
        }
        $file = [IO.Path]::Combine($Directory, "$name.xml")
        [IO.File]::WriteAllText($file, $xml)
        [pscustomobject]@{ Shape = $t.Shape; File = $file }
    }
}

# argv array, no shell; stdin and stdout stand in for '< in > out'.
function Invoke-VirtXml([string] $Exe, [string[]] $Arguments, [string] $InFile, [string] $OutFile) {
    $psi = [Diagnostics.ProcessStartInfo]::new($Exe)
    foreach ($a in $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $p = [Diagnostics.Process]::Start($psi)
    $stderr = $p.StandardError.ReadToEndAsync()
    $p.StandardInput.Write([IO.File]::ReadAllText($InFile))
    $p.StandardInput.Close()
    $stdout = $p.StandardOutput.ReadToEnd()
    $p.WaitForExit()
    if ($p.ExitCode -ne 0) {
        throw "virt-xml $($Arguments -join ' ') < $InFile failed ($($p.ExitCode)): $($stderr.Result)"
    }
    [IO.File]::WriteAllText($OutFile, $stdout)
}

# Parsed, not grepped: virt-xml writes double quotes, the module keeps the file's single quotes.
function Test-ShareOutput([string] $File, [string] $Source) {
    $doc = [xml]::new()
    $doc.Load($File)
    $fs = $doc.SelectNodes("/domain/devices/filesystem[@type='mount' and @accessmode='passthrough' and driver/@type='virtiofs' and target/@dir='data' and source/@dir='$Source']")
    $shared = $doc.SelectNodes("/domain/memoryBacking/access[@mode='shared']")
    [pscustomobject]@{
        File       = $File
        Ok         = $fs.Count -eq 1 -and $shared.Count -eq 1
        # Informational: a NUMA cell left memAccess='private' keeps that cell's RAM unshared with virtiofsd.
        PrivateNuma = $doc.SelectNodes("/domain/cpu/numa/cell[@memAccess='private']").Count -gt 0
    }
}

$virtXml = (Get-Command virt-xml -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $virtXml) { throw "virt-xml not found: install it with 'apt-get install virtinst'." }
$manifest = [IO.Path]::Combine((Resolve-Path $ModulePath).Path, 'VirtioFs.psd1')
if (-not (Test-Path $manifest)) { throw "No VirtioFs.psd1 in '$ModulePath': build first (./build.ps1 -Task Build)." }
$ReferenceCount = [Math]::Min($ReferenceCount, $Count)

$work = [IO.Path]::Combine([IO.Path]::GetTempPath(), "virtiofs-bench-$([guid]::NewGuid().ToString('n'))")
try {
    $genDir = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'generated')).FullName
    $modDir = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'module')).FullName
    $refDir = [IO.Directory]::CreateDirectory([IO.Path]::Combine($work, 'virt-xml')).FullName
    $source = $work    # the shared directory: it exists, as the module checks

    $files = @(New-DomainFiles -Directory $genDir -Number $Count -Random ([System.Random]::new($Seed)))
    $mix = ($files | Group-Object Shape | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '
    Write-Host "Seed $Seed; $Count domains ($mix) in $work"
    # Other work on the machine slows both tools; say how busy it was so figures can be compared.
    $load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg -Raw).Split(' ')[0] } else { '?' }
    Write-Host "$([Environment]::ProcessorCount) CPUs, load average $load, $(Get-Date -Format 'yyyy-MM-dd HH:mm')"
    $modFiles = foreach ($f in $files) { $to = [IO.Path]::Combine($modDir, [IO.Path]::GetFileName($f.File)); [IO.File]::Copy($f.File, $to); $to }
    # virt-xml rejects a document that starts with a comment ("expected root element name 'domain',
    # found 'comment'"), i.e. libvirt's own /etc/libvirt/qemu/*.xml header; give it what
    # 'virsh dumpxml' would, prepared outside the timed loop.
    $refIn = foreach ($f in $files[0..($ReferenceCount - 1)]) {
        $to = [IO.Path]::Combine($refDir, [IO.Path]::GetFileNameWithoutExtension($f.File) + '.in.xml')
        [IO.File]::WriteAllText($to, [regex]::Replace([IO.File]::ReadAllText($f.File), '^\s*(<!--.*?-->\s*)+', '', 'Singleline'))
        $to
    }
    $strippedCount = @($files[0..($ReferenceCount - 1)] | Where-Object { [IO.File]::ReadAllText($_.File).TrimStart().StartsWith('<!--') }).Count

    # (a) the module, one process.
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Import-Module $manifest -ErrorAction Stop
    $importSeconds = $sw.Elapsed.TotalSeconds
    $sw.Restart()
    foreach ($f in $modFiles) {
        $null = New-VirtioFsShare -Path $f -Tag data -Source $source -Confirm:$false -ErrorAction Stop
    }
    $moduleSeconds = $sw.Elapsed.TotalSeconds
    $sw.Stop()

    # (b) virt-xml, two invocations per VM, on a subset.
    $refOut = [Collections.Generic.List[string]]::new()
    $sw.Restart()
    foreach ($in in $refIn) {
        $name = [IO.Path]::GetFileNameWithoutExtension($in) -replace '\.in$'
        $mid = [IO.Path]::Combine($refDir, "$name.mem.xml")
        $out = [IO.Path]::Combine($refDir, "$name.xml")
        Invoke-VirtXml $virtXml @('-c', $Uri, '--edit', '--memorybacking', 'source.type=memfd,access.mode=shared') $in $mid
        Invoke-VirtXml $virtXml @('-c', $Uri, '--add-device', '--filesystem', "source=$source,target=data,driver.type=virtiofs,accessmode=passthrough") $mid $out
        $refOut.Add($out)
    }
    $refSeconds = $sw.Elapsed.TotalSeconds
    $sw.Stop()
    $refMix = ($files[0..($ReferenceCount - 1)] | Group-Object Shape | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.Count)" }) -join ', '

    # Correctness: every output of both tools has the share and shared memory.
    $modCheck = @($modFiles | ForEach-Object { Test-ShareOutput $_ $source })
    $refCheck = @($refOut | ForEach-Object { Test-ShareOutput $_ $source })
    $modOk = @($modCheck | Where-Object Ok).Count
    $refOk = @($refCheck | Where-Object Ok).Count
    Write-Host "Correct outputs: module $modOk/$($modCheck.Count), virt-xml $refOk/$($refCheck.Count)" `
        "(filesystem mount/passthrough/virtiofs/target data + memoryBacking access shared)"
    Write-Host "NUMA cell left memAccess='private': module $(@($modCheck | Where-Object PrivateNuma).Count)," `
        "virt-xml $(@($refCheck | Where-Object PrivateNuma).Count) (informational)"

    $modPerVm = $moduleSeconds / $Count
    $modImportPerVm = ($moduleSeconds + $importSeconds) / $Count
    $refPerVm = $refSeconds / $ReferenceCount
    $rows = @(
        [pscustomobject]@{ Tool = 'VirtioFs (loop)'; Files = $Count; Total = $moduleSeconds; PerVm = $modPerVm; Ratio = $refPerVm / $modPerVm }
        [pscustomobject]@{ Tool = 'VirtioFs (loop + import)'; Files = $Count; Total = $moduleSeconds + $importSeconds; PerVm = $modImportPerVm; Ratio = $refPerVm / $modImportPerVm }
        [pscustomobject]@{ Tool = 'virt-xml (2 calls per VM)'; Files = $ReferenceCount; Total = $refSeconds; PerVm = $refPerVm; Ratio = 1.0 }
    )
    ''
    '{0,-26} {1,6} {2,10} {3,12} {4,16}' -f 'Tool', 'Files', 'Total s', 's per VM', 'virt-xml/module'
    foreach ($r in $rows) {
        '{0,-26} {1,6} {2,10:F3} {3,12:F5} {4,15:F1}x' -f $r.Tool, $r.Files, $r.Total, $r.PerVm, $r.Ratio
    }
    ''
    if ($ReferenceCount -lt $Count) {
        "virt-xml ran on the first $ReferenceCount of $Count files ($refMix); its per-VM time is extrapolated:" +
        (' {0:F1} s estimated for all {1}.' -f ($refPerVm * $Count), $Count)
    }
    "Module import: {0:F3} s (once per process)." -f $importSeconds
    if ($strippedCount -gt 0) {
        "virt-xml got $strippedCount file(s) with the leading libvirt header comment removed (it rejects it; the module keeps it)."
    }
    $met = $rows[0].Ratio -ge $Target
    "{0}x target {1}: virt-xml takes {2:F1}x the module's time per VM ({3:F1}x counting the import)." -f `
        $Target, ($met ? 'met' : 'NOT met'), $rows[0].Ratio, $rows[1].Ratio

    if ($modOk -ne $modCheck.Count -or $refOk -ne $refCheck.Count) {
        $bad = @($modCheck + $refCheck | Where-Object { -not $_.Ok } | Select-Object -First 5 -ExpandProperty File)
        Write-Error "Outputs without the virtio-fs share or shared memory, e.g.: $($bad -join ', ')" -ErrorAction Continue
        exit 1
    }
}
finally {
    if (Test-Path $work) { Remove-Item -LiteralPath $work -Recurse -Force }
}
exit 0
