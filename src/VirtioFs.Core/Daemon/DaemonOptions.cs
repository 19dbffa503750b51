// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Daemon;

/// <summary>
/// What the admin asked for, dialect-neutral. <c>null</c> means "leave the daemon's default", which keeps
/// the argv short and lets a C daemon accept a request that only a Rust daemon could spell explicitly.
/// </summary>
internal sealed class DaemonOptions
{
    public string SharedDirectory { get; set; } = "";

    /// <summary>-Force: share a system directory anyway (SharedDirectoryGuard).</summary>
    public bool AllowUnsafeSharedDirectory { get; set; }
    public string SocketPath { get; set; } = "";
    public string? SocketGroup { get; set; }
    public VirtioFsDaemonCacheMode? Cache { get; set; }
    public bool? Xattr { get; set; }
    public bool? PosixAcl { get; set; }
    public VirtioFsDaemonSandboxMode? Sandbox { get; set; }
    public int? ThreadPoolSize { get; set; }
    public VirtioFsInodeFileHandles? InodeFileHandles { get; set; }
    public bool? AnnounceSubmounts { get; set; }
    public bool ReadOnly { get; set; }
    public bool? AllowDirectIo { get; set; }
    public bool? Writeback { get; set; }
    public string? XattrMap { get; set; }
    public IReadOnlyList<string> TranslateUid { get; set; } = [];
    public IReadOnlyList<string> TranslateGid { get; set; } = [];
    public long? RlimitNofile { get; set; }
    public VirtioFsMigrationMode? MigrationMode { get; set; }
    public VirtioFsMigrationOnError? MigrationOnError { get; set; }
    public bool MigrationVerifyHandles { get; set; }
    public VirtioFsLogLevel? LogLevel { get; set; }
    public IReadOnlyList<string> ExtraArguments { get; set; } = [];
}
