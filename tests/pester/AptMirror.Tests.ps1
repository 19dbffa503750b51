# SPDX-License-Identifier: MIT
# tests/tools/apt-mirror.sh: Debian's package mirror as apt is configured with it, read from apt's own
# sources and nothing else. The fake configurations go through APT_CONFIG, which apt-config honours like
# every apt tool, so the host's sources are never touched.

BeforeAll {
    . $PSScriptRoot/common.ps1
    Assert-VirtioFsRequirement -Command apt-config -Package apt
    $script:Tools = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', 'tools'))
    $script:Script = Join-Path $Tools 'apt-mirror.sh'

    function script:New-AptConfig([hashtable] $Sources) {
        # An apt.conf whose sources are only these files ('sources.list', or a name for sources.list.d/).
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $parts = New-Item -ItemType Directory -Path (Join-Path $dir 'sources.list.d')
        foreach ($name in $Sources.Keys) {
            $path = if ($name -eq 'sources.list') { Join-Path $dir $name } else { Join-Path $parts.FullName $name }
            [IO.File]::WriteAllText($path, $Sources[$name])
        }
        $conf = Join-Path $dir 'apt.conf'
        [IO.File]::WriteAllText($conf, "Dir::Etc::sourcelist `"$dir/sources.list`";`nDir::Etc::sourceparts `"$($parts.FullName)`";`n")
        $conf
    }

    function script:Invoke-WithAptConfig([string] $AptConfig, [string] $Command, [string[]] $ArgumentList) {
        # Runs bash -c $Command with APT_CONFIG (none: the host's own configuration); stdout, stderr, exit code.
        $saved = $env:APT_CONFIG
        if ($AptConfig) { $env:APT_CONFIG = $AptConfig }
        $stderr = Join-Path $TestDrive 'stderr.txt'
        try { $out = & bash -c $Command bash @ArgumentList 2> $stderr }
        finally { $env:APT_CONFIG = $saved }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Out = @($out); Err = (Get-Content -LiteralPath $stderr -Raw) }
    }

    function script:Invoke-DebianMirror([string] $AptConfig) {
        Invoke-WithAptConfig $AptConfig '. "$1"; debian_mirror' $Script
    }
}

Describe 'debian_mirror (tests/tools/apt-mirror.sh)' {
    It 'prints the mirror apt on this host uses for its release and main' {
        $r = Invoke-DebianMirror
        $r.ExitCode | Should -Be 0 -Because "this host's apt needs a Debian mirror for the tests that fetch packages: $($r.Err)"
        $r.Out.Count | Should -Be 1
        $codename = (Get-Content /etc/os-release | Where-Object { $_ -like 'VERSION_CODENAME=*' }) -replace '^VERSION_CODENAME=', ''
        # apt's own view of the same configuration: the mirror must serve <codename>/main there.
        $policy = & apt-cache policy 2>$null
        $policy | Where-Object { $_ -match "^\s*\d+\s+$([regex]::Escape($r.Out[0]))/?\s+$codename/main\s" } |
            Should -Not -BeNullOrEmpty -Because "apt-cache policy lists $($r.Out[0]) $codename/main"
    }

    It 'reads one-line sources: comments, [options], deb-src, -security and entries without main do not count' {
        $r = Invoke-DebianMirror (New-AptConfig @{
            'sources.list' = @'
# deb http://commented.example/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://security.example/debian-security bookworm-security main
deb-src http://source.example/debian bookworm main
deb http://contrib.example/debian bookworm contrib non-free
deb [ arch=amd64 ] http://one.example/debian/ stable main contrib # this one
deb http://two.example/debian bookworm main
'@
        })
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Out | Should -Be @('http://one.example/debian')
    }

    It 'reads deb822 .sources: Enabled, Types, several URIs and suites, continuation lines, and skips a non-Debian suite' {
        $r = Invoke-DebianMirror (New-AptConfig @{
            'other.list'  = "deb http://wrong-suite.example/node nodistro main`n"
            'a.sources'   = @'
Types: deb
URIs: https://nodesource.example/node_20.x
Suites: nodistro
Components: main

Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

types: deb-src
uris: http://source.example/debian
suites: bookworm
components: main

Types: deb deb-src
# a comment inside the paragraph
URIs: https://two.example/debian/
 http://second.example/debian
Suites: bookworm-updates
 testing
Components: contrib
 main
'@
        })
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Out | Should -Be @('https://two.example/debian')
    }

    It 'fails, naming the files it read, when apt has no Debian mirror, and get-rust-virtiofsd.sh then tries no other host' {
        $conf = New-AptConfig @{ 'sources.list' = "deb http://security.example/debian-security bookworm-security main`n"; 'empty.sources' = '' }
        $r = Invoke-DebianMirror $conf
        $r.ExitCode | Should -Be 1
        $r.Out | Should -BeNullOrEmpty
        $r.Err | Should -Match 'no Debian package mirror configured'
        $r.Err | Should -Match ([regex]::Escape('/sources.list,'))
        $r.Err | Should -Match ([regex]::Escape('/sources.list.d/*.sources'))

        # The same configuration for the script that needs the mirror: a clear failure, no download from elsewhere.
        Assert-VirtioFsRequirement -Command patchelf -Package patchelf
        $g = Invoke-WithAptConfig $conf 'bash "$1" "$2"' (Join-Path $Tools 'get-rust-virtiofsd.sh'), (Join-Path $TestDrive 'rust-out')
        $g.ExitCode | Should -Be 1
        $g.Err | Should -Match 'no Debian package mirror configured'
        $g.Err | Should -Match "cannot fetch Debian 13's virtiofsd"
        Join-Path $TestDrive 'rust-out/bin/virtiofsd' | Should -Not -Exist
    }
}
