# SPDX-License-Identifier: MIT
# The manifest matches the assembly (style guide 5.3 and pitfalls 5.11): exports, editions,
# versions, verbs, nouns, output types and ShouldProcess.

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

Describe 'Cmdlet <Name>' -ForEach $commandCases {
    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $Verb
    }

    It 'has a noun starting with VirtioFs' {
        $Noun | Should -BeLikeExactly 'VirtioFs?*'
    }

    It 'declares [OutputType], unless its help says it returns nothing' {
        $outputTypes = @((Get-Command -Name $Name).OutputType)
        if ($outputTypes.Count -eq 0) {
            $returns = @((Get-Help -Name $Name).returnValues.returnValue | ForEach-Object { $_.type.name })
            $returns -join ', ' | Should -Be 'None' -Because "$Name has no [OutputType], so its help must say under OUTPUTS that it returns None"
        }
        else {
            $outputTypes.Name | Should -Not -BeNullOrEmpty
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
