# SPDX-License-Identifier: MIT
# Shared setup for the Pester suite. Dot-source it from BeforeAll (and from BeforeDiscovery when
# -ForEach data needs the module):
#
#     BeforeAll { . $PSScriptRoot/common.ps1 }
#
# It imports the *built* module from $env:VIRTIOFS_MODULE_PATH (output/VirtioFs/<version>, set by
# tools/Invoke-PesterTests.ps1) and defines the helpers below. Nothing here skips a test: a missing
# requirement throws with what to install. It leaves $ErrorActionPreference and strict mode of the
# test files alone: tests of non-terminating errors depend on them.

function Get-VirtioFsModulePath {
    # The built module folder. Throws with the fix when the variable is unset or wrong.
    $ErrorActionPreference = 'Stop'
    if (-not $env:VIRTIOFS_MODULE_PATH) {
        throw 'VIRTIOFS_MODULE_PATH is not set. Run the tests through build.ps1 (-Task PesterTest or Test), or set it to output/VirtioFs/<version> after build.ps1 -Task Build.'
    }
    $manifest = [IO.Path]::Combine($env:VIRTIOFS_MODULE_PATH, 'VirtioFs.psd1')
    if (-not (Test-Path -LiteralPath $manifest -PathType Leaf)) {
        throw "No VirtioFs.psd1 in VIRTIOFS_MODULE_PATH '$env:VIRTIOFS_MODULE_PATH'; build the module first (build.ps1 -Task Build)."
    }
    (Resolve-Path -LiteralPath $env:VIRTIOFS_MODULE_PATH).ProviderPath
}

function Import-VirtioFsModule {
    # (Re)imports the built module into the global scope and returns it.
    $manifest = [IO.Path]::Combine((Get-VirtioFsModulePath), 'VirtioFs.psd1')
    Import-Module -Name $manifest -Force -Global -PassThru -Verbose:$false | Where-Object Name -EQ 'VirtioFs'
}

function Get-VirtioFsCommand {
    # The exported cmdlets, sorted by name.
    @(Get-Command -Module VirtioFs -CommandType Cmdlet | Sort-Object Name)
}

function Get-VirtioFsCommonParameterName {
    # Parameters every cmdlet has and no help page documents (WhatIf/Confirm are not among them).
    [System.Management.Automation.Cmdlet]::CommonParameters
}

function Get-VirtioFsParameterName {
    # A cmdlet's own parameters: everything except the common parameters.
    param([Parameter(Mandatory)] [string] $CommandName)
    $common = Get-VirtioFsCommonParameterName
    @((Get-Command -Name $CommandName).Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
}

function Get-VirtioFsAssembly {
    # The module's assemblies as loaded in this session: VirtioFs.dll (cmdlets) and VirtioFs.Core.dll.
    param([ValidateSet('VirtioFs', 'VirtioFs.Core')] [string] $Name = 'VirtioFs')
    $path = [IO.Path]::Combine((Get-VirtioFsModulePath), "$Name.dll")
    $assembly = [AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { -not $_.IsDynamic -and $_.Location -and [IO.Path]::GetFullPath($_.Location) -eq $path } |
        Select-Object -First 1
    if (-not $assembly) { $assembly = [Reflection.Assembly]::LoadFrom($path) }
    $assembly
}

function Get-VirtioFsPublicType {
    # Public types of both assemblies; a type that fails to load throws rather than vanishing.
    foreach ($name in 'VirtioFs', 'VirtioFs.Core') { (Get-VirtioFsAssembly -Name $name).GetExportedTypes() }
}

function Get-VirtioFsFixturePath {
    # tests/fixtures/<ChildPath>; throws when it does not exist, so a typo cannot pass quietly.
    param([string] $ChildPath = '')
    $path = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', 'fixtures', $ChildPath))
    if (-not (Test-Path -LiteralPath $path)) { throw "Fixture '$ChildPath' not found at $path." }
    $path
}

function Assert-VirtioFsRequirement {
    # Fails the calling test, saying what to install, when a program or file the test drives for
    # real is missing (CONVENTIONS.md: never skip silently).
    #   Assert-VirtioFsRequirement -Path /usr/lib/qemu/virtiofsd -Package qemu-system-x86
    #   Assert-VirtioFsRequirement -Command virsh -Package libvirt-clients
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Path')] [string] $Path,
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [Parameter(Mandatory)] [string] $Package
    )
    $found = if ($PSCmdlet.ParameterSetName -eq 'Path') { Test-Path -LiteralPath $Path } else { [bool](Get-Command -Name $Command -CommandType Application -ErrorAction Ignore) }
    if (-not $found) {
        $what = if ($Path) { $Path } else { "the '$Command' program" }
        throw "This test needs $what. Install it: apt-get install $Package (or run build.ps1 -Task Test as root, which installs it)."
    }
}

function Test-VirtioFsRoot {
    # True when running as root (sysfs writes, libvirt qemu:///system).
    (& id -u) -eq '0'
}

function Get-VirtioFsTestSsh {
    # The loopback sshd that build.ps1 -Task Test starts (tests/tools/start-sshd.sh): 127.0.0.2, .3 and .4
    # each stand for a remote host. Returns its directory, port, key and known_hosts, and the libvirt URI
    # of each address. Throws with what to run when it is not running.
    $repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $dir = [IO.Path]::Combine($repo, 'output', 'ssh')
    $pidFile = [IO.Path]::Combine($dir, 'sshd.pid')
    $alive = (Test-Path -LiteralPath $pidFile) -and (Test-Path -LiteralPath "/proc/$((Get-Content -LiteralPath $pidFile -Raw).Trim())")
    if (-not $alive) { throw "The test sshd is not running: run bash tests/tools/start-sshd.sh (apt-get install openssh-server openssh-client)." }
    $port = [int](Get-Content -LiteralPath ([IO.Path]::Combine($dir, 'port')) -Raw).Trim()
    $key = [IO.Path]::Combine($dir, 'id_ed25519')
    $uris = [ordered]@{}
    foreach ($a in '127.0.0.2', '127.0.0.3', '127.0.0.4') {
        # command= runs ssh with output/ssh/ssh_config: that known_hosts file, batch mode, timeouts.
        $uris[$a] = "qemu+ssh://root@${a}:$port/system?command=$dir/ssh&keyfile=$key&no_tty=1"
    }
    [pscustomobject]@{ Dir = $dir; Port = $port; KeyFile = $key; KnownHosts = [IO.Path]::Combine($dir, 'known_hosts'); Uri = $uris }
}

$script:VirtioFsModule = Import-VirtioFsModule
