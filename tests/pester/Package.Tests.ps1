# SPDX-License-Identifier: MIT
# The package as a user gets it. tools/New-GalleryPackage.ps1 packs the built module into a .nupkg
# (what build.ps1 -Task Package does); Install-PSResource installs it by name from a local file
# repository; a clean pwsh -NoProfile imports it by name and reads its help. Installing and importing
# run in child processes of this same pwsh with HOME and the XDG folders under TestDrive, so the real
# user profile and PSResourceGet configuration are never touched (and checked to be untouched).

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $commandCases = @(foreach ($command in Get-VirtioFsCommand) { @{ Name = $command.Name } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    function Get-PwshCommandLine {
        # This very pwsh. The pinned one runs as 'dotnet <PSHOME>/pwsh.dll'; `dotnet pwsh` would only
        # work with the repository's tool manifest as working directory, and the children run elsewhere.
        $process = [Environment]::ProcessPath
        if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'pwsh') { return , @($process) }
        $dll = [IO.Path]::Combine($PSHOME, 'pwsh.dll')
        if (-not (Test-Path -LiteralPath $dll)) { throw "No pwsh.dll in $PSHOME to start a child pwsh with; run the tests with the pinned pwsh (dotnet tool restore; dotnet pwsh -File ./build.ps1 -Task PesterTest)." }
        , @($process, $dll)
    }

    function Invoke-IsolatedPwsh {
        # Runs -Command in a clean child pwsh (-NoProfile -NonInteractive) whose HOME, XDG folders and
        # TMPDIR are under $HomePath, with no inherited PSModulePath or VIRTIOFS_MODULE_PATH. Values
        # reach the script as environment variables. Throws with the child's output on a non-zero exit.
        param([string] $HomePath, [string] $Command, [hashtable] $Environment = @{})
        $pwsh = Get-PwshCommandLine
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)) { $start.ArgumentList.Add($a) }
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.WorkingDirectory = $HomePath
        $folders = @{
            HOME            = $HomePath
            XDG_DATA_HOME   = [IO.Path]::Combine($HomePath, '.local', 'share')
            XDG_CONFIG_HOME = [IO.Path]::Combine($HomePath, '.config')
            XDG_CACHE_HOME  = [IO.Path]::Combine($HomePath, '.cache')
            TMPDIR          = [IO.Path]::Combine($HomePath, 'tmp')
        }
        foreach ($name in $folders.Keys) {
            # .NET reports a missing data folder as '', and PSResourceGet then writes into the working directory.
            [IO.Directory]::CreateDirectory($folders[$name]) | Out-Null
            $start.Environment[$name] = $folders[$name]
        }
        [void]$start.Environment.Remove('PSModulePath')
        [void]$start.Environment.Remove('VIRTIOFS_MODULE_PATH')
        $start.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
        $start.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
        $start.Environment['NO_COLOR'] = '1'
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = [string]$Environment[$name] }
        $process = [Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(300000)) {
            $process.Kill($true)
            throw "The child pwsh did not finish within 5 minutes: $($stdout.Result) $($stderr.Result)"
        }
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "The child pwsh failed (exit code $($process.ExitCode)): $($stdout.Result) $($stderr.Result)" }
        $stdout.Result
    }

    function Get-RealRepositoryConfig {
        # The user's own PSResourceGet configuration, as this process sees it: absent or its hash.
        $path = [IO.Path]::Combine([Environment]::GetFolderPath('LocalApplicationData', 'DoNotVerify'), 'PSResourceGet', 'PSResourceRepository.xml')
        if (Test-Path -LiteralPath $path) { "$path $((Get-FileHash -LiteralPath $path).Hash)" } else { "$path absent" }
    }

    if (-not (Get-Module -ListAvailable -Name Microsoft.PowerShell.PSResourceGet)) {
        throw 'This test needs Microsoft.PowerShell.PSResourceGet, which ships with PowerShell 7.4 and later; run it with the pinned pwsh (dotnet tool restore; dotnet pwsh -File ./build.ps1 -Task PesterTest).'
    }

    $realConfigBefore = Get-RealRepositoryConfig
    $moduleDir = Get-VirtioFsModulePath
    $version = (Import-PowerShellDataFile -LiteralPath ([IO.Path]::Combine($moduleDir, 'VirtioFs.psd1'))).ModuleVersion
    $drive = (Get-PSDrive -Name TestDrive).Root
    $repository = [IO.Path]::Combine($drive, 'repository')
    $userHome = [IO.Path]::Combine($drive, 'home')
    $resultPath = [IO.Path]::Combine($drive, 'imported.json')
    $installedDir = [IO.Path]::Combine($userHome, '.local', 'share', 'powershell', 'Modules', 'VirtioFs', $version)

    # Pack what the build left in output/, as build.ps1 -Task Package does (its own throwaway HOME).
    & ([IO.Path]::Combine($PSScriptRoot, '..', '..', 'tools', 'New-GalleryPackage.ps1')) -ModulePath $moduleDir `
        -OutputPath $repository -ScratchPath ([IO.Path]::Combine($drive, 'pack-home')) | Out-Null
    $nupkg = [IO.Path]::Combine($repository, "VirtioFs.$version.nupkg")

    # Install it by name, as a user would from the Gallery, but from the local file repository.
    $installOutput = Invoke-IsolatedPwsh -HomePath $userHome -Environment @{ VFS_REPOSITORY = $repository } -Command @'
$ErrorActionPreference = 'Stop'
if (Get-PSResourceRepository -Name PSGallery -ErrorAction Ignore) { Unregister-PSResourceRepository -Name PSGallery }
$name = "VirtioFs-Test-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
Register-PSResourceRepository -Name $name -Uri $env:VFS_REPOSITORY -Trusted
try { $installed = Install-PSResource -Name VirtioFs -Repository $name -Scope CurrentUser -PassThru }
finally { Unregister-PSResourceRepository -Name $name }
"installed: $($installed.Name) $($installed.Version) in $($installed.InstalledLocation)"
"repositories left: $(@(Get-PSResourceRepository -ErrorAction Ignore).Count)"
'@

    # Import it by name in a clean pwsh and read the help as a user would.
    Invoke-IsolatedPwsh -HomePath $userHome -Environment @{ VFS_RESULT = $resultPath } -Command @'
$ErrorActionPreference = 'Stop'
$module = Import-Module -Name VirtioFs -PassThru
function Get-Text($Node) { (@($Node | Where-Object { $_ } | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Text } }) -join "`n").Trim() }
[ordered]@{
    ModuleBase = $module.ModuleBase
    Version    = "$($module.Version)"
    Commands   = @(foreach ($command in $module.ExportedCmdlets.Values | Sort-Object Name) {
            $help = Get-Help -Name $command.Name -Full
            [ordered]@{
                Name        = $command.Name
                TypeNames   = @($help.PSObject.TypeNames)
                Synopsis    = "$($help.Synopsis)".Trim()
                Syntax      = (Get-Command -Name $command.Name -Syntax | Out-String).Trim()
                Description = Get-Text $help.description
                Examples    = @(@($help.examples.example | Where-Object { $_ }) | ForEach-Object { "$($_.code)".Trim() })
            }
        })
    # Caught, so a missing topic fails its own test instead of every test of this file.
    About      = try { Get-Help -Name about_VirtioFs -ErrorAction Stop | Out-String } catch { "Get-Help about_VirtioFs failed: $_" }
} | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $env:VFS_RESULT
'@ | Out-Null
    $imported = Get-Content -LiteralPath $resultPath -Raw | ConvertFrom-Json
    $realConfigAfter = Get-RealRepositoryConfig

    function ConvertTo-OneLine([string] $Text) { ($Text -replace '\s+', ' ').Trim() }
}

