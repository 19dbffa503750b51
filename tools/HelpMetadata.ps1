# SPDX-License-Identifier: MIT
# Metadata helpers shared by New-MamlHelp.ps1 and New-HelpSkeleton.ps1, so the MAML and the
# markdown skeleton describe parameter sets, documented parameters, types and pipeline input the
# same way. Dot-source it.

function Get-FriendlyTypeName {
    # 'String[]' / 'System.String[]'; Nullable<T> shows as T, generics as Name[Arg].
    param([type] $Type, [switch] $FullName)
    if ($Type.IsArray) {
        return (Get-FriendlyTypeName -Type $Type.GetElementType() -FullName:$FullName) + '[]'
    }
    $underlying = [Nullable]::GetUnderlyingType($Type)
    if ($null -ne $underlying) { return Get-FriendlyTypeName -Type $underlying -FullName:$FullName }
    if ($Type.IsGenericType) {
        $base = $Type.Name -replace '`\d+$', ''
        if ($FullName -and $Type.Namespace) { $base = "$($Type.Namespace).$base" }
        $arguments = $Type.GetGenericArguments() | ForEach-Object { Get-FriendlyTypeName -Type $_ -FullName:$FullName }
        return "$base[$($arguments -join ', ')]"
    }
    if ($FullName) { return $Type.FullName -replace '\+', '.' }
    $Type.Name
}

function Get-PipelineInputText {
    param([bool] $ByValue, [bool] $ByPropertyName)
    $kinds = @(if ($ByValue) { 'ByValue' }; if ($ByPropertyName) { 'ByPropertyName' })
    if ($kinds.Count -eq 0) { return 'False' }
    "True ($($kinds -join ', '))"
}

function Get-OrderedParameterSet {
    # The default set first, as Get-Help users expect, then the rest in metadata order.
    param([System.Management.Automation.CommandInfo] $Command)
    @($Command.ParameterSets | Where-Object IsDefault) + @($Command.ParameterSets | Where-Object { -not $_.IsDefault })
}

function Get-DocumentedParameterName {
    # Every parameter a help page must describe: all of them except the common parameters.
    # WhatIf and Confirm are "optional common parameters" and are documented like the rest.
    param([System.Management.Automation.CommandInfo] $Command)
    $common = [System.Management.Automation.Cmdlet]::CommonParameters
    $Command.Parameters.Keys | Where-Object { -not $common.Contains($_) }
}
