# SPDX-License-Identifier: MIT
#Requires -Version 7.4

<#
.SYNOPSIS
    Writes a platyPS-style markdown skeleton for every exported cmdlet that has no help page yet.
.DESCRIPTION
    The part of platyPS New-MarkdownHelp we need day to day (style guide 5.8). For each exported
    cmdlet without docs/en-US/<Verb-Noun>.md it writes a page with every heading and the yaml block
    of every parameter filled from Get-Command. Prose is left as {{ ... }} placeholders, which
    tools/New-MamlHelp.ps1 rejects, so a skeleton cannot ship unfinished. Existing pages are never
    touched. Run it in a child pwsh so the module DLLs are not locked in your session:

        dotnet pwsh -NoProfile -File tools/New-HelpSkeleton.ps1 -ModulePath output/VirtioFs/0.1.0 -DocsPath docs/en-US
#>
using namespace System.Collections.Generic
using namespace System.IO
using namespace System.Management.Automation
using namespace System.Text

[CmdletBinding()]
param(
    # The built module folder (contains VirtioFs.psd1).
    [Parameter(Mandatory)] [string] $ModulePath,
    # The markdown folder (docs/en-US).
    [Parameter(Mandatory)] [string] $DocsPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'HelpMetadata.ps1'))

$ModuleName = 'VirtioFs'

# Boilerplate that needs no author: these two mean the same thing on every cmdlet.
$StandardDescription = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

function New-SkeletonText {
    param([CommandInfo] $Command)
    $parameters = @(Get-DocumentedParameterName -Command $Command | Sort-Object)
    $inputTypes = @(foreach ($name in $parameters) {
            $meta = $Command.Parameters[$name]
            $piped = @($meta.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName })
            if ($piped.Count) { Get-FriendlyTypeName -Type $meta.ParameterType -FullName }
        }) | Select-Object -Unique
    $outputTypes = @($Command.OutputType | ForEach-Object { if ($_.Type) { Get-FriendlyTypeName -Type $_.Type -FullName } else { $_.Name } }) |
        Select-Object -Unique

    $lines = [List[string]]::new()
    $add = { param([string[]] $Text) foreach ($t in $Text) { $lines.Add($t) } }
    & $add @(
        '---'
        "external help file: $ModuleName.dll-Help.xml"
        "Module Name: $ModuleName"
        'online version:'
        'schema: 2.0.0'
        '---'
        ''
        "# $($Command.Name)"
        ''
        '## SYNOPSIS'
        '{{ Fill in the Synopsis: one sentence saying what the cmdlet does }}'
        ''
        '## SYNTAX'
        ''
    )
    & $add @(Get-SyntaxBlock -Command $Command)
    & $add @(
        '## DESCRIPTION'
        '{{ Fill in the Description: what it does, what it changes, what it needs }}'
        ''
        '## EXAMPLES'
        ''
    )
    foreach ($n in 1, 2) {
        & $add @(
            "### Example $($n): {{ Add title }}"
            ''
            '```powershell'
            "{{ Add example code }}"
            '```'
            ''
            '{{ Add example description }}'
            ''
        )
    }
    & $add @('## PARAMETERS', '')
    $instance = New-CmdletInstance -Command $Command
    try {
        foreach ($name in $parameters) {
            $text = if ($StandardDescription.ContainsKey($name)) { $StandardDescription[$name] } else { "{{ Fill $name Description }}" }
            & $add @("### -$name", $text, '')
            & $add @(Get-ParameterYaml -Command $Command -Name $name -Instance $instance)
        }
    }
    finally { if ($instance -is [IDisposable]) { $instance.Dispose() } }
    & $add @(
        '### CommonParameters'
        'This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).'
        ''
        '## INPUTS'
        ''
    )
    if (-not $inputTypes) { $inputTypes = @('None') }
    foreach ($type in $inputTypes) { & $add @("### $type", '{{ Describe what is taken from the pipeline }}', '') }
    & $add @('## OUTPUTS', '')
    if (-not $outputTypes) { $outputTypes = @('None') }
    foreach ($type in $outputTypes) { & $add @("### $type", '{{ Describe the output }}', '') }
    & $add @(
        '## NOTES'
        ''
        '## RELATED LINKS'
        ''
        '[about_VirtioFs](about_VirtioFs.md)'
    )
    ($lines -join "`n") + "`n"
}

$moduleDir = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$manifest = [Path]::Combine($moduleDir, "$ModuleName.psd1")
if (-not [File]::Exists($manifest)) { throw "No $ModuleName.psd1 in $moduleDir; build the module first (build.ps1 -Task Build)." }
[Directory]::CreateDirectory($DocsPath) | Out-Null
$docsDir = (Resolve-Path -LiteralPath $DocsPath).ProviderPath

$module = Import-Module -Name $manifest -Force -PassThru -Verbose:$false
foreach ($command in $module.ExportedCmdlets.Values | Sort-Object Name) {
    $path = [Path]::Combine($docsDir, "$($command.Name).md")
    if ([File]::Exists($path)) {
        Write-Verbose "Keeping $path"
        continue
    }
    $bytes = [UTF8Encoding]::new($false).GetBytes((New-SkeletonText -Command $command))
    # CreateNew: never overwrite, even if the page appeared since the check above.
    $stream = [FileStream]::new($path, [FileMode]::CreateNew, [FileAccess]::Write)
    try { $stream.Write($bytes, 0, $bytes.Length) }
    finally { $stream.Dispose() }
    Write-Host "Wrote $path"
}
