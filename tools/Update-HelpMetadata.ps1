# SPDX-License-Identifier: MIT
#Requires -Version 7.4

<#
.SYNOPSIS
    Rewrites the SYNTAX section and every parameter's yaml block of the help pages from the built module.
.DESCRIPTION
    The part of platyPS Update-MarkdownHelp we need: the metadata in a page (syntax lines, type,
    parameter sets, aliases, position, pipeline input, wildcards, default) is derived from the
    cmdlet, so it is generated, never typed; the prose stays as written. Help.Tests.ps1 fails when
    a page and the module disagree, naming this script. Run it in a child pwsh so the module DLLs
    are not locked in your session:

        dotnet pwsh -NoProfile -File tools/Update-HelpMetadata.ps1 -ModulePath output/VirtioFs/0.1.0 -DocsPath docs/en-US

    With -Check it writes nothing and lists the pages that differ (exit code 1 when any does).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath,
    [switch] $Check
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'HelpMetadata.ps1'))

function Update-PageMetadata {
    # The page text with its SYNTAX section and parameter yaml blocks regenerated.
    param([string] $Text, [System.Management.Automation.CommandInfo] $Command)
    $nl = "`n"
    $lines = $Text -split "`r?`n"
    $instance = New-CmdletInstance -Command $Command
    $out = [System.Collections.Generic.List[string]]::new()
    $section = ''
    $parameter = $null
    $i = 0
    while ($i -lt $lines.Count) {
        $line = $lines[$i]
        if ($line -match '^## (\S.*)$') {
            $section = $Matches[1].Trim()
            $parameter = $null
            $out.Add($line)
            $i++
            if ($section -eq 'SYNTAX') {
                $out.Add('')
                foreach ($l in Get-SyntaxBlock -Command $Command) { $out.Add($l) }
                # Skip the old syntax up to the next section.
                while ($i -lt $lines.Count -and $lines[$i] -notmatch '^## ') { $i++ }
            }
            continue
        }
        if ($section -eq 'PARAMETERS' -and $line -match '^### -(\S+)\s*$') {
            $parameter = $Matches[1]
            $out.Add($line)
            $i++
            continue
        }
        if ($section -eq 'PARAMETERS' -and $parameter -and $line -match '^```yaml\s*$' -and $Command.Parameters.ContainsKey($parameter)) {
            # Replace this and any following yaml blocks of the same parameter with the generated ones. A default
            # written in words ("None (sysfs of this host)") is the author's: it is kept, everything else is derived.
            $defaults = [System.Collections.Generic.List[string]]::new()
            for ($j = $i; $j -lt $lines.Count -and $lines[$j] -notmatch '^### '; $j++) {
                if ($lines[$j] -match '^Default value: (.+)$') { $defaults.Add($Matches[1]) }
            }
            while ($i -lt $lines.Count -and $lines[$i] -match '^```yaml\s*$') {
                $i++
                while ($i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$') { $i++ }
                $i++
                while ($i -lt $lines.Count -and $lines[$i] -eq '' -and ($i + 1) -lt $lines.Count -and $lines[$i + 1] -match '^```yaml\s*$') { $i++ }
            }
            $generated = @(Get-ParameterYaml -Command $Command -Name $parameter -Instance $instance)
            # Get-ParameterYaml ends each block with an empty line; the page's own blank line follows.
            if ($generated.Count -and $generated[-1] -eq '') { $generated = $generated[0..($generated.Count - 2)] }
            $block = 0
            for ($k = 0; $k -lt $generated.Count; $k++) {
                if ($generated[$k] -match '^Default value: ' -and $block -lt $defaults.Count) { $generated[$k] = "Default value: $($defaults[$block])"; $block++ }
            }
            foreach ($l in $generated) { $out.Add($l) }
            $parameter = $null
            continue
        }
        $out.Add($line)
        $i++
    }
    $out -join $nl
}

$manifest = Join-Path (Resolve-Path -LiteralPath $ModulePath).ProviderPath 'VirtioFs.psd1'
Import-Module $manifest -Force
$changed = @()
foreach ($command in Get-Command -Module VirtioFs -CommandType Cmdlet | Sort-Object Name) {
    $page = Join-Path $DocsPath "$($command.Name).md"
    if (-not (Test-Path -LiteralPath $page)) { Write-Warning "$page is missing: run tools/New-HelpSkeleton.ps1 first."; continue }
    $text = [IO.File]::ReadAllText($page)
    $updated = Update-PageMetadata -Text $text -Command $command
    if ($updated -ne $text) {
        $changed += $page
        if (-not $Check) { [IO.File]::WriteAllText($page, $updated, [Text.UTF8Encoding]::new($false)) }
    }
}
if ($Check) {
    if ($changed) { $changed | ForEach-Object { "differs: $_" }; exit 1 }
    'Every page matches the module.'
}
else {
    $changed | ForEach-Object { "updated: $_" }
}
