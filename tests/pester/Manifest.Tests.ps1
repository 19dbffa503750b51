# SPDX-License-Identifier: MIT
# The manifest matches the assembly (style guide 5.3 and pitfalls 5.11): exports, editions,
# versions, verbs, nouns, output types and ShouldProcess; and the built copy carries what the
# PowerShell Gallery shows (tags, license, release notes from CHANGELOG.md, project page).

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    # Verbs that change something on the host or in a domain; such cmdlets must honour -WhatIf.
    $stateChangingVerbs = 'New', 'Set', 'Remove', 'Enable', 'Disable', 'Start', 'Stop', 'Restart', 'Register',
    'Unregister', 'Add', 'Clear', 'Install', 'Mount', 'Dismount'
    $commandCases = @(foreach ($command in Get-VirtioFsCommand) { @{ Name = $command.Name; Verb = $command.Verb; Noun = $command.Noun } })
    $stateChangingCases = @($commandCases | Where-Object { $_.Verb -in $stateChangingVerbs })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $manifestPath = [IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1')
    $manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
    $exports = @($manifest.CmdletsToExport)
    $psData = $manifest.PrivateData.PSData
    $repoRoot = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))

    function Get-CmdletClassName {
        # Verb-Noun of every concrete [Cmdlet] class in VirtioFs.dll.
        $assembly = Get-VirtioFsAssembly -Name VirtioFs
        try { $types = $assembly.GetTypes() }
        catch [Reflection.ReflectionTypeLoadException] {
            throw "VirtioFs.dll has types that do not load: $($_.Exception.LoaderExceptions | Select-Object -First 3 | Out-String)"
        }
        foreach ($type in $types) {
            if (-not $type.IsClass -or $type.IsAbstract -or -not [System.Management.Automation.Cmdlet].IsAssignableFrom($type)) { continue }
            $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
            if ($attribute) { "$($attribute.VerbName)-$($attribute.NounName)" }
        }
    }
}

Describe 'VirtioFs.psd1' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'is for PowerShell 7.4+ Core only' {
        @($manifest.CompatiblePSEditions) -join ',' | Should -BeExactly 'Core'
        $manifest.PowerShellVersion | Should -Be '7.4'
    }

    It 'lists each cmdlet once' {
        $duplicates = @($exports | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name)
        $duplicates | Should -BeNullOrEmpty -Because 'CmdletsToExport must not repeat a name'
    }

    It 'lists CmdletsToExport sorted' {
        $sorted = [string[]]$exports.Clone()
        [Array]::Sort($sorted, [StringComparer]::OrdinalIgnoreCase)
        $exports -join ', ' | Should -BeExactly ($sorted -join ', ')
    }

    It 'exports exactly the [Cmdlet] classes of VirtioFs.dll' {
        $classes = @(Get-CmdletClassName | Sort-Object)
        $classes.Count | Should -BeGreaterThan 0 -Because 'VirtioFs.dll must contain cmdlets'
        @($classes | Where-Object { $_ -notin $exports }) | Should -BeNullOrEmpty -Because 'every cmdlet class must be listed in CmdletsToExport'
        @($exports | Where-Object { $_ -notin $classes }) | Should -BeNullOrEmpty -Because 'CmdletsToExport must not list cmdlets that do not exist'
    }

    It 'makes the module export what it lists' {
        @(Get-VirtioFsCommand | ForEach-Object Name) -join ', ' | Should -Be (@($exports | Sort-Object -Unique) -join ', ')
    }

    It 'has ModuleVersion equal to the FileVersion of <_>' -ForEach 'VirtioFs.dll', 'VirtioFs.Core.dll' {
        $info = [Diagnostics.FileVersionInfo]::GetVersionInfo([IO.Path]::Combine((Get-VirtioFsModulePath), $_))
        "$($info.FileMajorPart).$($info.FileMinorPart).$($info.FileBuildPart)" | Should -Be $manifest.ModuleVersion
    }
}