Describe 'The VirtioFs package' -Tag 'Package' {
    It 'is a .nupkg with the manifest, both assemblies, the format file and the help' {
        $nupkg | Should -Exist -Because 'tools/New-GalleryPackage.ps1 writes <OutputPath>/VirtioFs.<version>.nupkg'
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try { $entries = @($zip.Entries | ForEach-Object FullName) }
        finally { $zip.Dispose() }
        foreach ($file in 'VirtioFs.nuspec', 'VirtioFs.psd1', 'VirtioFs.dll', 'VirtioFs.Core.dll', 'VirtioFs.Format.ps1xml', 'LICENSE', 'en-US/VirtioFs.dll-Help.xml', 'en-US/about_VirtioFs.help.txt') {
            $entries | Should -Contain $file
        }
    }

    It 'has a nuspec with the id, version, release notes and tags the Gallery shows' {
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $reader = [IO.StreamReader]::new($zip.GetEntry('VirtioFs.nuspec').Open())
            try { [xml] $nuspec = $reader.ReadToEnd() } finally { $reader.Dispose() }
        }
        finally { $zip.Dispose() }
        $metadata = $nuspec.package.metadata
        $metadata.id | Should -BeExactly 'VirtioFs'
        $metadata.version | Should -Be $version
        $metadata.releaseNotes | Should -Not -BeNullOrEmpty
        $metadata.releaseNotes | Should -Not -Be 'See CHANGELOG.md' -Because 'the build puts CHANGELOG.md''s section into the manifest'
        $metadata.tags -split ' ' | Should -Contain 'PSModule'
        $metadata.tags -split ' ' | Should -Contain 'PSEdition_Core'
    }

    It 'installs by name from the local repository into the throwaway HOME and leaves no repository registered' {
        $installOutput | Should -Match ([regex]::Escape("installed: VirtioFs $version in "))
        $installOutput | Should -Match 'repositories left: 0'
        [IO.Path]::Combine($installedDir, 'VirtioFs.psd1') | Should -Exist
    }

    It 'imports by name, in a clean pwsh, from where Install-PSResource put it' {
        $imported.ModuleBase | Should -Be $installedDir -Because 'the module must come from the installed package, not from output/'
        $imported.Version | Should -Be $version
    }

    It 'exports the cmdlets of the built module' {
        @($imported.Commands | ForEach-Object Name) -join ', ' | Should -Be (@(Get-VirtioFsCommand | ForEach-Object Name) -join ', ')
    }

    It 'shows about_VirtioFs with Get-Help' {
        $imported.About | Should -Match '(?m)^TOPIC\s+about_VirtioFs'
        $imported.About | Should -Match '(?m)^LONG DESCRIPTION$'
    }

    It 'left the real PSResourceGet configuration as it was' {
        $realConfigAfter | Should -Be $realConfigBefore
    }
}

Describe 'Installed help for <Name>' -Tag 'Package' -ForEach $commandCases {
    BeforeAll {
        $help = $imported.Commands | Where-Object Name -EQ $Name
    }

    It 'is exported by the installed module' {
        $help | Should -Not -BeNullOrEmpty
    }

    It 'comes from the MAML file, with a synopsis that is not the syntax' {
        $help.TypeNames | Should -Contain 'MamlCommandHelpInfo' -Because 'without en-US/ in the package Get-Help makes up a stub'
        $help.Synopsis | Should -Not -BeNullOrEmpty
        ConvertTo-OneLine $help.Synopsis | Should -Not -Be (ConvertTo-OneLine $help.Syntax)
    }

    It 'has a description' {
        $help.Description | Should -Not -BeNullOrEmpty
    }

    It 'has at least one example with code' {
        @($help.Examples | Where-Object { $_ }).Count | Should -BeGreaterOrEqual 1
    }
}
