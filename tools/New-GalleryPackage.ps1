# SPDX-License-Identifier: MIT
#Requires -Version 7.4

<#
.SYNOPSIS
    Packs the built module into the .nupkg the PowerShell Gallery takes, with Publish-PSResource
    to a local file repository.
.DESCRIPTION
    Publish-PSResource is what a maintainer runs against the Gallery; pointed at a folder instead,
    it writes <OutputPath>/VirtioFs.<version>.nupkg with the nuspec built from the manifest, as the
    Gallery would receive it. An older file of the same name is replaced.

    Registering a repository writes PSResourceGet's config (PSResourceRepository.xml under
    ~/.local/share), so none of that happens in this process or in the user's profile. The script
    starts the same pwsh again with HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and TMPDIR
    in a throwaway folder under OutputPath (and no inherited PSModulePath). That child unregisters
    the default PSGallery entry of its empty config, so nothing can reach the Gallery, registers a
    uniquely named trusted repository pointing at OutputPath, publishes, and unregisters it. The
    throwaway folder is removed afterwards, whatever happened.

    The script knows it is that child when HOME is the throwaway folder, and even then refuses to
    touch PSResourceGet unless .NET puts the user's data and config folders inside it.
.EXAMPLE
    dotnet pwsh -NoProfile -NonInteractive -File tools/New-GalleryPackage.ps1 -ModulePath output/VirtioFs/0.1.0 -OutputPath output

    Writes output/VirtioFs.0.1.0.nupkg (build.ps1 -Task Package does this after Build).
#>
using namespace System.Diagnostics
using namespace System.IO

[CmdletBinding()]
param(
    # The built module folder (contains VirtioFs.psd1 and en-US/).
    [Parameter(Mandatory)] [string] $ModulePath,
    # The folder that becomes the local repository and receives the .nupkg.
    [Parameter(Mandatory)] [string] $OutputPath,
    # The throwaway HOME for the child; created and removed by this script. Default: a new folder
    # under OutputPath.
    [string] $ScratchPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ModuleName = 'VirtioFs'

function Get-PwshCommandLine {
    # The pwsh running this script: the pinned dotnet tool runs as 'dotnet <PSHOME>/pwsh.dll',
    # which `dotnet pwsh` cannot reach outside the repository; an installed pwsh runs as itself.
    $process = [Environment]::ProcessPath
    if ([Path]::GetFileNameWithoutExtension($process) -eq 'pwsh') { return , @($process) }
    , @($process, [Path]::Combine($PSHOME, 'pwsh.dll'))
}

function Test-InsideFolder([string] $Path, [string] $Folder) {
    $Path -and [Path]::GetFullPath($Path).StartsWith([Path]::GetFullPath($Folder).TrimEnd('/') + '/', [StringComparison]::Ordinal)
}

function Invoke-Publish {
    # Runs in the isolated child only.
    param([string] $ModuleDir, [string] $RepositoryDir, [string] $ScratchDir)
    foreach ($folder in 'LocalApplicationData', 'ApplicationData') {
        $path = [Environment]::GetFolderPath($folder)
        if (-not (Test-InsideFolder -Path $path -Folder $ScratchDir)) {
            throw "Refusing to register a repository: .NET's $folder is '$path', not inside the throwaway $ScratchDir."
        }
    }
    Import-Module -Name Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    if (Get-PSResourceRepository -Name PSGallery -ErrorAction Ignore) { Unregister-PSResourceRepository -Name PSGallery }
    $repository = "$ModuleName-Local-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
    Register-PSResourceRepository -Name $repository -Uri $RepositoryDir -Trusted
    try { Publish-PSResource -Path $ModuleDir -Repository $repository }
    finally { Unregister-PSResourceRepository -Name $repository }
}

$moduleDir = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$manifestPath = [Path]::Combine($moduleDir, "$ModuleName.psd1")
if (-not [File]::Exists($manifestPath)) { throw "No $ModuleName.psd1 in $moduleDir; build the module first (build.ps1 -Task Build)." }
[Directory]::CreateDirectory($OutputPath) | Out-Null
$repositoryDir = (Resolve-Path -LiteralPath $OutputPath).ProviderPath
if (-not $ScratchPath) { $ScratchPath = [Path]::Combine($repositoryDir, ".package-home-$([guid]::NewGuid().ToString('N').Substring(0, 12))") }
$scratchDir = [Path]::GetFullPath($ScratchPath)

if ($env:HOME -and [Path]::GetFullPath($env:HOME) -eq $scratchDir) {
    Invoke-Publish -ModuleDir $moduleDir -RepositoryDir $repositoryDir -ScratchDir $scratchDir
    exit 0
}

$version = (Import-PowerShellDataFile -LiteralPath $manifestPath).ModuleVersion
$nupkg = [Path]::Combine($repositoryDir, "$ModuleName.$version.nupkg")
if ([File]::Exists($nupkg)) { [File]::Delete($nupkg) }
if ([Directory]::Exists($scratchDir)) { throw "The throwaway HOME $scratchDir already exists; give a new -ScratchPath." }

$start = [ProcessStartInfo]::new()
$pwsh = Get-PwshCommandLine
$start.FileName = $pwsh[0]
foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $PSCommandPath,
        '-ModulePath', $moduleDir, '-OutputPath', $repositoryDir, '-ScratchPath', $scratchDir)) {
    $start.ArgumentList.Add($a)
}
$start.UseShellExecute = $false
$start.WorkingDirectory = $scratchDir
$start.Environment['HOME'] = $scratchDir
$start.Environment['XDG_DATA_HOME'] = [Path]::Combine($scratchDir, '.local', 'share')
$start.Environment['XDG_CONFIG_HOME'] = [Path]::Combine($scratchDir, '.config')
$start.Environment['XDG_CACHE_HOME'] = [Path]::Combine($scratchDir, '.cache')
$start.Environment['TMPDIR'] = [Path]::Combine($scratchDir, 'tmp')
$start.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
$start.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
[void]$start.Environment.Remove('PSModulePath')
try {
    # .NET gives an empty folder path for a data folder that does not exist, and PSResourceGet then
    # writes its config relative to the working directory: create them all first.
    foreach ($name in 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'TMPDIR') {
        [Directory]::CreateDirectory($start.Environment[$name]) | Out-Null
    }
    $child = [Process]::Start($start)
    $child.WaitForExit()
    if ($child.ExitCode -ne 0) { throw "Publish-PSResource in the isolated pwsh failed with exit code $($child.ExitCode)." }
}
finally {
    if ([Directory]::Exists($scratchDir)) { [Directory]::Delete($scratchDir, $true) }
}
if (-not [File]::Exists($nupkg)) { throw "Publish-PSResource reported success but wrote no $nupkg." }
Write-Host "Wrote $nupkg"
