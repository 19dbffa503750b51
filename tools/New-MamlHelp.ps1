# SPDX-License-Identifier: MIT
#Requires -Version 7.4

<#
.SYNOPSIS
    Turns docs/en-US/<Verb-Noun>.md (platyPS 0.14 markdown, schema 2.0.0) into the MAML help of the
    built module.
.DESCRIPTION
    We cannot use platyPS here, so this script does the part of New-ExternalHelp we need (style guide
    5.8). It imports the built module (build.ps1 runs it in a child pwsh, so the DLLs are never locked
    in the build's own process) and, for every exported cmdlet:

      * reads <DocsPath>/<Verb-Noun>.md;
      * takes synopsis, description, parameter descriptions, default values, inputs, outputs, notes,
        examples and links from the markdown;
      * takes syntax and parameter attributes (required, position, pipeline input, aliases, wildcards,
        type) from Get-Command, so they can never drift from the code;
      * writes <OutputPath>/VirtioFs.dll-Help.xml with System.Xml.XmlWriter.

    It fails (exit code 1, every problem listed) when a cmdlet has no .md, no synopsis, no description,
    fewer than two examples with code, or a parameter (WhatIf/Confirm included, common parameters
    excluded) without a described `### -Name` section. Unfilled skeleton placeholders ({{ ... }}) count
    as missing. It warns about `### -Name` sections for parameters that do not exist.

    The about_*.md pages are not its business: tools/ConvertTo-AboutHelp.ps1 turns them into
    about_*.help.txt (build.ps1 runs both).
.EXAMPLE
    dotnet pwsh -NoProfile -NonInteractive -File tools/New-MamlHelp.ps1 -ModulePath output/VirtioFs/0.1.0 -DocsPath docs/en-US -OutputPath output/VirtioFs/0.1.0/en-US
#>
using namespace System.Collections.Generic
using namespace System.IO
using namespace System.Management.Automation
using namespace System.Text
using namespace System.Xml

[CmdletBinding()]
param(
    # The built module folder (contains VirtioFs.psd1).
    [Parameter(Mandatory)] [string] $ModulePath,
    # The markdown folder (docs/en-US).
    [Parameter(Mandatory)] [string] $DocsPath,
    # Where the MAML goes (the module's en-US folder).
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. ([IO.Path]::Combine($PSScriptRoot, 'HelpMetadata.ps1'))
. ([IO.Path]::Combine($PSScriptRoot, 'HelpMarkdown.ps1'))

$ModuleName = 'VirtioFs'
$NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$NsMsh = 'http://msh'

# Problems make the run fail at the end, all reported at once so one build shows every gap.
$script:Problems = [List[string]]::new()

function Add-Problem([string] $Message) { $script:Problems.Add($Message) }

#region Markdown reading

function Read-MarkdownDocument {
    # Splits a cmdlet page into its `# Title`, `## Section`s and their `### Subsection`s. Headings
    # inside code fences are text, not structure.
    param([string] $Path)
    $split = Split-FrontMatter -Lines ([File]::ReadAllLines($Path))
    $doc = [pscustomobject]@{
        Path        = $Path
        FrontMatter = $split.FrontMatter
        Title       = $null
        Sections    = [ordered]@{}
    }
    $section = $null
    $target = $null
    $inFence = $false
    foreach ($line in $split.Body) {
        if (Test-FenceLine $line) { $inFence = -not $inFence }
        elseif (-not $inFence -and $line -match '^(#{1,3})\s+(.*?)\s*$') {
            $level = $Matches[1].Length
            $text = $Matches[2]
            if ($level -eq 1) {
                if ($null -eq $doc.Title) { $doc.Title = $text }
                $section = $null; $target = $null
                continue
            }
            if ($level -eq 2) {
                $key = $text.ToUpperInvariant()
                if ($doc.Sections.Contains($key)) { Add-Problem "$($Path): section '## $text' appears twice." }
                $section = [pscustomobject]@{ Name = $text; Lines = [List[string]]::new(); Subsections = [List[object]]::new() }
                $doc.Sections[$key] = $section
                $target = $section
                continue
            }
            if ($null -ne $section) {
                $sub = [pscustomobject]@{ Name = $text; Lines = [List[string]]::new() }
                $section.Subsections.Add($sub)
                $target = $sub
            }
            continue
        }
        if ($null -ne $target) { $target.Lines.Add($line) }
    }
    if ($inFence) { Add-Problem "$($Path): a code fence is never closed, so the headings after it are lost." }
    $doc
}

function ConvertTo-MarkdownBlock {
    # Blank-line separated text becomes paragraphs (lines joined, list items kept on their own
    # lines); fenced code is kept verbatim. Returns objects with Kind (Para|Code), Text, Language.
    param([AllowEmptyCollection()] [string[]] $Lines)
    $blocks = [List[object]]::new()
    $para = [List[string]]::new()
    $code = $null
    $language = ''
    $flush = {
        if ($para.Count -gt 0) {
            $isList = @($para | Where-Object { $_ -match '^\s*([-*+]|\d+\.)\s+' }).Count -gt 0
            $text = if ($isList) { ($para | ForEach-Object { $_.TrimEnd() }) -join "`n" } else { ($para | ForEach-Object { $_.Trim() }) -join ' ' }
            $blocks.Add([pscustomobject]@{ Kind = 'Para'; Text = $text; Language = '' })
            $para.Clear()
        }
    }
    foreach ($line in $Lines) {
        if ($null -ne $code) {
            if (Test-FenceLine $line) {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = ($code -join "`n").TrimEnd(); Language = $language })
                $code = $null
            }
            else { $code.Add($line) }
            continue
        }
        if ($line -match '^\s*(```|~~~)\s*(\S*)') {
            . $flush
            $language = $Matches[2].ToLowerInvariant()
            $code = [List[string]]::new()
            continue
        }
        if ([string]::IsNullOrWhiteSpace($line)) { . $flush; continue }
        $para.Add($line)
    }
    if ($null -ne $code) {
        # Read-MarkdownDocument reports the unclosed fence; keep what there is.
        $blocks.Add([pscustomobject]@{ Kind = 'Code'; Text = ($code -join "`n").TrimEnd(); Language = $language })
    }
    . $flush
    $blocks
}

