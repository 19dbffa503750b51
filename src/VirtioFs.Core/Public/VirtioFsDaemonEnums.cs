// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>Command-line dialect of a virtiofsd binary.</summary>
public enum VirtioFsDaemonDialect
{
    /// <summary>Not determined (the binary did not answer a probe).</summary>
    Unknown,
    /// <summary>Legacy C virtiofsd from QEMU 5.0-7.2: options as <c>-o name=value</c>.</summary>
    C,
    /// <summary>Rust virtiofsd (gitlab virtio-fs/virtiofsd): separate <c>--flags</c>.</summary>
    Rust,
}

/// <summary>Who started (and therefore owns) a running virtiofsd.</summary>
public enum VirtioFsDaemonManager
{
    /// <summary>Started by this module; its state file lives in the runtime directory.</summary>
    VirtioFs,
    /// <summary>Started by libvirt for a domain's &lt;filesystem&gt;; stopping it breaks the guest's share.</summary>
    Libvirt,
    /// <summary>Started by someone else (a script, a unit, an admin).</summary>
    Other,
}

/// <summary>Whether the daemon's process is alive.</summary>
public enum VirtioFsDaemonState
{
    /// <summary>The process is alive.</summary>
    Running,
    /// <summary>The recorded process is gone (the guest disconnected, it crashed, or it was stopped); it can be restarted.</summary>
    Exited,
}

/// <summary>virtiofsd cache policy; mapped to each dialect's spelling.</summary>
public enum VirtiofsdCacheMode
{
    Auto,
    Always,
    Metadata,
    Never,
}

/// <summary>virtiofsd sandbox mode.</summary>
public enum VirtiofsdSandboxMode
{
    Namespace,
    Chroot,
    None,
}

/// <summary>Rust virtiofsd <c>--inode-file-handles</c> policy.</summary>
public enum VirtioFsInodeFileHandles
{
    Never,
    Prefer,
    Mandatory,
}

/// <summary>virtiofsd log level.</summary>
public enum VirtioFsLogLevel
{
    Error,
    Warn,
    Info,
    Debug,
    Trace,
    Off,
}
