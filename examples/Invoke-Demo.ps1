# SPDX-License-Identifier: MIT
#Requires -Version 7.4
<#
.SYNOPSIS
    Walks libvirt's "Sharing files with Virtio-FS" procedure with the VirtioFs module on an example domain.
.DESCRIPTION
    Copies examples/web01.xml (a q35 domain without shared memory and without filesystems) to a
    temporary directory and, on that copy only:

      1. shows that its memory is not ready for virtio-fs (Get-VirtioFsSharedMemory);
      2. previews New-VirtioFsShare with -WhatIf (the unified diff);
      3. adds the share for real, sharing a temporary host directory;
      4. prints the before/after diff of the file;
      5. shows the resulting VirtioFsShare and VirtioFsSharedMemory objects;
      6. prints the guest's mount command and fstab line;
      7. validates the result with virt-xml-validate when it is installed.

    Needs neither root nor libvirtd. build.ps1 -Task Demo runs it after Build. Exits 0 on
    success, 1 on any failure; the temporary directory is removed either way.
.PARAMETER ModulePath
    The built module folder, e.g. output/VirtioFs/0.1.0 (contains VirtioFs.psd1).
.PARAMETER Tag
    The mount tag to create (at most 36 bytes).
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/Invoke-Demo.ps1 -ModulePath output/VirtioFs/0.1.0
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [ValidateNotNullOrEmpty()] [string] $Tag = 'www'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Write-Section([string] $Title) {
    $line = '=' * 78
    Write-Host ''
    Write-Host $line
    Write-Host "  $Title"
    Write-Host $line
}

function Show([Parameter(ValueFromPipeline)] $InputObject) {
    # Formatted output, wide enough that the Reason and Source columns are not cut.
    begin { $items = [System.Collections.Generic.List[object]]::new() }
    process { $items.Add($InputObject) }
    end { $items | Out-String -Width 160 | ForEach-Object TrimEnd | Write-Host }
}

