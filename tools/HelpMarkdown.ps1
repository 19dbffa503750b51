# SPDX-License-Identifier: MIT
# Markdown reading shared by New-MamlHelp.ps1 (cmdlet pages) and ConvertTo-AboutHelp.ps1 (about_
# topics), so both see the same front matter and the same code fences. Dot-source it.

function Split-FrontMatter {
    # Returns the yaml front matter (key: value pairs) and the remaining lines.
    param([string[]] $Lines)
    $front = [ordered]@{}
    $start = 0
    if ($Lines.Count -gt 0 -and $Lines[0].Trim() -eq '---') {
        for ($i = 1; $i -lt $Lines.Count; $i++) {
            if ($Lines[$i].Trim() -eq '---') { $start = $i + 1; break }
            if ($Lines[$i] -match '^\s*([^:]+?)\s*:\s*(.*?)\s*$') { $front[$Matches[1]] = $Matches[2] }
        }
        if ($start -eq 0) { throw 'Front matter opened with --- is never closed.' }
    }
    [pscustomobject]@{ FrontMatter = $front; Body = [string[]]@($Lines | Select-Object -Skip $start) }
}

function Test-FenceLine([string] $Line) { $Line -match '^\s*(```|~~~)' }
