// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;

namespace VirtioFs.Internal;

/// <summary>The single mapping from core errors to PowerShell ErrorRecords.</summary>
internal static class ErrorMapper
{
    public static ErrorRecord ToRecord(VirtioFsException e) => ToRecord(e, e.Target);

    /// <summary>The record with another target: the host's URI when several hosts run at once.</summary>
    public static ErrorRecord ToRecord(VirtioFsException e, object? target)
    {
        var record = new ErrorRecord(e, e.ErrorId, ToCategory(e.Kind), target);
        if (e.RecommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = e.RecommendedAction };
        }
        return record;
    }

    public static ErrorCategory ToCategory(VirtioFsErrorKind kind) => kind switch
    {
        VirtioFsErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        VirtioFsErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        VirtioFsErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        VirtioFsErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        VirtioFsErrorKind.InvalidData => ErrorCategory.InvalidData,
        VirtioFsErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        VirtioFsErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        VirtioFsErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        VirtioFsErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        VirtioFsErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        VirtioFsErrorKind.NotEnabled => ErrorCategory.NotEnabled,
        VirtioFsErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        VirtioFsErrorKind.WriteError => ErrorCategory.WriteError,
        VirtioFsErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        VirtioFsErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        VirtioFsErrorKind.SecurityError => ErrorCategory.SecurityError,
        _ => ErrorCategory.NotSpecified,
    };
}
