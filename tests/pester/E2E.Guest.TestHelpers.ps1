# SPDX-License-Identifier: MIT
# Helpers for E2E.Guest.Tests.ps1 and E2E.Stacks.Tests.ps1: real guests (Debian's kernel, a busybox
# initramfs built by tests/tools/build-guest.sh) booted under QEMU TCG, directly or through a libvirtd:
# this host's (qemu:///system) or another stack's (-Uri, -LogDir: Get-VirtioFsTestStack).
# Everything this file creates is named after $script:E2ERun (vfs-e2e-<random>) and lives in
# $script:E2EWork, so cleanup never touches another engineer's domains, daemons or sockets.

function Initialize-E2E {
    foreach ($req in @(
            @{ Command = 'qemu-system-x86_64'; Package = 'qemu-system-x86' }
            @{ Path = '/usr/lib/qemu/virtiofsd'; Package = 'qemu-system-x86' }
            @{ Command = 'virsh'; Package = 'libvirt-clients' }
            @{ Command = 'libvirtd'; Package = 'libvirt-daemon-system' }
            @{ Command = 'cpio'; Package = 'cpio' }
            @{ Path = '/bin/busybox'; Package = 'busybox-static' })) {
        Assert-VirtioFsRequirement @req
    }
    & virsh -c qemu:///system version *> $null
    if ($LASTEXITCODE -ne 0) { throw 'libvirtd does not answer on qemu:///system: run tests/tools/start-libvirt.sh (apt-get install libvirt-daemon-system).' }

    $repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $guest = [IO.Path]::Combine($repo, 'output', 'guest')
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $log = & bash ([IO.Path]::Combine($repo, 'tests', 'tools', 'build-guest.sh')) $guest 2>&1
    if ($LASTEXITCODE -ne 0) { throw "tests/tools/build-guest.sh failed: $($log -join "`n")" }
    Add-E2ETiming 'guest image' $sw.Elapsed

    $script:E2ERun = 'vfs-e2e-' + [guid]::NewGuid().ToString('N').Substring(0, 6)
    $script:E2EWork = "/tmp/$E2ERun"
    New-Item -ItemType Directory -Path $E2EWork | Out-Null
    # QEMU runs as libvirt-qemu: it must reach the kernel, the console files and our sockets.
    & chmod 755 $E2EWork
    # Own copies, because libvirt's DAC driver relabels kernel and initrd while a domain runs.
    Copy-Item -LiteralPath "$guest/vmlinuz", "$guest/initrd.gz" -Destination $E2EWork
    $env:VIRTIOFS_RUNTIME_DIR = "$E2EWork/run"
    # Each domain with the libvirt it is defined in, and where that libvirt writes its logs.
    $script:E2EDomains = [Collections.Generic.List[object]]::new()
    $script:E2EQemu = [Collections.Generic.List[Diagnostics.Process]]::new()
}

function Add-E2ETiming([string] $Name, [TimeSpan] $Elapsed) {
    if (-not (Get-Variable -Name E2ETimings -Scope Script -ErrorAction Ignore)) { $script:E2ETimings = [ordered]@{} }
    $script:E2ETimings[$Name] = [math]::Round($Elapsed.TotalSeconds, 1)
}

function New-E2EToken { 'tok' + [guid]::NewGuid().ToString('N').Substring(0, 12) }

function New-E2EShareDir([string] $Name) {
    # A host directory with a file only the host wrote: its random content must come back in the guest's file.
    $dir = "$E2EWork/$Name"
    New-Item -ItemType Directory -Path $dir | Out-Null
    $hostToken = 'host-' + (New-E2EToken)
    Set-Content -LiteralPath "$dir/host-prepared.txt" -Value $hostToken
    [pscustomobject]@{ Path = $dir; HostToken = $hostToken }
}

function Get-E2ERustVirtiofsd {
    # The real Rust virtiofsd (Debian 13's package beside trixie's glibc), fetched once and cached.
    $repo = [IO.Path]::GetFullPath([IO.Path]::Combine($PSScriptRoot, '..', '..'))
    $dir = [IO.Path]::Combine($repo, 'output', 'rust-virtiofsd')
    $log = & bash ([IO.Path]::Combine($repo, 'tests', 'tools', 'get-rust-virtiofsd.sh')) $dir 2>&1
    if ($LASTEXITCODE -ne 0) { throw "tests/tools/get-rust-virtiofsd.sh failed (it needs network access to Debian's package mirror, as apt on this host is configured with it, and apt-get install patchelf): $($log -join "`n")" }
    [IO.Path]::Combine($dir, 'bin', 'virtiofsd')
}

