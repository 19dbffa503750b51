# SPDX-License-Identifier: MIT
# Shared by the *-VirtioFsDaemon Pester files: a private runtime directory per file and a cleanup that
# kills every process whose argv mentions it (other agents' virtiofsd processes are never touched).

function Initialize-DaemonTest {
    if (-not $env:VIRTIOFS_MODULE_PATH) { throw 'Set VIRTIOFS_MODULE_PATH to the built module (output/VirtioFs/<version>).' }
    Import-Module (Join-Path $env:VIRTIOFS_MODULE_PATH 'VirtioFs.psd1') -Force
    if (-not (Test-Path -LiteralPath '/usr/lib/qemu/virtiofsd')) {
        throw 'The C virtiofsd is missing: apt-get install qemu-system-x86'
    }
    $root = Join-Path ([IO.Path]::GetTempPath()) ("vfsd-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $root | Out-Null
    $env:VIRTIOFS_RUNTIME_DIR = Join-Path $root 'run'
    # A directory to share beside the runtime directory, never the root that contains it: sharing the
    # module's own state is refused (UnsafeSharedDirectory).
    New-Item -ItemType Directory -Path (Join-Path $root 'shared') | Out-Null
    $root
}

function Get-TestProcess([string] $Root) {
    # Every live process whose argv mentions our private directory.
    foreach ($dir in Get-ChildItem -LiteralPath /proc -Directory | Where-Object Name -Match '^\d+$') {
        try {
            $cmd = [IO.File]::ReadAllText("$($dir.FullName)/cmdline") -replace "`0", ' '
            $stat = [IO.File]::ReadAllText("$($dir.FullName)/stat")
        }
        catch { continue }
        $state = $stat.Substring($stat.LastIndexOf(')') + 2, 1)
        if ($cmd.Contains($Root) -and $state -ne 'Z') { [int]$dir.Name }
    }
}

function Clear-DaemonTest([string] $Root) {
    Get-VirtioFsDaemon -ErrorAction SilentlyContinue | Where-Object { $_.SocketPath -like "$Root*" } |
        Stop-VirtioFsDaemon -Force -Confirm:$false -ErrorAction SilentlyContinue
    foreach ($id in Get-TestProcess $Root) { & kill -9 $id 2>$null }
    Get-ChildItem -LiteralPath /run/virtiofsd -Force -ErrorAction SilentlyContinue |
        Where-Object Name -Like ($Root.Replace('/', '.') + '*') | Remove-Item -Force
    Remove-Item -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:VIRTIOFS_RUNTIME_DIR -ErrorAction SilentlyContinue
}

function Get-CPidFile([string] $SocketPath) {
    # The C virtiofsd's lock file: /run/virtiofsd/<socket path with '/' as '.'>.pid
    '/run/virtiofsd/' + $SocketPath.Replace('/', '.') + '.pid'
}

function Test-UnixListening([string] $SocketPath) {
    [bool](Get-Content -LiteralPath /proc/net/unix | Where-Object { $_ -match ' 00010000 .* ' + [regex]::Escape($SocketPath) + '$' })
}

function Get-ZombieDaemon {
    # virtiofsd children of this session that died and were never reaped (cmdline is empty for zombies).
    foreach ($dir in Get-ChildItem -LiteralPath /proc -Directory | Where-Object Name -Match '^\d+$') {
        try { $stat = [IO.File]::ReadAllText("$($dir.FullName)/stat") } catch { continue }
        $f = $stat.Substring($stat.LastIndexOf(')') + 2).Split(' ')
        if ($stat -like '*(virtiofsd)*' -and $f[0] -eq 'Z' -and [int]$f[1] -eq $PID) { [int]$dir.Name }
    }
}

function Get-CVirtiofsdVersion {
    # The version the installed C virtiofsd reports itself ('virtiofsd version 7.2.22 (Debian ...)'), read
    # here rather than written into the tests, so a Debian point release does not break them. It must
    # belong to the installed qemu-system-x86 package: its upstream version (7.2 of 1:7.2+dfsg-7+deb12u18)
    # is a prefix of what the binary reports.
    $line = @(& /usr/lib/qemu/virtiofsd --version 2>&1) -match '^virtiofsd version ' | Select-Object -First 1
    if ($line -notmatch '^virtiofsd version (\d+\.\d+\.\d+)') { throw "/usr/lib/qemu/virtiofsd --version printed no version: $line" }
    $version = [version]$Matches[1]
    $package = & dpkg-query -W -f '${Version}' qemu-system-x86 2>$null
    if ($LASTEXITCODE -ne 0) { throw 'dpkg-query knows no qemu-system-x86: apt-get install qemu-system-x86' }
    $upstream = $package -replace '^\d+:', '' -replace '[+~-].*$', ''
    if (-not "$version".StartsWith("$upstream.") -and "$version" -ne $upstream) {
        throw "/usr/lib/qemu/virtiofsd reports $version, which is not from the installed qemu-system-x86 $package"
    }
    $version
}