$exitCode = 0
$work = Join-Path ([IO.Path]::GetTempPath()) ("virtiofs-demo-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
try {
    $manifest = Join-Path (Resolve-Path -LiteralPath $ModulePath).ProviderPath 'VirtioFs.psd1'
    Import-Module $manifest -Force

    $null = New-Item -ItemType Directory -Path $work
    $example = Join-Path $PSScriptRoot 'web01.xml'
    $original = Join-Path $work 'web01.original.xml'
    $domainFile = Join-Path $work 'web01.xml'
    $source = Join-Path $work 'srv-www'
    Copy-Item -LiteralPath $example -Destination $original
    Copy-Item -LiteralPath $example -Destination $domainFile
    $null = New-Item -ItemType Directory -Path $source
    Set-Content -LiteralPath (Join-Path $source 'index.html') -Value '<h1>served from the host over virtio-fs</h1>'

    Write-Section "VirtioFs demo: libvirt's 'Sharing files with Virtio-FS' on a copy of examples/web01.xml"
    Write-Host "Domain XML : $domainFile"
    Write-Host "Host dir   : $source"
    Write-Host "Mount tag  : $Tag"

    Write-Section 'Step 1: Is the memory ready for virtio-fs? (before)'
    Write-Host 'libvirt refuses virtio-fs unless guest RAM is shared; web01 has no <memoryBacking>.'
    $before = Get-VirtioFsSharedMemory -Path $domainFile
    $before | Show
    if ($before.VirtioFsReady) { throw 'The example domain unexpectedly has shared memory already.' }

    Write-Section 'Step 2: Preview with -WhatIf (nothing is written)'
    Write-Host "New-VirtioFsShare -Path web01.xml -Tag $Tag -Source $source -QueueSize 1024 -WhatIf"
    Write-Host ''
    New-VirtioFsShare -Path $domainFile -Tag $Tag -Source $source -QueueSize 1024 -WhatIf
    if ((Get-FileHash -LiteralPath $domainFile).Hash -ne (Get-FileHash -LiteralPath $original).Hash) {
        throw '-WhatIf changed the file.'
    }

    Write-Section 'Step 3: Add the share (memfd shared memory is added on the way)'
    Write-Host "New-VirtioFsShare -Path web01.xml -Tag $Tag -Source $source -QueueSize 1024 -Verbose"
    $share = New-VirtioFsShare -Path $domainFile -Tag $Tag -Source $source -QueueSize 1024 -Verbose 4>&1 |
        ForEach-Object {
            if ($_ -is [System.Management.Automation.VerboseRecord]) {
                # The first verbose record repeats the -WhatIf diff; list only the one-line changes.
                if ($_.Message -notmatch "`n") { Write-Host "  $($_.Message)" }
            }
            else { $_ }
        }
    if (-not $share) { throw 'New-VirtioFsShare wrote no share.' }

    Write-Section 'Step 4: What changed in the file (before -> after)'
    $git = Get-Command git -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($git) {
        $diff = & $git.Source diff --no-index --no-color -- $original $domainFile
        # git diff --no-index exits 1 when the files differ, 0 when they are equal.
        if ($LASTEXITCODE -ne 1) { throw "git diff --no-index returned $LASTEXITCODE; expected a difference." }
        $diff | Write-Host
    }
    else {
        Compare-Object (Get-Content -LiteralPath $original) (Get-Content -LiteralPath $domainFile) |
            ForEach-Object { '{0} {1}' -f ($_.SideIndicator -eq '=>' ? '+' : '-'), $_.InputObject } | Write-Host
    }
    $backup = "$domainFile.bak"
    Write-Host ''
    Write-Host "Previous version kept as: $backup ($(if (Test-Path -LiteralPath $backup) { 'present' } else { 'MISSING' }))"

    Write-Section 'Step 5: The result as objects'
    Write-Host 'Get-VirtioFsShare -Path web01.xml'
    Get-VirtioFsShare -Path $domainFile | Show
    Write-Host 'Get-VirtioFsShare -Path web01.xml | Format-List'
    Get-VirtioFsShare -Path $domainFile | Format-List | Show
    Write-Host 'Get-VirtioFsSharedMemory -Path web01.xml'
    $after = Get-VirtioFsSharedMemory -Path $domainFile
    $after | Show
    if (-not $after.VirtioFsReady) { throw "Memory is still not ready: $($after.Reason)" }
    if (-not $share.SharedMemoryReady) { throw 'The share reports SharedMemoryReady = False.' }

    Write-Section 'Step 6: In the guest (Linux 5.4+)'
    Write-Host 'Mount once:'
    Write-Host "  mkdir -p /mnt/$Tag && mount -t virtiofs $Tag /mnt/$Tag"
    Write-Host 'Or at every boot, in /etc/fstab:'
    Write-Host "  $Tag /mnt/$Tag virtiofs defaults,nofail 0 0"
    Write-Host 'On the host, apply the file with: virsh define --validate web01.xml (then a cold boot: the memory change needs it).'

    Write-Section 'Step 7: Validate against the libvirt schema'
    $validator = Get-Command virt-xml-validate -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($validator) {
        $verdict = & $validator.Source $domainFile domain 2>&1
        $rc = $LASTEXITCODE
        $verdict | ForEach-Object { Write-Host "  $_" }
        if ($rc -ne 0) { throw "virt-xml-validate rejected the result (exit code $rc)." }
        Write-Host 'Verdict: valid libvirt domain XML.'
    }
    else {
        Write-Host 'virt-xml-validate is not installed (Debian: apt-get install libvirt-clients libxml2-utils); skipped.'
    }

    Write-Section 'Demo finished: the share is in place and the domain XML is valid.'
}
catch {
    Write-Host ''
    Write-Host "DEMO FAILED: $($_.Exception.Message)"
    if ($_.InvocationInfo) { Write-Host $_.InvocationInfo.PositionMessage }
    $exitCode = 1
}
finally {
    if (Test-Path -LiteralPath $work) { Remove-Item -LiteralPath $work -Recurse -Force }
}
exit $exitCode
