# SPDX-License-Identifier: MIT
# VirtioFs.Format.ps1xml covers every output type (style guide 5.5) and names only properties that
# exist, so a renamed property shows up here instead of as an empty column.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1

    # Our output types: [OutputType] entries that resolve to a type of VirtioFs.dll or
    # VirtioFs.Core.dll, or that are spelled VirtioFs.* but resolve to nothing (a typo must fail).
    $publicTypes = @(Get-VirtioFsPublicType)
    $outputTypeNames = foreach ($command in Get-VirtioFsCommand) {
        foreach ($outputType in $command.OutputType) {
            $type = $outputType.Type
            if ($null -eq $type) { $type = $publicTypes | Where-Object FullName -EQ $outputType.Name | Select-Object -First 1 }
            while ($null -ne $type -and $type.HasElementType) { $type = $type.GetElementType() }
            if ($null -ne $type -and $type.Assembly.GetName().Name -in 'VirtioFs', 'VirtioFs.Core') { $type.FullName }
            elseif ($null -eq $type -and $outputType.Name -like 'VirtioFs.*') { $outputType.Name }
        }
    }
    $outputTypeCases = @($outputTypeNames | Sort-Object -Unique | ForEach-Object { @{ TypeName = $_ } })

    $manifest = Import-PowerShellDataFile -LiteralPath ([IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1'))
    $viewCases = @(foreach ($file in $manifest.FormatsToProcess) {
            $path = [IO.Path]::Combine((Get-VirtioFsModulePath), $file)
            [xml] $xml = Get-Content -LiteralPath $path -Raw
            foreach ($view in $xml.SelectNodes('/Configuration/ViewDefinitions/View')) {
                @{
                    File       = $file
                    ViewName   = $view.SelectSingleNode('Name').InnerText
                    TypeNames  = @($view.SelectNodes('ViewSelectedBy/TypeName') | ForEach-Object InnerText)
                    Properties = @($view.SelectNodes('.//PropertyName') | ForEach-Object InnerText | Sort-Object -Unique)
                }
            }
        })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $publicTypes = @(Get-VirtioFsPublicType)
    $manifest = Import-PowerShellDataFile -LiteralPath ([IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1'))
    $viewedTypeNames = @(foreach ($file in $manifest.FormatsToProcess) {
            [xml] $xml = Get-Content -LiteralPath ([IO.Path]::Combine((Get-VirtioFsModulePath), $file)) -Raw
            $xml.SelectNodes('/Configuration/ViewDefinitions/View/ViewSelectedBy/TypeName') | ForEach-Object InnerText
        })
}

Describe 'Format file' {
    It 'is loaded by the module' {
        @($manifest.FormatsToProcess) | Should -Contain 'VirtioFs.Format.ps1xml'
    }

    # The count is taken at discovery; passed in as data so an empty case list fails here.
    It 'has output types to check' -ForEach @(@{ Count = $outputTypeCases.Count }) {
        $Count | Should -BeGreaterThan 0 -Because 'the cmdlets emit VirtioFs types ([OutputType])'
    }
}

Describe 'Output type <TypeName>' -ForEach $outputTypeCases {
    It 'is a public type of the module' {
        $type = $publicTypes | Where-Object FullName -EQ $TypeName
        $type | Should -Not -BeNullOrEmpty -Because "[OutputType] names $TypeName, which must be a public type in VirtioFs.dll or VirtioFs.Core.dll"
    }

    It 'has a view in VirtioFs.Format.ps1xml' {
        $viewedTypeNames | Should -Contain $TypeName
    }
}

Describe 'View <ViewName> in <File>' -ForEach $viewCases {
    BeforeAll {
        $types = @(foreach ($name in $TypeNames) { $publicTypes | Where-Object FullName -EQ $name })  # Deserialized.* names match none
    }

    It 'selects public types of the module' {
        $TypeNames.Count | Should -BeGreaterThan 0
        foreach ($name in $TypeNames) {
            $publicTypes.FullName | Should -Contain ($name -replace '^Deserialized\.', '') -Because "ViewSelectedBy names $name"
        }
    }

    It 'also selects the type as PowerShell remoting brings it back (Deserialized.)' {
        $TypeNames | Should -Contain "Deserialized.$($TypeNames[0])"
    }

    It 'is named after its type' {
        $ViewName | Should -BeExactly $TypeNames[0] -Because 'CONVENTIONS.md: view name = full type name'
    }

    It 'refers only to properties the type has' {
        foreach ($type in $types) {
            $names = @($type.GetProperties([Reflection.BindingFlags]'Public, Instance') | ForEach-Object Name)
            foreach ($property in $Properties) {
                $names | Should -Contain $property -Because "$($type.FullName) must have a public property '$property'"
            }
        }
    }
}

Describe 'Objects that came through PowerShell remoting' {
    BeforeAll {
        Import-Module ([IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1')) -Force
        # What Invoke-Command returns: the object serialized on the far side and read back here.
        function script:ConvertTo-Deserialized($InputObject) {
            [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($InputObject))
        }
        $script:Share = Get-VirtioFsShare -Path (Get-VirtioFsFixturePath 'domains/several-filesystems.xml') | Select-Object -First 1
        $script:Memory = Get-VirtioFsSharedMemory -Path (Get-VirtioFsFixturePath 'domains/numa-cells.xml')
    }

    It 'a deserialized <Name> is one (type name Deserialized.VirtioFs.*)' -ForEach @(@{ Name = 'share' }, @{ Name = 'shared-memory state' }) {
        $o = if ($Name -eq 'share') { ConvertTo-Deserialized $Share } else { ConvertTo-Deserialized $Memory }
        $o.PSObject.TypeNames[0] | Should -BeLike 'Deserialized.VirtioFs.*'
        $o.PSObject.BaseObject | Should -BeOfType [System.Management.Automation.PSCustomObject]
    }

    It 'a deserialized share renders with the module''s table view, as the live one does' {
        $live = ($Share | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '\S' }
        $remote = (ConvertTo-Deserialized $Share | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '\S' }
        $remote[0] | Should -Be $live[0] -Because 'the same column headers'
        $remote[0] | Should -Match '^Domain\s+Tag'
        $remote[2] | Should -Be $live[2] -Because 'the same row'
    }

    It 'mixed output (shares and shared memory) keeps each type''s view' {
        $text = @((ConvertTo-Deserialized $Share), (ConvertTo-Deserialized $Memory)) | Out-String -Width 200
        $text | Should -Match 'Domain\s+Tag'
        $text | Should -Not -Match 'DomainUuid\s*:' -Because 'a property list would mean no view was found'
    }

    It 'a view of every type has the deserialized name registered in the session' -ForEach @(
        @{ T = 'VirtioFs.VirtioFsShare' }, @{ T = 'VirtioFs.VirtioFsSharedMemory' }, @{ T = 'VirtioFs.VirtioFsHugePagePool' }, @{ T = 'VirtioFs.VirtioFsCheckResult' }, @{ T = 'VirtioFs.VirtioFsDaemon' }
    ) {
        @(Get-FormatData -TypeName "Deserialized.$T").Count | Should -BeGreaterThan 0
    }
}