function Get-Paragraph {
    # Paragraph texts of a block list, code blocks included verbatim (they read fine in Get-Help).
    param([AllowEmptyCollection()] [object[]] $Blocks)
    $Blocks | Where-Object { $_.Text } | ForEach-Object Text
}

function Test-Placeholder([AllowEmptyCollection()] [string[]] $Text) {
    # Skeleton pages (tools/New-HelpSkeleton.ps1, platyPS) carry {{ Fill ... }}, {{ Add ... }} and
    # {{ Describe ... }} until someone writes the real text. Narrow on purpose: '{{0}}' is valid code.
    @($Text | Where-Object { $_ -match '\{\{\s*(Fill|Add|Describe)\b[^}]*\}\}' }).Count -gt 0
}

function Get-Section {
    param($Doc, [string] $Name)
    $key = $Name.ToUpperInvariant()
    if ($Doc.Sections.Contains($key)) { $Doc.Sections[$key] } else { $null }
}

#endregion

#region Metadata

function Get-PositionText([int] $Position) {
    if ($Position -eq [int]::MinValue) { 'named' } else { [string]$Position }
}

function New-ParameterModel {
    # Attributes of one parameter; $Infos are its CommandParameterInfo in one set (syntax) or in
    # every set (parameters section, where the attributes are merged).
    param([CommandInfo] $Command, [string] $Name, [object[]] $Infos)
    $meta = $Command.Parameters[$Name]
    $type = $meta.ParameterType
    $positions = @($Infos | Where-Object { $_.Position -ne [int]::MinValue } | ForEach-Object Position | Select-Object -Unique)
    [pscustomobject]@{
        Name           = $Name
        Required       = @($Infos | Where-Object IsMandatory).Count -gt 0
        Position       = if ($positions.Count -gt 0) { Get-PositionText $positions[0] } else { 'named' }
        PipelineInput  = Get-PipelineInputText -ByValue (@($Infos | Where-Object ValueFromPipeline).Count -gt 0) `
            -ByPropertyName (@($Infos | Where-Object ValueFromPipelineByPropertyName).Count -gt 0)
        Aliases        = if ($meta.Aliases.Count -gt 0) { $meta.Aliases -join ', ' } else { 'none' }
        Globbing       = @($meta.Attributes | Where-Object { $_ -is [SupportsWildcardsAttribute] }).Count -gt 0
        IsSwitch       = $meta.SwitchParameter
        VariableLength = $type.IsArray
        ValueName      = Get-FriendlyTypeName -Type $type
        TypeName       = Get-FriendlyTypeName -Type $type -FullName
        Description    = [string[]]@()
        DefaultValue   = 'None'
    }
}

function Get-SyntaxModel {
    # One syntax item per parameter set, straight from metadata, in Get-Command's order: positional
    # parameters by position, then mandatory named ones, then the rest; common parameters left out.
    param([CommandInfo] $Command)
    $common = [Cmdlet]::CommonParameters
    foreach ($set in Get-OrderedParameterSet -Command $Command) {
        $infos = @($set.Parameters | Where-Object { -not $common.Contains($_.Name) })
        $positional = @($infos | Where-Object { $_.Position -ne [int]::MinValue } | Sort-Object Position)
        $named = @($infos | Where-Object { $_.Position -eq [int]::MinValue })
        $ordered = $positional + @($named | Where-Object IsMandatory) + @($named | Where-Object { -not $_.IsMandatory })
        [pscustomobject]@{
            SetName    = $set.Name
            Parameters = @(foreach ($info in $ordered) { New-ParameterModel -Command $Command -Name $info.Name -Infos @($info) })
        }
    }
}

#endregion

#region Help model (markdown + metadata, validated)

function Read-ParameterSection {
    # `### -Name` sections: description paragraphs before the yaml block, Default value from it.
    param($Doc, [CommandInfo] $Command)
    $result = [ordered]@{}
    $section = Get-Section -Doc $Doc -Name 'PARAMETERS'
    if ($null -eq $section) { return $result }
    $known = @(Get-DocumentedParameterName -Command $Command)
    foreach ($sub in $section.Subsections) {
        if ($sub.Name -notmatch '^-(\S+)$') { continue }     # ### CommonParameters and the like
        $name = $Matches[1]
        if ($known -notcontains $name) {
            Write-Warning "$($Doc.Path): '### -$name' documents a parameter $($Command.Name) does not have; it is left out of the help."
            continue
        }
        if ($result.Contains($name)) {
            Write-Warning "$($Doc.Path): '### -$name' appears twice; the first one is used."
            continue
        }
        $blocks = @(ConvertTo-MarkdownBlock -Lines $sub.Lines)
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
        $default = 'None'
        if ($yaml.Count -gt 0 -and $yaml[0].Text -match '(?m)^Default value:[ \t]*(.*?)\s*$' -and $Matches[1]) {
            $default = $Matches[1]
        }
        $result[$name] = [pscustomobject]@{
            Description  = [string[]]@(Get-Paragraph -Blocks @($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Language -eq 'yaml') }))
            DefaultValue = $default
        }
    }
    $result
}

