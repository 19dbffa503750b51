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

function New-VirtioFsTestDomain {
    # Defines tests/fixtures/domains/<Fixture> on <Uri> as domain <Name>: its uuid dropped (libvirt makes
    # one) and type='qemu' (TCG: nested KVM may hang guests). The XML is written to <Work> first; the name
    # is added to <Defined>, which Remove-VirtioFsTestDomain undefines in AfterAll. Returns the name.
    param(
        [Parameter(Mandatory)] [string] $Uri,
        [Parameter(Mandatory)] [string] $Name,
        [string] $Fixture = 'pc-minimal.xml',
        [Parameter(Mandatory)] [string] $Work,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [System.Collections.Generic.List[string]] $Defined
    )
    [xml] $x = Get-Content -LiteralPath (Get-VirtioFsFixturePath "domains/$Fixture") -Raw
    $x.domain.name = $Name
    $uuid = $x.domain.SelectSingleNode('uuid'); if ($uuid) { [void]$x.domain.RemoveChild($uuid) }
    $x.domain.type = 'qemu'
    $file = Join-Path $Work "$Name.xml"
    $x.Save($file)
    & virsh -c $Uri define $file *> $null
    if ($LASTEXITCODE -ne 0) { throw "virsh -c $Uri define $file failed" }
    $Defined.Add($Name)
    $Name
}

function Get-VirtioFsTestDomainXml {
    # The inactive definition of <Name> on <Uri> as libvirt keeps it (secure parts included), one string.
    param([Parameter(Mandatory)] [string] $Uri, [Parameter(Mandatory)] [string] $Name)
    (& virsh -c $Uri dumpxml --inactive --security-info $Name) -join "`n"
}

function Remove-VirtioFsTestDomain {
    # Stops and undefines every domain in <Defined> on <Uri>; one already gone is no error. Nothing to do
    # when BeforeAll failed before it defined any (both may then be null).
    param([string] $Uri, [string[]] $Defined)
    if (-not $Uri -or -not $Defined) { return }
    foreach ($name in $Defined) {
        & virsh -c $Uri destroy $name *> $null
        & virsh -c $Uri undefine $name *> $null
    }
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

function Get-VirtioFsTestStack {
    # The libvirt stacks every real test runs against, each named with what it really is, so a failure says
    # which stack it came from: Debian 12's (this host's libvirtd, tests/tools/start-libvirt.sh) and Debian 13's
    # (a root of its own under output/trixie, tests/tools/build-trixie-root.sh, start-trixie-libvirt.sh and,
    # for qemu:///session, start-trixie-session.sh; build.ps1 -Task Test builds and starts all of them).
    # Throws with what to run when one does not answer.
    #   Get-VirtioFsTestStack                 # both, Debian 12 first
    #   Get-VirtioFsTestStack -Key Debian13   # .Uri, .SessionUri, .Root, .LogDir, .Name, .Libvirt, .Qemu
    param([ValidateSet('Debian12', 'Debian13')] [string[]] $Key = @('Debian12', 'Debian13'))
    $repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))
    foreach ($k in $Key) {
        if ($k -eq 'Debian12') {
            $uri = 'qemu:///system'; $session = $null; $root = '/'
            $fix = 'run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system)'
        }
        else {
            $out = [IO.Path]::Combine($repo, 'output', 'trixie')
            $root = [IO.Path]::Combine($out, 'root')
            $uri = "qemu+unix:///system?socket=$root/run/libvirt/libvirt-sock"
            $session = "qemu+unix:///session?socket=$root/run/user/2501/libvirt/libvirt-sock"
            $fix = 'run tests/tools/build-trixie-root.sh, tests/tools/start-trixie-libvirt.sh and tests/tools/start-trixie-session.sh (build.ps1 -Task Test does)'
        }
        $version = (& virsh -c $uri version --daemon 2>&1) -join "`n"
        if ($LASTEXITCODE -ne 0) { throw "The $k stack does not answer on ${uri}: $fix. virsh said: $version" }
        if ($session) {
            & virsh -c $session version *> $null
            if ($LASTEXITCODE -ne 0) { throw "The $k session libvirt does not answer on ${session}: $fix." }
        }
        $libvirt = [regex]::Match($version, 'Running against daemon: (\S+)').Groups[1].Value
        $qemu = [regex]::Match($version, 'Running hypervisor: QEMU (\S+)').Groups[1].Value
        $logDir = if ($root -eq '/') { '/var/log/libvirt/qemu' } else { "$root/var/log/libvirt/qemu" }
        [pscustomobject]@{
            Key        = $k
            Name       = "$($k -replace '(\d+)$', ' $1') (libvirt $libvirt, QEMU $qemu)"
            Uri        = $uri
            SessionUri = $session
            Root       = $root
            LogDir     = $logDir
            Libvirt    = [version]$libvirt
            Qemu       = [version]$qemu
        }
    }
}

$script:VirtioFsModule = Import-VirtioFsModule
