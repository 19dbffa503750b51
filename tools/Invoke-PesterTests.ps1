# SPDX-License-Identifier: MIT
# Runs the Pester suite against the built module (called by build.ps1 in a child pwsh) and writes
# {Passed, Failed} to -ResultPath. A container that fails to load counts as a failure.
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
[pscustomobject]@{ Passed = $result.PassedCount; Failed = $failed } |
    ConvertTo-Json | Set-Content -LiteralPath $ResultPath