function New-E2EDomain {
    # Defines a small q35 TCG domain that boots our kernel and powers itself off. No memoryBacking,
    # no filesystem: the module's cmdlets must add what virtio-fs needs.
    param(
        [Parameter(Mandatory)] [string] $Case,
        [Parameter(Mandatory)] [string] $Cmdline,
        [string] $Initrd = "$E2EWork/initrd.gz",
        [string] $MemoryBacking = '',
        [switch] $Numa,
        [switch] $Acpi,
        # With -Acpi: free PCIe root ports for hot-plug, one per device plugged while it runs (virt-install adds spares too).
        [int] $SparePorts = 3,
        # The libvirt to define it in, and the directory of its QEMU and virtiofsd logs.
        [string] $Uri = 'qemu:///system',
        [string] $LogDir = '/var/log/libvirt/qemu',
        # Where the console file goes: a session libvirt's QEMU runs as its user, who must write it.
        [string] $ConsoleDir = $E2EWork,
        # The QEMU guest agent's channel (org.qemu.guest_agent.0), for e2e.mode=agent guests.
        [switch] $AgentChannel
    )
    $name = "$E2ERun-$Case"
    $console = "$ConsoleDir/$Case.console"
    $cpu = if ($Numa) { "<cpu><numa><cell id='0' cpus='0' memory='256' unit='MiB'/></numa></cpu>" } else { '' }
    $features = if ($Acpi) { '<features><acpi/><apic/></features>' } else { '' }
    # Hot-plug on q35 needs a free PCIe root port (virt-install adds spares the same way).
    $spare = if ($Acpi) { "<controller type='pci' index='0' model='pcie-root'/>" + "<controller type='pci' model='pcie-root-port'/>" * $SparePorts } else { '' }
    $channel = if ($AgentChannel) { "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>" } else { '' }
    $xml = @"
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>256</memory>
  <currentMemory unit='MiB'>256</currentMemory>
  $MemoryBacking
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='q35'>hvm</type>
    <kernel>$E2EWork/vmlinuz</kernel>
    <initrd>$Initrd</initrd>
    <cmdline>console=ttyS0 quiet loglevel=3 panic=-1 $Cmdline</cmdline>
  </os>
  $features
  $cpu
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='file'><source path='$console'/><target port='0'/></serial>
    <console type='file'><source path='$console'/><target type='serial' port='0'/></console>
    <memballoon model='none'/>
    $channel
    $spare
  </devices>
</domain>
"@
    $file = "$E2EWork/$Case.xml"
    Set-Content -LiteralPath $file -Value $xml
    $out = & virsh -c $Uri define $file 2>&1
    if ($LASTEXITCODE -ne 0) { throw "virsh -c $Uri define $file failed: $out" }
    $domain = [pscustomobject]@{ Name = $name; Console = $console; Uri = $Uri; LogDir = $LogDir }
    $E2EDomains.Add($domain)
    $domain
}

function Get-E2EConsole([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return '<no console output>' }
    (Get-Content -LiteralPath $Path -Raw) -replace "`e\[[0-9;?]*[A-Za-z]", '' -replace "`ec", ''
}

function Get-E2EDomainState($Domain) { ((& virsh -c $Domain.Uri domstate $Domain.Name 2>$null) -join '').Trim() }

function Start-E2EDomain($Domain) {
    $out = & virsh -c $Domain.Uri start $Domain.Name 2>&1
    if ($LASTEXITCODE -ne 0) { throw "virsh -c $($Domain.Uri) start $($Domain.Name) failed: $out`n--- guest console ---`n$(Get-E2EConsole $Domain.Console)" }
}

function Wait-E2EConsole($Domain, [string] $Pattern, [int] $TimeoutSec) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ((Test-Path -LiteralPath $Domain.Console) -and (Get-E2EConsole $Domain.Console) -match $Pattern) { return }
        if ((Get-E2EDomainState $Domain) -eq 'shut off') { break }
        Start-Sleep -Milliseconds 250
    }
    throw "Guest $($Domain.Name) did not print '$Pattern' within $TimeoutSec s.`n--- guest console ---`n$(Get-E2EConsole $Domain.Console)"
}

function Wait-E2EDomainOff($Domain, [int] $TimeoutSec = 120) {
    # The guest powers off by itself; with private memory it would hang forever after the mount, so
    # a timeout destroys it and fails with its console.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ((Get-E2EDomainState $Domain) -eq 'shut off') { return }
        Start-Sleep -Milliseconds 250
    }
    & virsh -c $Domain.Uri destroy $Domain.Name *> $null
    throw "Guest $($Domain.Name) did not power off within $TimeoutSec s (destroyed).`n--- guest console ---`n$(Get-E2EConsole $Domain.Console)"
}