Describe 'VirtioFs.psd1 for the PowerShell Gallery' {
    It 'has tags the Gallery takes, PSEdition_Core and Linux among them' {
        $tags = @($psData.Tags)
        $tags.Count | Should -BeGreaterThan 0
        @($tags | Where-Object { $_ -match '\s' -or -not $_ }) | Should -BeNullOrEmpty -Because 'the Gallery refuses empty tags and tags with spaces'
        $tags | Should -Contain 'PSEdition_Core'
        $tags | Should -Contain 'Linux'
    }

    It 'has an absolute https LicenseUri' {
        $psData.LicenseUri | Should -Match '^https://\S+$'
    }

    It 'has the CHANGELOG.md section of its version as ReleaseNotes' {
        # Lines after '## v<version> ...' up to the next '## ' heading, blank lines at either end dropped.
        $lines = [IO.File]::ReadAllLines([IO.Path]::Combine($repoRoot, 'CHANGELOG.md'))
        $start = [Array]::FindIndex($lines, [Predicate[string]] { param($l) $l -match "^## v?$([regex]::Escape($manifest.ModuleVersion))(\s|$)" })
        $start | Should -BeGreaterOrEqual 0 -Because "CHANGELOG.md needs a '## v$($manifest.ModuleVersion)' section"
        $section = [Collections.Generic.List[string]]::new()
        for ($i = $start + 1; $i -lt $lines.Count -and $lines[$i] -notmatch '^## '; $i++) { $section.Add($lines[$i]) }
        $expected = ($section -join "`n").Trim()
        $expected | Should -Not -BeNullOrEmpty
        $psData.ReleaseNotes | Should -BeExactly $expected -Because 'build.ps1 puts that section into the built manifest'
    }

    It 'has a ProjectUri exactly when the repository has an https origin, and no IconUri (there is no icon)' {
        $origin = if (Get-Command -Name git -CommandType Application -ErrorAction Ignore) { & git -C $repoRoot remote get-url origin 2>$null }
        if ("$origin" -match '^https://') {
            $psData.ProjectUri | Should -Match '^https://[^/@]+/\S+$' -Because "origin is $origin (credentials never go into the manifest)"
        }
        else {
            $psData.Keys | Should -Not -Contain 'ProjectUri' -Because "origin is '$origin', not an https URL, so there is no project page to name"
        }
        $psData.Keys | Should -Not -Contain 'IconUri'
    }
}

Describe 'Cmdlet <Name>' -ForEach $commandCases {
    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $Verb
    }

    It 'has a noun starting with VirtioFs' {
        $Noun | Should -BeLikeExactly 'VirtioFs?*'
    }

    It 'declares [OutputType] with types that exist, each named under OUTPUTS in its help, unless the help says it returns nothing' {
        $outputTypes = @((Get-Command -Name $Name).OutputType)
        $returns = @((Get-Help -Name $Name).returnValues.returnValue | ForEach-Object { $_.type.name })
        if ($outputTypes.Count -eq 0) {
            $returns -join ', ' | Should -Be 'None' -Because "$Name has no [OutputType], so its help must say under OUTPUTS that it returns None"
        }
        else {
            foreach ($outputType in $outputTypes) {
                # [OutputType('Some.Name')] with a typo still has a Name, but no Type.
                $outputType.Type | Should -Not -BeNullOrEmpty -Because "[OutputType] of $Name names '$($outputType.Name)', which must resolve to a type"
                $returns | Should -Contain $outputType.Type.FullName -Because "the OUTPUTS section of $Name's help must name what [OutputType] declares (the build only warns)"
            }
        }
    }
}

Describe 'State-changing cmdlet <Name>' -ForEach $stateChangingCases {
    It 'supports ShouldProcess (-WhatIf and -Confirm)' {
        $parameters = (Get-Command -Name $Name).Parameters
        $parameters.ContainsKey('WhatIf') | Should -BeTrue -Because "$Verb changes state, so the cmdlet needs SupportsShouldProcess = true"
        $parameters.ContainsKey('Confirm') | Should -BeTrue
    }
}
