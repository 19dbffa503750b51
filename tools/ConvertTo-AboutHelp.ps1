# SPDX-License-Identifier: MIT
#Requires -Version 7.4

<#
.SYNOPSIS
    Turns docs/en-US/about_*.md into the about_*.help.txt topics of the built module.
.DESCRIPTION
    Get-Help about_<Name> reads plain text from the module's en-US folder (style guide 5.8). For each
    <DocsPath>/about_*.md this script drops the front matter, turns `#`/`##` headings into uppercase
    section titles (an `# about_Name` title becomes TOPIC), indents the body 4 spaces and wraps it at
    80 columns, keeps code fences verbatim (indented 8), keeps `###` subheadings as written,
    underlined, and drops markdown inline syntax (links keep their text, and their URI when it is
    absolute).

    Every page is converted before anything is written, so a page it cannot read (an unclosed code
    fence or front matter) fails the run with no topic half updated. It needs no module: the
    cmdlet pages are tools/New-MamlHelp.ps1's (build.ps1 runs both).
.EXAMPLE
    dotnet pwsh -NoProfile -NonInteractive -File tools/ConvertTo-AboutHelp.ps1 -DocsPath docs/en-US -OutputPath output/VirtioFs/0.1.0/en-US
#>
using namespace System.Collections.Generic
using namespace System.IO
using namespace System.Text

[CmdletBinding()]
param(
    # The markdown folder (docs/en-US).
    [Parameter(Mandatory)] [string] $DocsPath,
    # Where the about_*.help.txt topics go (the module's en-US folder).
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'HelpMarkdown.ps1'))

$AboutWidth = 80

function ConvertTo-PlainInline([string] $Text) {
    # Markdown inline syntax reads badly in a terminal: drop it, keep the words.
    $Text = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]*)\)', {
            param($m)
            $uri = $m.Groups[2].Value
            if ($uri -match '^[a-zA-Z][a-zA-Z0-9+.-]*://') { "$($m.Groups[1].Value) ($uri)" } else { $m.Groups[1].Value }
        })
    $Text = $Text -replace '\*\*([^*]+)\*\*', '$1' -replace '__([^_]+)__', '$1'
    $Text -replace '`([^`]+)`', '$1'
}

function Format-Wrapped {
    # Word-wraps text to $Width columns: first line after $FirstPrefix, the rest after $NextPrefix.
    param([string] $Text, [string] $FirstPrefix, [string] $NextPrefix, [int] $Width = $AboutWidth)
    $lines = [List[string]]::new()
    $current = $FirstPrefix
    $empty = $true
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if (-not $empty -and ($current.Length + 1 + $word.Length) -gt $Width) {
            $lines.Add($current)
            $current = $NextPrefix + $word
        }
        elseif ($empty) { $current += $word }
        else { $current += " $word" }
        $empty = $false
    }
    $lines.Add($current.TrimEnd())
    $lines.ToArray()
}

function ConvertTo-AboutHelpText {
    # about_*.md -> about_*.help.txt: `#`/`##` become uppercase section titles (an `# about_Name`
    # title becomes TOPIC), the body is indented 4 and wrapped at 80, fences stay verbatim (8 in),
    # `###` subheadings stay as written, underlined.
    param([string] $Path)
    $body = (Split-FrontMatter -Lines ([File]::ReadAllLines($Path))).Body
    $out = [List[string]]::new()
    $para = [List[string]]::new()
    $listPrefix = $null
    $inFence = $false
    $indent = '    '

    $headingEnd = -1     # no blank line between a title and its body
    $addBlank = { if ($out.Count -gt 0 -and $out[$out.Count - 1] -ne '' -and $out.Count -ne $headingEnd) { $out.Add('') } }
    $flush = {
        if ($para.Count -gt 0) {
            $text = ConvertTo-PlainInline (($para | ForEach-Object { $_.Trim() }) -join ' ')
            if ($null -ne $listPrefix) {
                $lines = Format-Wrapped -Text $text -FirstPrefix ($indent + $listPrefix) -NextPrefix ($indent + (' ' * $listPrefix.Length))
            }
            else { $lines = Format-Wrapped -Text $text -FirstPrefix $indent -NextPrefix $indent }
            foreach ($l in $lines) { $out.Add($l) }
            $para.Clear()
        }
        $listPrefix = $null
    }

    foreach ($line in $body) {
        if (Test-FenceLine $line) {
            . $flush
            if (-not $inFence) { . $addBlank }
            $inFence = -not $inFence
            continue
        }
        if ($inFence) { $out.Add(($indent * 2 + $line).TrimEnd()); continue }
        if ($line -match '^(#{1,6})\s+(.*?)\s*$') {
            . $flush
            . $addBlank
            $level = $Matches[1].Length
            $text = ConvertTo-PlainInline $Matches[2]
            if ($level -eq 1 -and $text -match '^about_') {
                $out.Add('TOPIC'); $out.Add($indent + $text)
                continue    # the title is its own body: a blank line may follow
            }
            if ($level -le 2) { $out.Add($text.ToUpperInvariant()) }
            else { $out.Add($indent + $text); $out.Add($indent + ('-' * $text.Length)) }
            $headingEnd = $out.Count
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) { . $flush; . $addBlank; continue }
        if ($line -match '^\s*\|') { . $flush; $out.Add($indent + $line.TrimEnd()); continue }
        if ($line -match '^(\s*)([-*+]|\d+\.)\s+(.*)$') {
            $lead, $marker, $rest = $Matches[1], $Matches[2], $Matches[3]
            . $flush
            if ($marker -in '*', '+') { $marker = '-' }
            $listPrefix = "$lead$marker "
            $para.Add($rest)
            continue
        }
        $para.Add($line)
    }
    if ($inFence) { throw "$($Path): a code fence is never closed." }
    . $flush
    while ($out.Count -gt 0 -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }
    ($out -join "`n") + "`n"
}

function Invoke-Main {
    $docsDir = (Resolve-Path -LiteralPath $DocsPath).ProviderPath
    [Directory]::CreateDirectory($OutputPath) | Out-Null
    $outDir = (Resolve-Path -LiteralPath $OutputPath).ProviderPath

    $abouts = @(foreach ($about in [Directory]::GetFiles($docsDir, 'about_*.md')) {
            [pscustomobject]@{
                Path = [Path]::Combine($outDir, [Path]::GetFileNameWithoutExtension($about) + '.help.txt')
                Text = ConvertTo-AboutHelpText -Path $about
            }
        })

    foreach ($about in $abouts) {
        [File]::WriteAllText($about.Path, $about.Text, [UTF8Encoding]::new($false))
        Write-Host "Wrote $($about.Path)"
    }
}

Invoke-Main