function Invoke-E2EQemu {
    # Plain QEMU (no libvirt) with the given extra arguments; the serial console goes to a file.
    param([Parameter(Mandatory)] [string] $Case, [Parameter(Mandatory)] [string[]] $Argument,
        [Parameter(Mandatory)] [string] $Cmdline, [int] $TimeoutSec = 120)
    $console = "$E2EWork/$Case.console"
    $psi = [Diagnostics.ProcessStartInfo]::new('qemu-system-x86_64')
    foreach ($a in @('-name', "$E2ERun-$Case", '-machine', 'q35,accel=tcg', '-m', '256', '-smp', '1') + $Argument + @(
            '-kernel', "$E2EWork/vmlinuz", '-initrd', "$E2EWork/initrd.gz",
            '-append', "console=ttyS0 quiet loglevel=3 panic=-1 $Cmdline",
            '-display', 'none', '-no-reboot', '-nodefaults', '-monitor', 'none', '-serial', "file:$console")) {
        $psi.ArgumentList.Add($a)
    }
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    $E2EQemu.Add($p)
    $stderr = $p.StandardError.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSec * 1000)) {
        $p.Kill($true)
        throw "QEMU did not exit within $TimeoutSec s (killed).`n--- guest console ---`n$(Get-E2EConsole $console)"
    }
    if ($p.ExitCode -ne 0) {
        throw "QEMU exited with $($p.ExitCode): $($stderr.Result)`n--- guest console ---`n$(Get-E2EConsole $console)"
    }
    [pscustomobject]@{ Console = $console }
}

function Assert-E2EGuest {
    # Passes only when the guest mounted the share, wrote a file the host reads back with this boot's
    # token, and read the host's file (its random content is in the guest's file and on the console).
    param([Parameter(Mandatory)] $Share, [Parameter(Mandatory)] [string] $Token,
        [Parameter(Mandatory)] [string] $Console, [string] $Suffix = '')
    $text = Get-E2EConsole $Console
    $file = "$($Share.Path)/guest-wrote$Suffix.txt"
    $problems = @()
    if ($text -notmatch 'E2E_MOUNT_OK' -and $Suffix -eq '') { $problems += 'the guest did not mount the share (no E2E_MOUNT_OK)' }
    if (-not (Test-Path -LiteralPath $file)) { $problems += "the guest wrote no $file" }
    else {
        $wrote = Get-Content -LiteralPath $file -Raw
        if ($wrote -notmatch "token=$Token ") { $problems += "$file lacks this boot's token ${Token}: $wrote" }
        if ($wrote -notmatch [regex]::Escape("host-said=[$($Share.HostToken)]")) { $problems += "the guest did not read host-prepared.txt ($($Share.HostToken)): $wrote" }
    }
    if ($text -notmatch "E2E_HOSTFILE_BEGIN$Suffix\s+$([regex]::Escape($Share.HostToken))") { $problems += 'the console does not show the host file' }
    if ($problems) { throw "Guest check failed: $($problems -join '; ').`n--- guest console ---`n$text" }
}

function Send-E2EPing($Share, [int] $TimeoutSec = 30) {
    # A guest in e2e.mode=loop answers each new ping.txt of a mounted share with pong.txt: true when it answered
    # this one within the time, false when not (a share it lost, a guest that stopped).
    $token = 'ping' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    Set-Content -LiteralPath "$($Share.Path)/ping.txt" -Value $token
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ((Get-Content -LiteralPath "$($Share.Path)/pong.txt" -Raw -ErrorAction Ignore) -match $token) { return $true }
        Start-Sleep -Milliseconds 250
    }
    $false
}

function Get-E2EDaemonProcess([string] $SharedDirectory) {
    # The virtiofsd serving a directory, read from /proc (the kernel's view, not the module's): its first process
    # (the namespace sandbox forks a second one), with its argv. Works for daemons of any stack on this machine.
    $all = foreach ($dir in Get-ChildItem -LiteralPath /proc -Directory | Where-Object Name -Match '^\d+$') {
        try {
            if ([IO.File]::ReadAllText("$($dir.FullName)/comm").Trim() -ne 'virtiofsd') { continue }
            $argv = [IO.File]::ReadAllText("$($dir.FullName)/cmdline").TrimEnd([char]0).Split([char]0)
            $ppid = [int](([IO.File]::ReadAllText("$($dir.FullName)/stat") -replace '^.*\) ', '').Split(' ')[1])
        }
        catch { continue }
        # Rust: --shared-dir DIR or --shared-dir=DIR; C (libvirt 9.0 joins its -o options): source=DIR[,sandbox=...].
        $c = "(^|,)source=$([regex]::Escape($SharedDirectory))(,|$)"
        $serves = $argv -contains $SharedDirectory -or $argv -contains "--shared-dir=$SharedDirectory" -or @($argv -match $c).Count -gt 0
        if ($serves) { [pscustomobject]@{ ProcessId = [int]$dir.Name; ParentId = $ppid; Argv = $argv; CommandLine = $argv -join ' ' } }
    }
    @($all | Where-Object { $_.ParentId -notin @($all.ProcessId) })
}

