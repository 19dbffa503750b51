// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;

namespace VirtioFs;

/// <summary>
/// One virtiofsd: started by this module (recorded in the runtime directory) or found in the process table.
/// <see cref="SocketPath"/> keeps its name so <c>New-VirtioFsShare -SocketPath</c> binds it by property name.
/// </summary>
public sealed class VirtioFsDaemon
{
    internal VirtioFsDaemon(string name, int processId, VirtioFsDaemonState state, string? sharedDirectory,
        string? socketPath, string binaryPath, VirtioFsDaemonDialect dialect, string? version,
        IReadOnlyList<string> arguments, string? logPath, DateTime? startTime, VirtioFsDaemonManager managedBy,
        string? domain, int? fileDescriptor, string? statePath)
    {
        Name = name;
        ProcessId = processId;
        State = state;
        SharedDirectory = sharedDirectory;
        SocketPath = socketPath;
        BinaryPath = binaryPath;
        Dialect = dialect;
        Version = version;
        Arguments = arguments;
        LogPath = logPath;
        StartTime = startTime;
        ManagedBy = managedBy;
        Domain = domain;
        FileDescriptor = fileDescriptor;
        StatePath = statePath;
    }

    /// <summary>Our name for it; for libvirt's daemons <c>&lt;domain&gt;-fsN</c>, for others <c>virtiofsd-&lt;pid&gt;</c>.</summary>
    public string Name { get; }

    public int ProcessId { get; }

    public VirtioFsDaemonState State { get; }

    public string? SharedDirectory { get; }

    /// <summary>The vhost-user socket QEMU connects to (for libvirt's <c>--fd</c> daemons, the socket behind the fd).</summary>
    public string? SocketPath { get; }

    public string BinaryPath { get; }

    public VirtioFsDaemonDialect Dialect { get; }

    public string? Version { get; }

    /// <summary>The daemon's argv after the binary path, exactly as executed.</summary>
    public IReadOnlyList<string> Arguments { get; }

    public string? LogPath { get; }

    public DateTime? StartTime { get; }

    public VirtioFsDaemonManager ManagedBy { get; }

    /// <summary>The libvirt domain whose share this is, when it can be derived.</summary>
    public string? Domain { get; }

    /// <summary>The <c>--fd</c> number for daemons handed a pre-opened socket (libvirt).</summary>
    public int? FileDescriptor { get; }

    /// <summary>Our JSON state file, for daemons this module started.</summary>
    public string? StatePath { get; }

    /// <summary>
    /// True when QEMU is connected to the daemon's socket (the share is in use), false when the daemon
    /// waits for a guest; null when the daemon is not running or its socket is unknown.
    /// </summary>
    public bool? GuestConnected { get; internal set; }

    /// <summary>File descriptors the daemon holds now (its sandboxed worker, once a guest is connected); null when not running.</summary>
    public int? OpenFiles { get; internal set; }

    /// <summary>
    /// The daemon's soft limit on open files. A share of a large tree fails with EMFILE ("Too many open
    /// files") near it; raise it with Start-VirtioFsDaemon -RlimitNofile. The C virtiofsd applies its
    /// --rlimit-nofile only once a guest connects, so before that this is the limit it inherited.
    /// </summary>
    public long? OpenFilesLimit { get; internal set; }

    /// <summary>The same daemon in another state (what Stop -PassThru reports after stopping it).</summary>
    internal VirtioFsDaemon WithState(VirtioFsDaemonState state) =>
        new(Name, ProcessId, state, SharedDirectory, SocketPath, BinaryPath, Dialect, Version, Arguments, LogPath,
            StartTime, ManagedBy, Domain, FileDescriptor, StatePath);

    public override string ToString() => Name;
}
