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