function Wait-E2EDaemonGone([string] $SharedDirectory, [int] $TimeoutSec = 15) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (-not (Get-E2EDaemonProcess $SharedDirectory)) { return $true }
        Start-Sleep -Milliseconds 200
    }
    $false
}

function Wait-E2EHugePagesReleased([int] $TimeoutSec = 30) {
    # A guest's QEMU may hold its hugepages a moment after libvirt says 'shut off'; a pool shrunk before they are
    # free cannot give them back (the kernel keeps them as surplus) and the change is rolled back. Wait for that.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        $pool = Get-VirtioFsHugePage -PageSize 2M | Where-Object NumaNode -EQ -1
        if ($pool.Free -ge $pool.Total) { return }
        Start-Sleep -Milliseconds 250
    }
}

function Get-E2EOwner([string] $Path) {
    # uid:gid as the host sees them.
    (& stat -c '%u:%g' $Path 2>$null)
}

function New-E2EFstabInitrd([string] $Case, [string] $FstabLine) {
    # The kernel unpacks concatenated initramfs archives in order, so a small second cpio with
    # /etc/fstab overrides the base image's empty one without rebuilding it.
    $root = "$E2EWork/$Case-overlay"
    New-Item -ItemType Directory -Path "$root/etc" -Force | Out-Null
    Set-Content -LiteralPath "$root/etc/fstab" -Value $FstabLine
    $overlay = "$E2EWork/$Case-overlay.cpio.gz"
    & bash -c 'cd "$1" && find . | cpio -o -H newc --quiet | gzip > "$2"' bash $root $overlay
    if ($LASTEXITCODE -ne 0) { throw "cpio of $root failed (apt-get install cpio)" }
    $initrd = "$E2EWork/$Case-initrd.gz"
    $bytes = [IO.File]::ReadAllBytes("$E2EWork/initrd.gz") + [IO.File]::ReadAllBytes($overlay)
    [IO.File]::WriteAllBytes($initrd, $bytes)
    $initrd
}

function Clear-E2E {
    # Everything this run created, and only that.
    foreach ($d in $E2EDomains) {
        & virsh -c $d.Uri destroy $d.Name *> $null
        & virsh -c $d.Uri undefine $d.Name *> $null
    }
    foreach ($p in $E2EQemu) { if (-not $p.HasExited) { $p.Kill($true) } }
    Get-VirtioFsDaemon -ErrorAction SilentlyContinue | Where-Object { $_.SocketPath -like "$E2EWork/*" } |
        Stop-VirtioFsDaemon -Force -Confirm:$false -ErrorAction SilentlyContinue
    foreach ($dir in Get-ChildItem -LiteralPath /proc -Directory | Where-Object Name -Match '^\d+$') {
        try { $cmd = [IO.File]::ReadAllText("$($dir.FullName)/cmdline") } catch { continue }
        if ($cmd.Contains($E2ERun)) { & kill -9 $dir.Name 2>$null }
    }
    # libvirt keeps a QEMU and a virtiofsd log per domain name after undefine, in each libvirt's log directory.
    if ($E2ERun) {
        foreach ($dir in @('/var/log/libvirt/qemu') + @($E2EDomains | ForEach-Object LogDir) | Select-Object -Unique) {
            Get-ChildItem -LiteralPath $dir -Filter "$E2ERun-*" -ErrorAction Ignore | Remove-Item -Force -ErrorAction Ignore
        }
    }
    Remove-Item Env:VIRTIOFS_RUNTIME_DIR -ErrorAction Ignore
    if ($E2EWork -and (Test-Path -LiteralPath $E2EWork)) { Remove-Item -LiteralPath $E2EWork -Recurse -Force -ErrorAction Ignore }
}

function Get-E2ELeftover {
    # Domains, processes and daemons of this run still alive: must be none after Clear-E2E.
    $uris = @('qemu:///system') + @($E2EDomains | ForEach-Object Uri) | Select-Object -Unique
    $domains = foreach ($u in $uris) { & virsh -c $u list --all --name 2>$null | Where-Object { $_ -like "$E2ERun*" } | ForEach-Object { "$_ on $u" } }
    $procs = foreach ($dir in Get-ChildItem -LiteralPath /proc -Directory | Where-Object Name -Match '^\d+$') {
        try { $cmd = [IO.File]::ReadAllText("$($dir.FullName)/cmdline") } catch { continue }
        if ($cmd.Contains($E2ERun) -and [int]$dir.Name -ne $PID) { "$($dir.Name): $($cmd -replace "`0", ' ')" }
    }
    @($domains) + @($procs) | Where-Object { $_ }
}