function Read-TypeSection {
    # ## INPUTS / ## OUTPUTS: one `### Type.Name` per type, paragraphs describe it.
    param($Doc, [string] $Name)
    $section = Get-Section -Doc $Doc -Name $Name
    if ($null -eq $section) { return }
    if (@($section.Lines | Where-Object { $_.Trim() }).Count -gt 0) {
        Write-Warning "$($Doc.Path): text directly under '## $Name' is ignored; put it under a '### <type name>' heading."
    }
    foreach ($sub in $section.Subsections) {
        [pscustomobject]@{ TypeName = $sub.Name; Description = [string[]]@(Get-Paragraph -Blocks @(ConvertTo-MarkdownBlock -Lines $sub.Lines)) }
    }
}

function Read-ExampleSection {
    param($Doc)
    $section = Get-Section -Doc $Doc -Name 'EXAMPLES'
    if ($null -eq $section) { return }
    foreach ($sub in $section.Subsections) {
        $blocks = @(ConvertTo-MarkdownBlock -Lines $sub.Lines)
        [pscustomobject]@{
            Title   = "--- $($sub.Name) ---"
            Heading = $sub.Name
            Code    = (@($blocks | Where-Object Kind -EQ 'Code' | ForEach-Object Text) -join "`n`n")
            Remarks = [string[]]@(Get-Paragraph -Blocks @($blocks | Where-Object Kind -EQ 'Para'))
        }
    }
}

