// SPDX-License-Identifier: MIT
namespace VirtioFs;

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
