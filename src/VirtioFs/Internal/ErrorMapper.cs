// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Errors;

namespace VirtioFs.Internal;

/// <summary>The single mapping from core errors to PowerShell ErrorRecords.</summary>
internal static class ErrorMapper
{
    public static ErrorRecord ToRecord(VirtioFsException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, ToCategory(e.Kind), e.Target);
        if (e.RecommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = e.RecommendedAction };
        }
        return record;
    }

    public static ErrorCategory ToCategory(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.NotInstalled => ErrorCategory.NotInstalled,
        ErrorKind.NotEnabled => ErrorCategory.NotEnabled,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.WriteError => ErrorCategory.WriteError,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.NotSpecified,
    };
}
