# SPDX-License-Identifier: MIT
# Metadata helpers shared by New-MamlHelp.ps1, New-HelpSkeleton.ps1 and Update-HelpMetadata.ps1, so
# the MAML, a new page's skeleton and the SYNTAX and yaml blocks of existing pages describe parameter
# sets, documented parameters, types and pipeline input the same way. Dot-source it.

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

function Get-SyntaxBlock {
    # `### SetName (Default)` + a fenced syntax line per set, as platyPS writes them.
    param([System.Management.Automation.CommandInfo] $Command)
    $multiple = $Command.ParameterSets.Count -gt 1
    foreach ($set in Get-OrderedParameterSet -Command $Command) {
        $title = if ($set.Name -eq '__AllParameterSets') { '__AllParameterSets' } else { $set.Name }
        if ($set.IsDefault -and $multiple) { $title += ' (Default)' }
        "### $title"
        '```'
        "$($Command.Name) $set"
        '```'
        ''
    }
}

function Get-DefaultValueText {
    # Property initialisers are the defaults, so read them from a fresh instance of the cmdlet
    # class. Empty, null and unreadable values show as None, switches as False.
    param([System.Management.Automation.CommandInfo] $Command, [string] $Name, $Instance)
    $meta = $Command.Parameters[$Name]
    if ($meta.SwitchParameter) { return 'False' }
    if ($null -eq $Instance) { return 'None' }
    $property = $Instance.GetType().GetProperty($Name)
    if ($null -eq $property) { return 'None' }
    try { $value = $property.GetValue($Instance) } catch { return 'None' }
    if ($null -eq $value -or ($value -is [string] -and $value -eq '')) { return 'None' }
    if ($value -is [Array]) { if ($value.Length -eq 0) { return 'None' } else { return ($value -join ', ') } }
    [string]$value
}

function New-CmdletInstance {
    # $null when the class cannot be constructed outside a pipeline; defaults then show as None.
    param([System.Management.Automation.CommandInfo] $Command)
    try { [Activator]::CreateInstance($Command.ImplementingType) } catch { $null }
}

function Get-ParameterYaml {
    # One yaml block per group of sets in which the parameter behaves the same.
    param([System.Management.Automation.CommandInfo] $Command, [string] $Name, $Instance)
    $meta = $Command.Parameters[$Name]
    $perSet = foreach ($set in Get-OrderedParameterSet -Command $Command) {
        $info = $set.Parameters | Where-Object Name -EQ $Name
        if ($null -eq $info) { continue }
        [pscustomobject]@{
            Set      = $set.Name
            Required = [bool]$info.IsMandatory
            Position = if ($info.Position -eq [int]::MinValue) { 'Named' } else { [string]$info.Position }
            Pipeline = Get-PipelineInputText -ByValue $info.ValueFromPipeline -ByPropertyName $info.ValueFromPipelineByPropertyName
        }
    }
    $allSets = @($Command.ParameterSets).Count -eq @($perSet).Count
    $groups = @($perSet | Group-Object Required, Position, Pipeline)
    foreach ($group in $groups) {
        $first = $group.Group[0]
        $sets = if ($allSets -and $groups.Count -eq 1) { '(All)' } else { ($group.Group | ForEach-Object Set) -join ', ' }
        $default = Get-DefaultValueText -Command $Command -Name $Name -Instance $Instance
        $wildcards = @($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
        '```yaml'
        "Type: $(Get-FriendlyTypeName -Type $meta.ParameterType)"
        "Parameter Sets: $sets"
        "Aliases: $(if ($meta.Aliases.Count) { $meta.Aliases -join ', ' })".TrimEnd()
        if (Get-AcceptedValue -Parameter $meta) { "Accepted values: $((Get-AcceptedValue -Parameter $meta) -join ', ')" }
        ''
        "Required: $($first.Required)"
        "Position: $($first.Position)"
        "Default value: $default"
        "Accept pipeline input: $($first.Pipeline)"
        "Accept wildcard characters: $wildcards"
        '```'
        ''
    }
}

function Get-AcceptedValue {
    # What a ValidateSet lists, else the names of an enum parameter (arrays and nullables included), as platyPS shows them.
    param([System.Management.Automation.ParameterMetadata] $Parameter)
    $set = @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] })
    if ($set) { return $set[0].ValidValues }
    $type = $Parameter.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $type = [Nullable]::GetUnderlyingType($type) ?? $type
    if ($type.IsEnum) { return [Enum]::GetNames($type) }
}
