# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, documents and tests the VirtioFs module.
.DESCRIPTION
    One entry point for developers and CI. Run it through the pinned local PowerShell tool:

        dotnet tool restore
        dotnet pwsh -NoProfile -File ./build.ps1 -Task Test

    Tasks:
      Bootstrap  restore Pester from NuGet; with -InstallSystemPackages also the Debian packages the tests drive
      Clean      remove output/ and every bin/ obj/
      Build      publish the whole module to output/VirtioFs/<version>/, help (en-US/) included
      Docs       help only: turn docs/en-US/*.md into the MAML help and about_ topics of the module Build
                 left in output/ (quicker while writing help; Build already does it)
      UnitTest   xunit (core and in-process cmdlets), results in output/TestResults
      PesterTest Pester against the built module, in a child pwsh
      Test       Bootstrap (with system packages), Build, services (this host's libvirt and Debian 13's, built once
                 into output/trixie), UnitTest, PesterTest, then 'N passed, M failed'
                 ('N passed, M failed, K skipped' when any test was skipped or not run, which fails the task
                 too; UnitTest and PesterTest end with the same line)
      Demo       Build, then walk libvirt's virtio-fs procedure on examples/ (no root needed)
      Bench      Bootstrap (with system packages and python3-libvirt), Build, libvirtd, then every benchmark
                 in bench/: the module against virt-xml, a file edit and a libvirt edit against their floors,
                 fan-out over three hosts; each prints its ratio last, and Bench repeats those lines at the end
      Package    Build, then the .nupkg the PowerShell Gallery takes: output/VirtioFs.<version>.nupkg, made by
                 Publish-PSResource to a local file repository in a throwaway HOME under output/, so the
                 user's PSResourceGet config never sees it (tools/New-GalleryPackage.ps1)
#>
[CmdletBinding()]
param(
    [ValidateSet('Bootstrap', 'Clean', 'Build', 'Docs', 'UnitTest', 'PesterTest', 'Test', 'Demo', 'Bench', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Installs missing Debian packages (root only). Test and Bench turn this on by themselves.
    [switch] $InstallSystemPackages,

    # Pester tag filter, for a quicker inner loop.
    [string[]] $PesterTag = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'
$env:NO_COLOR = '1'

$Root = $PSScriptRoot
$Manifest = Import-PowerShellDataFile -LiteralPath ([IO.Path]::Combine($Root, 'VirtioFs.psd1'))
$Version = $Manifest.ModuleVersion
$OutputRoot = [IO.Path]::Combine($Root, 'output')
$ModuleOut = [IO.Path]::Combine($OutputRoot, 'VirtioFs', $Version)
$PackagesDir = [IO.Path]::Combine($OutputRoot, 'packages')
$ResultsDir = [IO.Path]::Combine($OutputRoot, 'TestResults')
$PesterVersion = '5.7.1'

# Debian packages the tests drive for real (see README "Requirements").
$SystemPackages = @(
    'qemu-system-x86'        # QEMU 7.2 and the C virtiofsd (/usr/lib/qemu/virtiofsd)
    'qemu-utils'
    'libvirt-daemon-system'  # libvirtd, virtlogd, libvirt.so.0
    'libvirt-clients'        # virsh, virt-xml-validate
    'libxml2-utils'          # xmllint, which virt-xml-validate runs
    'virtinst'               # virt-xml, the benchmark's reference tool
    'busybox-static'         # the real guest's userland
    'cpio'
    'procps'
    'systemd'                # systemd-analyze, which checks the units Register-VirtioFsDaemon writes (no running systemd needed)
    'patchelf'               # points Debian 13's Rust virtiofsd at trixie's glibc (tests/tools/get-rust-virtiofsd.sh)
    'openssh-server'         # the loopback sshd that stands for remote hosts (tests/tools/start-sshd.sh)
    'openssh-client'         # ssh and ssh-keygen for it, and libvirt's qemu+ssh transport
    'debootstrap'            # Debian 13's root with libvirt 11, QEMU 10 and virtiofsd 1.13 (tests/tools/build-trixie-root.sh)
)

# What the benchmarks need on top (bench/README.md): the floors call libvirt's C API from Python.
$BenchPackages = @(
    'python3-libvirt'        # bench/floors/libvirt_edit.py and libvirt_domains.py
)

function Invoke-Native {
    # Runs an external command with an argv array and fails on a non-zero exit code.
    param([string] $FilePath, [string[]] $ArgumentList)
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE"
    }
}

function Install-SystemPackage {
    param([string[]] $Package = $SystemPackages)
    $missing = foreach ($p in $Package) {
        $status = & dpkg-query -W -f '${Status}' $p 2>$null
        if ($LASTEXITCODE -ne 0 -or $status -notmatch 'install ok installed') { $p }
    }
    if (-not $missing) { return }
    if ((& id -u) -ne '0') {
        throw "Missing Debian packages: $($missing -join ', '). Install them as root: apt-get install $($missing -join ' ')"
    }
    Write-Host "Installing Debian packages: $($missing -join ' ')"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    # Packages must not start their services here (openssh-server would start sshd on port 22): a
    # policy-rc.d that denies every start, for the time of the install, unless the image has its own.
    $policy = '/usr/sbin/policy-rc.d'
    $ownPolicy = -not (Test-Path -LiteralPath $policy)
    if ($ownPolicy) { Set-Content -LiteralPath $policy -Value "#!/bin/sh`n# build.ps1: no service starts while the test packages install`nexit 101"; & chmod 755 $policy }
    try {
        Invoke-Native apt-get @('update', '-qq')
        Invoke-Native apt-get @(@('install', '-y', '-qq', '--no-install-recommends') + $missing)
    }
    finally {
        if ($ownPolicy) { Remove-Item -LiteralPath $policy -Force }
    }
}

function Invoke-Bootstrap {
    param([string[]] $ExtraPackage = @())
    $pester = [IO.Path]::Combine($PackagesDir, 'pester', $PesterVersion, 'tools', 'Pester.psd1')
    if (-not (Test-Path -LiteralPath $pester)) {
        Invoke-Native dotnet @('restore', [IO.Path]::Combine($Root, 'tools', 'BuildDeps', 'BuildDeps.csproj'),
            '--packages', $PackagesDir, '-v', 'q')
    }
    if ($InstallSystemPackages) { Install-SystemPackage -Package ($SystemPackages + $ExtraPackage) }
}

function Invoke-Bench {
    # Every benchmark, one child pwsh each, against the module just built. They exit 0 whether or not their
    # target is met (1 only when an output was wrong); their last line is the verdict, repeated at the end.
    # libvirtd is started when it is not running and left running (it may be shared); FanOut starts and stops
    # its own sshd.
    Invoke-Native bash @([IO.Path]::Combine($Root, 'tests', 'tools', 'start-libvirt.sh'))
    $verdicts = [Collections.Generic.List[string]]::new()
    $failed = 0
    foreach ($bench in 'Invoke-Benchmark.ps1', 'FileEdit.Benchmark.ps1', 'LibvirtEdit.Benchmark.ps1', 'FanOut.Benchmark.ps1') {
        Write-Host "`n== bench/$bench"
        $lines = [Collections.Generic.List[string]]::new()
        & dotnet pwsh -NoProfile -NonInteractive -File ([IO.Path]::Combine($Root, 'bench', $bench)) -ModulePath $ModuleOut 2>&1 |
            ForEach-Object { $lines.Add("$_"); Write-Host "$_" }
        if ($LASTEXITCODE -ne 0) { $failed++ }
        $last = @($lines | Where-Object { $_.Trim() }) | Select-Object -Last 1
        $verdicts.Add("${bench}: $(if ($LASTEXITCODE -ne 0) { "FAILED (exit code $LASTEXITCODE) " })$last")
    }
    Write-Host "`n== Benchmarks (each ratio from its own run above)"
    foreach ($v in $verdicts) { Write-Host $v }
    if ($failed) { throw "$failed benchmark(s) failed (a wrong output or an error above)." }
}

function Invoke-Clean {
    foreach ($dir in @($OutputRoot) + (Get-ChildItem -LiteralPath ([IO.Path]::Combine($Root, 'src')), ([IO.Path]::Combine($Root, 'tests')) -Directory -Recurse -Include bin, obj).FullName) {
        if ($dir -and (Test-Path -LiteralPath $dir)) { Remove-Item -LiteralPath $dir -Recurse -Force }
    }
}

function Get-ReleaseNote {
    # CHANGELOG.md's section for $Version ('## v0.1.0 - Unreleased' up to the next '## '), headings
    # and all. A version without a section fails the build: the Gallery would show no notes.
    $path = [IO.Path]::Combine($Root, 'CHANGELOG.md')
    $text = [IO.File]::ReadAllText($path) -replace '\r\n', "`n"
    $match = [regex]::Match($text, "(?ms)^## v?$([regex]::Escape($Version))\b[^\n]*\n(.*?)(?=^## |\z)")
    if (-not $match.Success -or -not $match.Groups[1].Value.Trim()) {
        throw "CHANGELOG.md has no '## v$Version' section with text; add one, the built manifest's ReleaseNotes come from it."
    }
    $match.Groups[1].Value.Trim()
}

function Get-ProjectUri {
    # The repository's web address, only when there honestly is one: origin as an https URL, without
    # credentials or '.git'. Anything else (no git, no origin, ssh) gives $null.
    if (-not (Get-Command -Name git -CommandType Application -ErrorAction Ignore)) { return $null }
    $url = & git -C $Root remote get-url origin 2>$null
    if ($LASTEXITCODE -ne 0 -or -not $url) { return $null }
    $uri = $null
    if (-not [Uri]::TryCreate(([string]$url).Trim(), [UriKind]::Absolute, [ref] $uri) -or $uri.Scheme -ne 'https') { return $null }
    $builder = [UriBuilder]::new($uri)
    $builder.UserName = ''; $builder.Password = ''; $builder.Query = ''; $builder.Fragment = ''
    $builder.Path = $builder.Path -replace '/+$', '' -replace '\.git$', ''
    $builder.Uri.AbsoluteUri
}

function Complete-BuiltManifest {
    # The source manifest stays short and readable ('See CHANGELOG.md'); the copy in the built module
    # gets what the Gallery shows. Text edits, not Update-ModuleManifest, so the rest stays as written.
    $path = [IO.Path]::Combine($ModuleOut, 'VirtioFs.psd1')
    $text = [IO.File]::ReadAllText($path)
    $notes = Get-ReleaseNote
    # Single-quoted literal: PowerShell also takes the typographic single quotes as quotes, so double them all.
    $literal = "'" + ($notes -replace "(['\u2018\u2019\u201A\u201B])", '$1$1') + "'"
    $pattern = [regex]::new("(?m)^([ \t]*)ReleaseNotes([ \t]*)=[ \t]*'See CHANGELOG\.md'[ \t]*$")
    if (-not $pattern.IsMatch($text)) { throw "VirtioFs.psd1 has no line ReleaseNotes = 'See CHANGELOG.md' for the build to fill in." }
    $text = $pattern.Replace($text, { param($m) "$($m.Groups[1].Value)ReleaseNotes$($m.Groups[2].Value)= $literal" }, 1)
    $projectUri = Get-ProjectUri
    if ($projectUri) {
        $license = [regex]::new("(?m)^([ \t]*)LicenseUri([ \t]*)=[^\n]*$")
        if (-not $license.IsMatch($text)) { throw 'VirtioFs.psd1 has no LicenseUri line to put ProjectUri after.' }
        $text = $license.Replace($text, { param($m) "$($m.Value)`n$($m.Groups[1].Value)ProjectUri$($m.Groups[2].Value)= '$projectUri'" }, 1)
    }
    [IO.File]::WriteAllText($path, $text, [Text.UTF8Encoding]::new($false))

    # Read it back as PowerShell will: the notes must survive the quoting exactly.
    $psData = (Import-PowerShellDataFile -LiteralPath $path).PrivateData.PSData
    if ($psData.ReleaseNotes -cne $notes) { throw "ReleaseNotes in $path do not read back as CHANGELOG.md's text." }
    Write-Host "Manifest: ReleaseNotes from CHANGELOG.md v$Version; $(if ($projectUri) { "ProjectUri $projectUri" } else { 'no ProjectUri (origin is not an https URL)' })"
}

function Invoke-Build {
    if (Test-Path -LiteralPath $ModuleOut) { Remove-Item -LiteralPath $ModuleOut -Recurse -Force }
    Invoke-Native dotnet @('publish', [IO.Path]::Combine($Root, 'src', 'VirtioFs', 'VirtioFs.csproj'),
        '-c', $Configuration, "-p:Version=$Version", '-o', $ModuleOut, '-v', 'q', '-nologo')
    foreach ($f in 'VirtioFs.psd1', 'VirtioFs.Format.ps1xml', 'LICENSE') {
        Copy-Item -LiteralPath ([IO.Path]::Combine($Root, $f)) -Destination $ModuleOut
    }
    Complete-BuiltManifest
    # Ship only our own assemblies: PowerShell Standard is a compile-time reference.
    $allowed = 'VirtioFs.dll', 'VirtioFs.Core.dll', 'VirtioFs.pdb', 'VirtioFs.Core.pdb', 'VirtioFs.psd1', 'VirtioFs.Format.ps1xml', 'LICENSE'
    Get-ChildItem -LiteralPath $ModuleOut -File | Where-Object Name -NotIn $allowed | Remove-Item -Force
    # Help is part of the module: without en-US/ whoever copies output/ ships an empty Get-Help.
    # On failure the module stays in output/, so tools/New-HelpSkeleton.ps1 can start missing pages.
    try { Invoke-Docs }
    catch { throw "The module in $ModuleOut was built, but not its help (problems above), so the build failed. $_" }
    Write-Host "Built $ModuleOut"
}

function Invoke-Docs {
    if (-not (Test-Path -LiteralPath ([IO.Path]::Combine($ModuleOut, 'VirtioFs.psd1')))) {
        throw "No module in $ModuleOut to write help for; run build.ps1 -Task Build (it writes the help too)."
    }
    $helpDir = [IO.Path]::Combine($ModuleOut, 'en-US')
    $docsDir = [IO.Path]::Combine($Root, 'docs', 'en-US')
    Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File',
        [IO.Path]::Combine($Root, 'tools', 'New-MamlHelp.ps1'),
        '-ModulePath', $ModuleOut, '-DocsPath', $docsDir, '-OutputPath', $helpDir)
    Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File',
        [IO.Path]::Combine($Root, 'tools', 'ConvertTo-AboutHelp.ps1'), '-DocsPath', $docsDir, '-OutputPath', $helpDir)
}

function Invoke-Package {
    Invoke-Native dotnet @('pwsh', '-NoProfile', '-NonInteractive', '-File',
        [IO.Path]::Combine($Root, 'tools', 'New-GalleryPackage.ps1'), '-ModulePath', $ModuleOut, '-OutputPath', $OutputRoot)
}

function Get-TrxCount([string] $Path) {
    # The run's counters. Every outcome that is neither passed nor failed counts as skipped, and so
    # does anything in 'total' that no counter accounts for: that is where a skipped xunit test ends up,
    # since this TRX logger counts it only in 'total' (notExecuted stays 0, 'executed' is one less).
    [xml] $trx = Get-Content -LiteralPath $Path -Raw
    $c = $trx.TestRun.ResultSummary.Counters
    $passed = [int]$c.passed
    $failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted + [int]$c.passedButRunAborted
    $skipped = [int]$c.notExecuted + [int]$c.inconclusive + [int]$c.notRunnable + [int]$c.pending +
        [int]$c.disconnected + [int]$c.inProgress + [int]$c.warning
    $skipped += [Math]::Max(0, [int]$c.total - $passed - $failed - $skipped)
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Format-TestSummary($Count) {
    # The line CI reads last: 'N passed, M failed', with ', K skipped' as soon as anything was skipped or not run.
    $line = "$($Count.Passed) passed, $($Count.Failed) failed"
    if ($Count.Skipped) { $line += ", $($Count.Skipped) skipped" }
    $line
}

function Test-Success($Count) {
    # A skip fails the run too: CONVENTIONS.md says a test whose requirement is missing fails, never skips.
    $Count.Failed -eq 0 -and $Count.Skipped -eq 0 -and $Count.Passed -gt 0
}

function Invoke-UnitTest {
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($proj in 'VirtioFs.Core.Tests', 'VirtioFs.Tests') {
        $trx = [IO.Path]::Combine($ResultsDir, "$proj.trx")
        if (Test-Path -LiteralPath $trx) { Remove-Item -LiteralPath $trx }
        & dotnet test ([IO.Path]::Combine($Root, 'tests', $proj, "$proj.csproj")) -c $Configuration -nologo `
            --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal' | Out-Host
        $exit = $LASTEXITCODE
        if (Test-Path -LiteralPath $trx) {
            $count = Get-TrxCount $trx
            $passed += $count.Passed; $failed += $count.Failed; $skipped += $count.Skipped
            if ($exit -ne 0 -and $count.Failed -eq 0) { $failed++ }   # crashed test host: count it
        }
        else {
            Write-Warning "$proj produced no results (exit code $exit)"
            $failed++
        }
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed; Skipped = $skipped }
}

function Invoke-PesterTest {
    $result = [IO.Path]::Combine($ResultsDir, 'pester.json')
    if (Test-Path -LiteralPath $result) { Remove-Item -LiteralPath $result }
    # A child pwsh, so Pester never locks the DLLs of this process and PSModulePath mistakes show.
    $pesterArgs = @('-NoProfile', '-NonInteractive', '-File', ([IO.Path]::Combine($Root, 'tools', 'Invoke-PesterTests.ps1')),
        '-PesterPath', ([IO.Path]::Combine($PackagesDir, 'pester', $PesterVersion, 'tools', 'Pester.psd1')),
        '-ModulePath', $ModuleOut, '-TestPath', ([IO.Path]::Combine($Root, 'tests', 'pester')), '-ResultPath', $result)
    if ($PesterTag) { $pesterArgs += @('-Tag', ($PesterTag -join ',')) }
    # Output goes to the host: anything left on the pipeline would become this function's result.
    & dotnet pwsh @pesterArgs | Out-Host
    if (-not (Test-Path -LiteralPath $result)) {
        Write-Warning 'Pester produced no results'
        return [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 }
    }
    Get-Content -LiteralPath $result -Raw | ConvertFrom-Json
}

function Start-TestService {
    # This host's libvirt first: it mounts hugetlbfs, which Debian 13's libvirtd must see at its start.
    Invoke-Native bash @([IO.Path]::Combine($Root, 'tests', 'tools', 'start-libvirt.sh'))
    # Debian 13's stack beside it (libvirt 11, QEMU 10, virtiofsd 1.13): its root is built once per checkout
    # from apt's mirror and cached in output/trixie; its system libvirtd and a user's session libvirtd run in
    # namespaces of their own. Tests get both stacks from Get-VirtioFsTestStack (tests/pester/common.ps1).
    Invoke-Native bash @([IO.Path]::Combine($Root, 'tests', 'tools', 'build-trixie-root.sh'))
    Invoke-Native bash @([IO.Path]::Combine($Root, 'tests', 'tools', 'start-trixie-libvirt.sh'))
    Invoke-Native bash @([IO.Path]::Combine($Root, 'tests', 'tools', 'start-trixie-session.sh'))
    # 127.0.0.2-4 stand for three remote hosts, reached over a real sshd on loopback (output/ssh).
    Invoke-Native bash @([IO.Path]::Combine($Root, 'tests', 'tools', 'start-sshd.sh'))
}

function Stop-TestService {
    & bash ([IO.Path]::Combine($Root, 'tests', 'tools', 'stop-sshd.sh'))
    # Ends Debian 13's daemons and everything they started (guests, virtiofsd, the session libvirtd).
    & bash ([IO.Path]::Combine($Root, 'tests', 'tools', 'stop-trixie-libvirt.sh'))
    & bash ([IO.Path]::Combine($Root, 'tests', 'tools', 'stop-libvirt.sh'))
}

New-Item -ItemType Directory -Force -Path $OutputRoot, $ResultsDir | Out-Null

switch ($Task) {
    'Bootstrap' { Invoke-Bootstrap }
    'Clean' { Invoke-Clean }
    'Build' { Invoke-Build }
    'Docs' { Invoke-Docs }
    'UnitTest' { Invoke-Bootstrap; $r = Invoke-UnitTest; Format-TestSummary $r; if (-not (Test-Success $r)) { exit 1 } }
    'PesterTest' { Invoke-Bootstrap; $r = Invoke-PesterTest; Format-TestSummary $r; if (-not (Test-Success $r)) { exit 1 } }
    'Test' {
        $InstallSystemPackages = $true
        Invoke-Bootstrap
        Invoke-Build
        $started = $false
        try {
            # Marked before starting: services a failed start left running are stopped too (each stop script
            # ends only what its start script started).
            $started = $true; Start-TestService
            $unit = Invoke-UnitTest
            $pester = Invoke-PesterTest
        }
        finally {
            if ($started) { Stop-TestService }
        }
        $total = [pscustomobject]@{
            Passed  = $unit.Passed + $pester.Passed
            Failed  = $unit.Failed + $pester.Failed
            Skipped = $unit.Skipped + $pester.Skipped
        }
        Write-Host "xunit: $(Format-TestSummary $unit); Pester: $(Format-TestSummary $pester)"
        # The CI reads this exact line, last.
        Write-Output (Format-TestSummary $total)
        if (-not (Test-Success $total)) { exit 1 }
    }
    'Demo' {
        Invoke-Build
        & dotnet pwsh -NoProfile -NonInteractive -File ([IO.Path]::Combine($Root, 'examples', 'Invoke-Demo.ps1')) -ModulePath $ModuleOut
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    'Bench' {
        $InstallSystemPackages = $true
        Invoke-Bootstrap -ExtraPackage $BenchPackages
        Invoke-Build
        Invoke-Bench
    }
    'Package' {
        Invoke-Build
        Invoke-Package
    }
}
