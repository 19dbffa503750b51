# SPDX-License-Identifier: MIT
# Runs the Pester suite against the built module (called by build.ps1 in a child pwsh) and writes
# {Passed, Failed, Skipped} to -ResultPath. A container that fails to load counts as a failure.
# Skipped counts every selected test that did not run to a verdict: -Skip, Set-ItResult -Skipped,
# -Pending or -Inconclusive, and tests left NotRun. Tests that -Tag filtered out are not counted:
# Pester reports them as NotRun too, but with ShouldRun false.
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string[]] $Tag = @()
)
$ErrorActionPreference = 'Stop'
Import-Module -Name (Resolve-Path -LiteralPath $PesterPath).Path -Force
$env:VIRTIOFS_MODULE_PATH = (Resolve-Path -LiteralPath $ModulePath).Path

$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = [IO.Path]::ChangeExtension($ResultPath, '.xml')
if ($Tag) { $config.Filter.Tag = $Tag }

$result = Invoke-Pester -Configuration $config
$failed = $result.FailedCount + $result.FailedContainersCount + $result.FailedBlocksCount
$notRun = @($result.Tests | Where-Object { $_.ShouldRun -and $_.Result -eq 'NotRun' })
$skipped = $result.SkippedCount + $result.InconclusiveCount + $notRun.Count
if ($skipped) {
    # Name them: a skip fails the run, and whoever reads the log needs to know which test it was.
    Write-Host "Pester: $skipped selected test(s) did not run to a verdict:"
    foreach ($test in @($result.Skipped) + @($result.Inconclusive) + $notRun) { Write-Host "  [$($test.Result)] $($test.ExpandedPath)" }
}
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed; Skipped = $skipped } |
    ConvertTo-Json | Set-Content -LiteralPath $ResultPath