function Read-LinkSection {
    # `[text](uri)` lines. Only absolute URIs are kept as URIs: a relative Foo.md means nothing to
    # Get-Help, so such links show as their text alone. The front matter's online version comes first.
    param($Doc)
    $links = [List[object]]::new()
    $online = if ($Doc.FrontMatter.Contains('online version')) { [string]$Doc.FrontMatter['online version'] } else { '' }
    if ($online) { $links.Add([pscustomobject]@{ Text = 'Online Version:'; Uri = $online }) }
    $section = Get-Section -Doc $Doc -Name 'RELATED LINKS'
    if ($null -eq $section) { return $links.ToArray() }
    foreach ($line in $section.Lines) {
        $text = $line.Trim() -replace '^[-*+]\s+', ''
        if (-not $text) { continue }
        if ($text -match '^\[([^\]]+)\]\(([^)]*)\)') {
            $uri = $Matches[2].Trim()
            if ($uri -eq $online -and $online) { continue }
            if ($uri -notmatch '^[a-zA-Z][a-zA-Z0-9+.-]*://') { $uri = '' }
            $links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $uri })
        }
        else { $links.Add([pscustomobject]@{ Text = $text; Uri = '' }) }
    }
    $links.ToArray()
}

function Get-CommandHelpModel {
    # Everything the MAML needs for one cmdlet. Adds a problem for each gap and returns $null when
    # the page cannot be used at all.
    param([CommandInfo] $Command, [string] $DocsPath)
    $name = $Command.Name
    $path = [Path]::Combine($DocsPath, "$name.md")
    if (-not [File]::Exists($path)) {
        Add-Problem "$($name): no help page $path (run tools/New-HelpSkeleton.ps1 to start one)."
        return $null
    }
    $doc = Read-MarkdownDocument -Path $path
    if ($doc.Title -ne $name) { Add-Problem "$($path): the '# ' title is '$($doc.Title)', expected '$name'." }

    $synopsisSection = Get-Section -Doc $doc -Name 'SYNOPSIS'
    $synopsis = [string[]]@(if ($synopsisSection) { Get-Paragraph -Blocks @(ConvertTo-MarkdownBlock -Lines $synopsisSection.Lines) })
    if ($synopsis.Count -eq 0 -or (Test-Placeholder $synopsis)) { Add-Problem "$($path): '## SYNOPSIS' is missing, empty or still a {{ placeholder }}." }

    $descriptionSection = Get-Section -Doc $doc -Name 'DESCRIPTION'
    $description = [string[]]@(if ($descriptionSection) { Get-Paragraph -Blocks @(ConvertTo-MarkdownBlock -Lines $descriptionSection.Lines) })
    if ($description.Count -eq 0 -or (Test-Placeholder $description)) { Add-Problem "$($path): '## DESCRIPTION' is missing, empty or still a {{ placeholder }}." }

    $examples = @(Read-ExampleSection -Doc $doc)
    if ($examples.Count -lt 2) { Add-Problem "$($path): $($examples.Count) example(s) under '## EXAMPLES'; at least 2 are required." }
    foreach ($example in $examples) {
        if (-not $example.Code.Trim()) { Add-Problem "$($path): example '$($example.Heading)' has no code fence." }
        if (Test-Placeholder (@($example.Code, $example.Heading) + $example.Remarks)) { Add-Problem "$($path): example '$($example.Heading)' still has placeholder text." }
    }

    $documented = Read-ParameterSection -Doc $doc -Command $Command
    $parameters = [List[object]]::new()
    # Parameters section order: the page's order, so authors decide how it reads.
    $names = @($documented.Keys) + @(Get-DocumentedParameterName -Command $Command | Where-Object { -not $documented.Contains($_) })
    foreach ($parameterName in $names) {
        $infos = @($Command.ParameterSets | ForEach-Object { $_.Parameters } | Where-Object Name -EQ $parameterName)
        $model = New-ParameterModel -Command $Command -Name $parameterName -Infos $infos
        if (-not $documented.Contains($parameterName)) {
            Add-Problem "$($path): parameter -$parameterName has no '### -$parameterName' section."
            continue
        }
        $model.Description = $documented[$parameterName].Description
        $model.DefaultValue = $documented[$parameterName].DefaultValue
        if ($model.Description.Count -eq 0 -or (Test-Placeholder $model.Description)) {
            Add-Problem "$($path): '### -$parameterName' has no description (or only a {{ placeholder }})."
        }
        $parameters.Add($model)
    }

    $notesSection = Get-Section -Doc $doc -Name 'NOTES'
    $notes = [string[]]@(if ($notesSection) { Get-Paragraph -Blocks @(ConvertTo-MarkdownBlock -Lines $notesSection.Lines) })
    $inputs = @(Read-TypeSection -Doc $doc -Name 'INPUTS')
    $outputs = @(Read-TypeSection -Doc $doc -Name 'OUTPUTS')
    foreach ($part in @{ 'INPUTS' = $inputs; 'OUTPUTS' = $outputs }.GetEnumerator()) {
        foreach ($type in $part.Value) {
            if (Test-Placeholder (@($type.TypeName) + $type.Description)) { Add-Problem "$($path): '## $($part.Key)' still has placeholder text under '### $($type.TypeName)'." }
        }
    }
    if (Test-Placeholder $notes) { Add-Problem "$($path): '## NOTES' still has placeholder text." }
    Compare-OutputType -Command $Command -Outputs $outputs -Path $path

    [pscustomobject]@{
        Name        = $name
        Verb        = $Command.Verb
        Noun        = $Command.Noun
        Synopsis    = $synopsis
        Description = $description
        Syntax      = @(Get-SyntaxModel -Command $Command)
        Parameters  = $parameters.ToArray()
        Inputs      = $inputs
        Outputs     = $outputs
        Notes       = $notes
        Examples    = $examples
        Links       = @(Read-LinkSection -Doc $doc)
    }
}

