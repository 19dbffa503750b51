# SPDX-License-Identifier: MIT
# End-to-end: Mount-VirtioFsShare, Dismount-VirtioFsShare, Get-VirtioFsGuestMount -Live, the doctor's guest
# checks and Add-VirtioFsGuestAgentChannel against real guests: Debian's kernel and Debian's real qemu-ga
# (tests/tools/build-guest.sh, e2e.mode=agent) under QEMU TCG through libvirtd, locally and through the
# loopback qemu+ssh hosts. The test reaches into the guest only through virsh qemu-agent-command, never
# through the module, so what the module did is checked independently. One agent guest serves the whole
# happy path and the faults that need a running agent; a second guest without the agent channel serves
# the channel faults. Needs root, libvirtd (tests/tools/start-libvirt.sh) and the test sshd
# (tests/tools/start-sshd.sh).

BeforeAll {
    . $PSScriptRoot/common.ps1
    . $PSScriptRoot/E2E.Guest.TestHelpers.ps1
    if (-not (Test-VirtioFsRoot)) { throw 'The end-to-end tests need root (libvirt qemu:///system).' }
    $script:AllTime = [Diagnostics.Stopwatch]::StartNew()
    Initialize-E2E
    $script:Uri = 'qemu:///system'
    $script:Remote = (Get-VirtioFsTestSsh).Uri['127.0.0.2']

    function Invoke-E2EAgent([string] $Domain, [string] $Json) {
        # One raw agent command through virsh (libvirt's own client), for the test's independent view of the guest.
        $out = & virsh -c qemu:///system qemu-agent-command $Domain $Json --timeout 10 2>&1
        if ($LASTEXITCODE -ne 0) { throw "virsh qemu-agent-command $Domain $Json failed: $out" }
        ($out -join "`n" | ConvertFrom-Json).return
    }

    function Invoke-E2EGuestExec([string] $Domain, [string] $Path, [string[]] $Arguments = @(), [string] $InputText) {
        # guest-exec as argv (no shell), waited for; returns exitcode and the decoded output.
        $request = [ordered]@{ path = $Path; arg = @($Arguments); 'capture-output' = $true }
        if ($PSBoundParameters.ContainsKey('InputText')) { $request['input-data'] = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($InputText)) }
        $execPid = (Invoke-E2EAgent $Domain (@{ execute = 'guest-exec'; arguments = $request } | ConvertTo-Json -Compress -Depth 4)).pid
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($true) {
            $s = Invoke-E2EAgent $Domain "{`"execute`":`"guest-exec-status`",`"arguments`":{`"pid`":$execPid}}"
            if ($s.exited) { break }
            if ([DateTime]::UtcNow -gt $deadline) { throw "$Path $Arguments did not finish in the guest within 30 s" }
            Start-Sleep -Milliseconds 100
        }
        $decode = { param($b) if ($b) { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b)) } else { '' } }
        [pscustomobject]@{ ExitCode = $s.exitcode; Out = (& $decode $s.'out-data'); Err = (& $decode $s.'err-data') }
    }

    function Get-E2EGuestFile([string] $Domain, [string] $Path) { (Invoke-E2EGuestExec $Domain cat @($Path)).Out }

    function Get-E2EGuestMounts([string] $Domain) { @((Get-E2EGuestFile $Domain /proc/self/mounts) -split "`n" | Where-Object { $_ -match ' virtiofs ' }) }

    function Get-E2ELiveTags([string] $Name) {
        [xml] $x = (& virsh -c qemu:///system dumpxml $Name) -join "`n"
        @($x.domain.devices.filesystem | ForEach-Object { $_.target.dir })
    }

    # The agent guest: a channel, spare root ports for the shares hot-plugged below, shared memory set up by
    # the module before the start (memory cannot change live), and no share at all yet. Its kernel boots with
    # virtiofs not loaded (only in modules.dep), as a module the first mount has to load.
    $script:Agent = New-E2EDomain -Case agent -Acpi -SparePorts 6 -AgentChannel -Cmdline "e2e.mode=agent e2e.virtiofs=unloaded e2e.token=$(New-E2EToken)"
    Enable-VirtioFsSharedMemory -Domain $Agent.Name -ConnectionUri $Uri
    # The second guest runs the same init without the channel: it stays up, unreachable through an agent.
    $script:NoChannel = New-E2EDomain -Case nochan -Acpi -Cmdline 'e2e.mode=agent'
    # A third is defined and never started.
    $script:Off = New-E2EDomain -Case off -Cmdline 'e2e.mode=agent'
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Start-E2EDomain $Agent
    Start-E2EDomain $NoChannel
    # What a runbook right after a start does: the module waits for the agent itself (Write-Progress meanwhile).
    Get-VirtioFsGuestMount -Domain $Agent.Name -ConnectionUri $Uri -Live -TimeoutSec 120 | Should -BeNullOrEmpty
    Add-E2ETiming 'agent ready after start' $sw.Elapsed
    Wait-E2EConsole $NoChannel 'E2E_AGENT_NO_PORT' -TimeoutSec 120
}

AfterAll {
    Clear-E2E
    if (Get-Variable -Name E2ETimings -Scope Script -ErrorAction Ignore) {
        Add-E2ETiming 'total' $AllTime.Elapsed
        Write-Host ('E2E guest agent wall times (s): ' + (($E2ETimings.GetEnumerator() | ForEach-Object { "$($_.Key)=$($_.Value)" }) -join ', '))
    }
}

Describe 'Mount-VirtioFsShare in a real guest, through its QEMU guest agent' -Tag 'E2E' {
    BeforeEach { $script:CaseTime = [Diagnostics.Stopwatch]::StartNew() }

    It 'the pipeline: hot-plug, mount, files both ways, -Persist proven by mount -a, idempotent, dismount, remove (local URI)' {
        $share = New-E2EShareDir 'www'
        $name = $Agent.Name

        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = New-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag www -Source $share.Path |
            Mount-VirtioFsShare -MountPoint /srv/www -Persist
        Add-E2ETiming 'hot-plug + mount + persist' $sw.Elapsed

        $r.Domain | Should -Be $name
        $r.Tag | Should -Be 'www'
        $r.MountPoint | Should -Be '/srv/www'
        $r.Mounted | Should -BeTrue
        $r.Persistent | Should -BeTrue
        $r.PersistedIn | Should -Be '/etc/fstab'
        $r.Options | Should -Match '^rw,'
        $r.GuestKernel | Should -Be '6.1.0-57-amd64'
        $r.GuestOs | Should -Be 'Debian GNU/Linux 12 (bookworm)'
        $r.Changes | Should -Be @('mkdir -p /srv/www', 'modprobe virtiofs', 'mount -t virtiofs www /srv/www', "/etc/fstab: add 'www /srv/www virtiofs defaults,nofail 0 0'")

        # What the guest itself says, read without the module.
        Get-E2EGuestMounts $name | Should -Be @('www /srv/www virtiofs rw,relatime 0 0')
        $line = (Get-VirtioFsGuestMount -Tag www -MountPoint /srv/www).FstabLine
        Get-E2EGuestFile $name /etc/fstab | Should -Be "$line`n"
        (Invoke-E2EGuestExec $name stat @('-c', '%a', '/etc/fstab')).Out.Trim() | Should -Be '644'

        # A token the guest writes arrives on the host; the host's file arrives in the guest.
        $token = New-E2EToken
        (Invoke-E2EGuestExec $name tee @('/srv/www/guest-wrote.txt') -InputText "$token`n").ExitCode | Should -Be 0
        (Get-Content -LiteralPath "$($share.Path)/guest-wrote.txt" -Raw).Trim() | Should -Be $token
        (Get-E2EGuestFile $name /srv/www/host-prepared.txt).Trim() | Should -Be $share.HostToken

        # The fstab line is what mounts it: unmount behind the module's back, then the guest's own mount -a.
        (Invoke-E2EGuestExec $name umount @('/srv/www')).ExitCode | Should -Be 0
        Get-E2EGuestMounts $name | Should -BeNullOrEmpty
        $mountA = Invoke-E2EGuestExec $name mount @('-a')
        $mountA.ExitCode | Should -Be 0 -Because $mountA.Err
        Get-E2EGuestMounts $name | Should -Be @('www /srv/www virtiofs rw,relatime 0 0')

        # A second run changes nothing.
        $sw.Restart()
        $again = Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag www -MountPoint /srv/www -Persist
        Add-E2ETiming 'mount again (no change)' $sw.Elapsed
        $again.Changes | Should -BeNullOrEmpty
        $again.Mounted | Should -BeTrue
        Get-E2EGuestFile $name /etc/fstab | Should -Be "$line`n"
        Get-E2EGuestMounts $name | Should -HaveCount 1

        # Tab completion of Dismount -MountPoint asks the guest.
        (TabExpansion2 -inputScript "Dismount-VirtioFsShare -Domain $name -MountPoint /srv/w").CompletionMatches.CompletionText | Should -Be '/srv/www'

        # The live view and the doctor agree.
        $live = @(Get-VirtioFsGuestMount -Domain $name -ConnectionUri $Uri -Live)
        $live | Should -HaveCount 1
        $live[0].MountPoint | Should -Be '/srv/www'
        $live[0].Persistent | Should -BeTrue
        $doctor = Test-VirtioFsDomain -Domain $name -ConnectionUri $Uri
        ($doctor | Where-Object Name -EQ GuestAgent).Status | Should -Be 'Pass'
        ($doctor | Where-Object Name -EQ GuestVirtioFs).Status | Should -Be 'Pass'
        ($doctor | Where-Object Name -EQ GuestMount).Status | Should -Be 'Pass'

        $sw.Restart()
        Get-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag www | Dismount-VirtioFsShare -Persist
        Add-E2ETiming 'dismount + unpersist' $sw.Elapsed
        Get-E2EGuestMounts $name | Should -BeNullOrEmpty
        Get-E2EGuestFile $name /etc/fstab | Should -BeNullOrEmpty

        $sw.Restart()
        Remove-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag www
        Add-E2ETiming 'hot-unplug' $sw.Elapsed
        Get-E2ELiveTags $name | Should -BeNullOrEmpty
        Add-E2ETiming 'pipeline (local)' $CaseTime.Elapsed
    }

    It 'the same pipeline through a remote URI (loopback qemu+ssh host), read-only' {
        $share = New-E2EShareDir 'remote'
        $name = $Agent.Name
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $r = New-VirtioFsShare -Domain $name -ConnectionUri $Remote -Tag remote -Source $share.Path |
            Mount-VirtioFsShare -MountPoint /srv/remote -ReadOnly -Persist
        Add-E2ETiming 'remote hot-plug + mount + persist' $sw.Elapsed
        $r.ConnectionUri | Should -Be $Remote
        $r.ReadOnly | Should -BeTrue
        Get-E2EGuestMounts $name | Should -Be @('remote /srv/remote virtiofs ro,relatime 0 0')
        Get-E2EGuestFile $name /etc/fstab | Should -Be "remote /srv/remote virtiofs defaults,ro,nofail 0 0`n"
        (Get-E2EGuestFile $name /srv/remote/host-prepared.txt).Trim() | Should -Be $share.HostToken
        # Read-only in the guest too.
        $write = Invoke-E2EGuestExec $name tee @('/srv/remote/x') -InputText 'x'
        $write.ExitCode | Should -Not -Be 0
        $write.Err | Should -Match 'Read-only file system'

        $live = Get-VirtioFsGuestMount -Domain $name -ConnectionUri $Remote -Live
        $live.ConnectionUri | Should -Be $Remote
        $live | Dismount-VirtioFsShare -Persist
        Get-E2EGuestMounts $name | Should -BeNullOrEmpty
        Get-E2EGuestFile $name /etc/fstab | Should -BeNullOrEmpty
        Remove-VirtioFsShare -Domain $name -ConnectionUri $Remote -Tag remote
        Get-E2ELiveTags $name | Should -BeNullOrEmpty
        Add-E2ETiming 'pipeline (remote)' $CaseTime.Elapsed
    }

    It 'faults with a running agent: tag missing, mount point a file, fstab conflict, mount refused, share busy; each changes nothing, as -WhatIf does' {
        $share = New-E2EShareDir 'faults'
        $name = $Agent.Name
        New-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -Source $share.Path | Out-Null
        $fstab = "other /srv/taken nfs defaults 0 0`n"
        # The test writes the guest's fstab and a file where a mount point will be asked for, through the agent.
        (Invoke-E2EGuestExec $name tee @('/etc/fstab') -InputText $fstab).ExitCode | Should -Be 0
        (Invoke-E2EGuestExec $name tee @('/srv/afile') -InputText "a file`n").ExitCode | Should -Be 0
        $before = { @((Get-E2EGuestMounts $name), (Get-E2EGuestFile $name /etc/fstab), (Invoke-E2EGuestExec $name ls @('-1', '/srv')).Out) -join '|' }
        $state = & $before

        # -WhatIf runs the read-only checks and changes nothing.
        Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -MountPoint /srv/whatif -Persist -WhatIf | Should -BeNullOrEmpty
        & $before | Should -Be $state

        { Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag nosuch -MountPoint /srv/nosuch -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestTagNotFound,*' -ExpectedMessage "*no virtio-fs share with the tag 'nosuch'; the running guest has: faults*"
        { Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -MountPoint /srv/afile -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestMountPointNotDirectory,*' -ExpectedMessage '*/srv/afile is a regular file*'
        { Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -MountPoint /srv/taken -Persist -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestFstabConflict,*' -ExpectedMessage '*other /srv/taken nfs defaults 0 0*'
        & $before | Should -Be $state

        # A mount the guest's kernel refuses: its own message is the error, and the new directory is taken back.
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -MountPoint /srv/refused -Options bogusopt -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestMountFailed,*' -ExpectedMessage '*mount: mounting faults on /srv/refused failed: Invalid argument*Undone in the guest: mkdir -p /srv/refused*'
        Add-E2ETiming 'refused mount (with 5 s of retries)' $sw.Elapsed
        & $before | Should -Be $state

        # -Force replaces the conflicting line, and only it.
        $forced = Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -MountPoint /srv/taken -Persist -Force
        $forced.Changes[-1] | Should -Be "/etc/fstab: replace 'other /srv/taken nfs defaults 0 0' with 'faults /srv/taken virtiofs defaults,nofail 0 0'"
        Get-E2EGuestFile $name /etc/fstab | Should -Be "faults /srv/taken virtiofs defaults,nofail 0 0`n"

        # A share in use in the guest is not unmounted, and umount's message says why. (The test's own user of
        # the share is a process whose working directory is on it.)
        $sleeper = (Invoke-E2EAgent $name '{"execute":"guest-exec","arguments":{"path":"sh","arg":["-c","cd /srv/taken && exec sleep 31"]}}').pid
        Start-Sleep -Milliseconds 500
        { Dismount-VirtioFsShare -Domain $name -ConnectionUri $Uri -MountPoint /srv/taken -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestUnmountFailed,*' -ExpectedMessage '*Device or resource busy*'
        Get-E2EGuestMounts $name | Should -Be @('faults /srv/taken virtiofs rw,relatime 0 0')
        (Invoke-E2EGuestExec $name kill @("$sleeper")).ExitCode | Should -Be 0
        Start-Sleep -Milliseconds 300
        Dismount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults -Persist
        Get-E2EGuestMounts $name | Should -BeNullOrEmpty
        Get-E2EGuestFile $name /etc/fstab | Should -BeNullOrEmpty
        Remove-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag faults
        Add-E2ETiming 'faults with an agent' $CaseTime.Elapsed
    }

    It 'faults without an agent: a domain that is off, a domain without the channel; the channel added' {
        { Mount-VirtioFsShare -Domain $Off.Name -ConnectionUri $Uri -Tag data -ErrorAction Stop } |
            Should -Throw -ErrorId 'DomainNotRunning,*' -ExpectedMessage '*is not running*'
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Mount-VirtioFsShare -Domain $NoChannel.Name -ConnectionUri $Uri -Tag data -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestAgentNotConfigured,*' -ExpectedMessage '*has no QEMU guest agent channel*'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 5 -Because 'a missing channel is known from the live XML, without waiting'
        { Get-VirtioFsGuestMount -Domain $NoChannel.Name -ConnectionUri $Remote -Live -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestAgentNotConfigured,*'
        # libvirt itself says the same to a raw agent command.
        $raw = & virsh -c $Uri qemu-agent-command $NoChannel.Name '{"execute":"guest-ping"}' 2>&1
        "$raw" | Should -Match 'QEMU guest agent is not configured'
        (Resolve-VirtioFsError -Message "$raw")[0].Id | Should -Be 'GuestAgentNotConfigured'

        # The doctor says what to do; the share added to the running guest waits for the next start (no shared memory).
        $share = New-E2EShareDir 'nochan'
        New-VirtioFsShare -Domain $NoChannel.Name -ConnectionUri $Uri -Tag nochan -Source $share.Path -WarningAction SilentlyContinue | Out-Null
        $agentCheck = Test-VirtioFsDomain -Domain $NoChannel.Name -ConnectionUri $Uri | Where-Object Name -EQ GuestAgent
        $agentCheck.Status | Should -Be 'Warn'
        $agentCheck.Fix | Should -BeLike "Add-VirtioFsGuestAgentChannel -Domain $($NoChannel.Name)*"

        # The channel cannot be hot-plugged without a virtio-serial controller: defined, with a warning.
        $warnings = @()
        Add-VirtioFsGuestAgentChannel -Domain $NoChannel.Name -ConnectionUri $Uri -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -Match 'no virtio-serial controllers are available.*next boot'
        [xml] $inactive = (& virsh -c $Uri dumpxml --inactive $NoChannel.Name) -join "`n"
        @($inactive.domain.devices.channel | Where-Object { $_.target.name -eq 'org.qemu.guest_agent.0' }) | Should -HaveCount 1
        $again = Add-VirtioFsGuestAgentChannel -Domain $NoChannel.Name -ConnectionUri $Uri -Verbose 4>&1
        "$again" | Should -Match 'already has the guest agent channel'
        Add-E2ETiming 'faults without an agent' $CaseTime.Elapsed
    }

    It 'an agent that stops answering: bounded by -TimeoutSec, nothing changed (agent stopped with SIGSTOP)' {
        $share = New-E2EShareDir 'late'
        $name = $Agent.Name
        New-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag late -Source $share.Path | Out-Null
        $agentPid = (Get-E2EGuestFile $name /run/qemu-ga.pid).Trim()
        # A moment later, so the agent still answers this guest-exec; then it is stopped and answers nothing.
        Invoke-E2EAgent $name "{`"execute`":`"guest-exec`",`"arguments`":{`"path`":`"sh`",`"arg`":[`"-c`",`"sleep 1; kill -STOP $agentPid`"]}}" | Out-Null
        Start-Sleep -Seconds 2
        $sw = [Diagnostics.Stopwatch]::StartNew()
        { Mount-VirtioFsShare -Domain $name -ConnectionUri $Uri -Tag late -MountPoint /srv/late -TimeoutSec 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'GuestAgentUnresponsive,*' -ExpectedMessage '*did not answer within 5 s*'
        $elapsed = $sw.Elapsed.TotalSeconds
        Add-E2ETiming 'stopped agent refused after' $sw.Elapsed
        $elapsed | Should -BeGreaterOrEqual 4.5
        $elapsed | Should -BeLessThan 20
        $check = Test-VirtioFsDomain -Domain $name -ConnectionUri $Uri | Where-Object Name -EQ GuestAgent
        $check.Status | Should -Be 'Warn'
        $check.Message | Should -Match 'does not answer'
        # Nothing reached the guest: the agent cannot be asked any more, but the share's host side shows no new file.
        @(Get-ChildItem -LiteralPath $share.Path).Name | Should -Be @('host-prepared.txt')
        Add-E2ETiming 'stopped agent' $CaseTime.Elapsed
    }

    It 'leaves no domain, QEMU or virtiofsd of this run behind' {
        $run = $E2ERun
        Clear-E2E
        $script:E2ERun = $run
        @(Get-E2ELeftover) | Should -BeNullOrEmpty
    }
}
