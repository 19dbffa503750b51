// SPDX-License-Identifier: MIT
namespace VirtioFs.Errors;

/// <summary>
/// What went wrong, in terms the cmdlet layer maps one-to-one onto PowerShell's ErrorCategory.
/// Kept here so the core stays free of PowerShell types.
/// </summary>
public enum VirtioFsErrorKind
{
    InvalidArgument,
    ObjectNotFound,
    ResourceExists,
    PermissionDenied,
    InvalidData,
    InvalidOperation,
    InvalidResult,
    OperationTimeout,
    LimitsExceeded,
    NotInstalled,
    NotEnabled,
    ConnectionError,
    WriteError,
    ReadError,
    OperationStopped,
    ResourceBusy,
    SecurityError,
}