function Compare-OutputType {
    # [OutputType] is the truth for tooling, ## OUTPUTS for readers: say when they disagree.
    param([CommandInfo] $Command, [object[]] $Outputs, [string] $Path)
    $documented = @($Outputs | ForEach-Object TypeName)
    foreach ($type in $Command.OutputType) {
        $full = if ($type.Type) { Get-FriendlyTypeName -Type $type.Type -FullName } else { $type.Name }
        if ($documented -notcontains $full -and $documented -notcontains $type.Name) {
            Write-Warning "$($Path): [OutputType] $full is not listed under '## OUTPUTS'."
        }
    }
}

#endregion

#region MAML writing

function Write-Para {
    param([XmlWriter] $Writer, [AllowEmptyCollection()] [string[]] $Text)
    foreach ($p in $Text) { $Writer.WriteElementString('maml', 'para', $NsMaml, $p) }
}

function Write-MamlDescription {
    param([XmlWriter] $Writer, [AllowEmptyCollection()] [string[]] $Text)
    $Writer.WriteStartElement('maml', 'description', $NsMaml)
    Write-Para -Writer $Writer -Text $Text
    $Writer.WriteEndElement()
}

function Write-DevType {
    param([XmlWriter] $Writer, [string] $TypeName)
    $Writer.WriteStartElement('dev', 'type', $NsDev)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $TypeName)
    $Writer.WriteEndElement()
}

function Write-MamlParameter {
    # One <command:parameter>; in syntax items there is no description, and switches have no value.
    param([XmlWriter] $Writer, $Parameter, [switch] $InSyntax)
    $Writer.WriteStartElement('command', 'parameter', $NsCommand)
    $Writer.WriteAttributeString('required', $Parameter.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Parameter.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Parameter.PipelineInput)
    $Writer.WriteAttributeString('position', $Parameter.Position)
    $Writer.WriteAttributeString('aliases', $Parameter.Aliases)
    $Writer.WriteElementString('maml', 'name', $NsMaml, $Parameter.Name)
    if (-not $InSyntax) { Write-MamlDescription -Writer $Writer -Text $Parameter.Description }
    if (-not ($InSyntax -and $Parameter.IsSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $NsCommand)
        $Writer.WriteAttributeString('required', (-not $Parameter.IsSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', $Parameter.VariableLength.ToString().ToLowerInvariant())
        $Writer.WriteString($Parameter.ValueName)
        $Writer.WriteEndElement()
    }
    Write-DevType -Writer $Writer -TypeName $Parameter.TypeName
    if (-not $InSyntax) { $Writer.WriteElementString('dev', 'defaultValue', $NsDev, $Parameter.DefaultValue) }
    $Writer.WriteEndElement()
}

function Write-MamlTypeList {
    # command:inputTypes/inputType or command:returnValues/returnValue.
    param([XmlWriter] $Writer, [string] $ListName, [string] $ItemName, [object[]] $Types)
    $Writer.WriteStartElement('command', $ListName, $NsCommand)
    foreach ($type in $Types) {
        $Writer.WriteStartElement('command', $ItemName, $NsCommand)
        Write-DevType -Writer $Writer -TypeName $type.TypeName
        Write-MamlDescription -Writer $Writer -Text $type.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-MamlCommand {
    param([XmlWriter] $Writer, $Help)
    $Writer.WriteStartElement('command', 'command', $NsCommand)

    $Writer.WriteStartElement('command', 'details', $NsCommand)
    $Writer.WriteElementString('command', 'name', $NsCommand, $Help.Name)
    $Writer.WriteElementString('command', 'verb', $NsCommand, $Help.Verb)
    $Writer.WriteElementString('command', 'noun', $NsCommand, $Help.Noun)
    Write-MamlDescription -Writer $Writer -Text $Help.Synopsis
    $Writer.WriteEndElement()

    Write-MamlDescription -Writer $Writer -Text $Help.Description

    $Writer.WriteStartElement('command', 'syntax', $NsCommand)
    foreach ($item in $Help.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $NsCommand)
        $Writer.WriteElementString('maml', 'name', $NsMaml, $Help.Name)
        foreach ($parameter in $item.Parameters) { Write-MamlParameter -Writer $Writer -Parameter $parameter -InSyntax }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $NsCommand)
    foreach ($parameter in $Help.Parameters) { Write-MamlParameter -Writer $Writer -Parameter $parameter }
    $Writer.WriteEndElement()

    Write-MamlTypeList -Writer $Writer -ListName 'inputTypes' -ItemName 'inputType' -Types $Help.Inputs
    Write-MamlTypeList -Writer $Writer -ListName 'returnValues' -ItemName 'returnValue' -Types $Help.Outputs

    if ($Help.Notes.Count -gt 0) {
        # Left out when empty, so Get-Help shows no bare NOTES heading.
        $Writer.WriteStartElement('maml', 'alertSet', $NsMaml)
        $Writer.WriteStartElement('maml', 'alert', $NsMaml)
        Write-Para -Writer $Writer -Text $Help.Notes
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('command', 'examples', $NsCommand)
    foreach ($example in $Help.Examples) {
        $Writer.WriteStartElement('command', 'example', $NsCommand)
        $Writer.WriteElementString('maml', 'title', $NsMaml, $example.Title)
        $Writer.WriteElementString('dev', 'code', $NsDev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $NsDev)
        Write-Para -Writer $Writer -Text $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $NsCommand)
    foreach ($link in $Help.Links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $NsMaml)
        $Writer.WriteElementString('maml', 'linkText', $NsMaml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $NsMaml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function Write-MamlFile {
    # Written to a temp file and moved into place, so a failed run never leaves half a help file.
    param([string] $Path, [object[]] $Helps)
    $settings = [XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.NewLineChars = "`n"
    $settings.Encoding = [UTF8Encoding]::new($false)
    $temp = "$Path.tmp"
    $writer = [XmlWriter]::Create($temp, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', $NsMsh)
        $writer.WriteAttributeString('schema', 'maml')
        $writer.WriteAttributeString('xmlns', 'maml', 'http://www.w3.org/2000/xmlns/', $NsMaml)
        $writer.WriteAttributeString('xmlns', 'command', 'http://www.w3.org/2000/xmlns/', $NsCommand)
        $writer.WriteAttributeString('xmlns', 'dev', 'http://www.w3.org/2000/xmlns/', $NsDev)
        foreach ($help in $Helps) { Write-MamlCommand -Writer $writer -Help $help }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally { $writer.Dispose() }
    [File]::Move($temp, $Path, $true)
}

function Test-MamlFile {
    # The file must load as XML, be MAML, and hold exactly one command per exported cmdlet.
    param([string] $Path, [string[]] $CommandName)
    $xml = [XmlDocument]::new()
    $xml.Load($Path)
    $ns = [XmlNamespaceManager]::new($xml.NameTable)
    $ns.AddNamespace('msh', $NsMsh)
    $ns.AddNamespace('command', $NsCommand)
    if ($xml.DocumentElement.GetAttribute('schema') -ne 'maml') { throw "$Path is not MAML (helpItems/@schema)." }
    $names = @($xml.SelectNodes('/msh:helpItems/command:command/command:details/command:name', $ns) | ForEach-Object InnerText)
    $diff = Compare-Object -ReferenceObject @($CommandName) -DifferenceObject $names
    if ($diff) { throw "$Path does not hold exactly the exported cmdlets: $($diff | Out-String)" }
}

#endregion

function Invoke-Main {
    $moduleDir = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
    $docsDir = (Resolve-Path -LiteralPath $DocsPath).ProviderPath
    $manifest = [Path]::Combine($moduleDir, "$ModuleName.psd1")
    if (-not [File]::Exists($manifest)) { throw "No $ModuleName.psd1 in $moduleDir; build the module first (build.ps1 -Task Build)." }
    [Directory]::CreateDirectory($OutputPath) | Out-Null
    $outDir = (Resolve-Path -LiteralPath $OutputPath).ProviderPath

    $module = Import-Module -Name $manifest -Force -PassThru -Verbose:$false
    $commands = @($module.ExportedCmdlets.Values | Sort-Object Name)
    if ($commands.Count -eq 0) { Write-Warning "$ModuleName exports no cmdlets; the help file will be empty." }

    $helps = @(foreach ($command in $commands) {
            $help = Get-CommandHelpModel -Command $command -DocsPath $docsDir
            if ($null -ne $help) { $help }
        })

    $exported = @($commands | ForEach-Object Name)
    foreach ($page in [Directory]::GetFiles($docsDir, '*.md')) {
        $base = [Path]::GetFileNameWithoutExtension($page)
        if ($base -notlike 'about_*' -and $exported -notcontains $base) {
            Write-Warning "$($page): no exported cmdlet $base; the page is not used."
        }
    }

    if ($script:Problems.Count -gt 0) {
        $Host.UI.WriteErrorLine("Help is incomplete, $($script:Problems.Count) problem(s); nothing written:")
        foreach ($problem in $script:Problems) { $Host.UI.WriteErrorLine("  - $problem") }
        exit 1
    }

    $mamlPath = [Path]::Combine($outDir, "$ModuleName.dll-Help.xml")
    Write-MamlFile -Path $mamlPath -Helps $helps
    Test-MamlFile -Path $mamlPath -CommandName $exported
    Write-Host "Wrote $mamlPath ($($helps.Count) cmdlet(s))"
}

Invoke-Main
