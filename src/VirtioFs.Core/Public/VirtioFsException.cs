// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Errors;

/// <summary>
/// The one exception type the core throws for anything a user can act on. It carries a stable
/// PascalCase id, a category, the offending input and what to do about it, so the cmdlet layer can
/// build a complete ErrorRecord without guessing.
/// </summary>
public sealed class VirtioFsException : Exception
{
    public VirtioFsException(string errorId, VirtioFsErrorKind kind, string message, object? target = null,
        string? recommendedAction = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    /// <summary>Stable identifier, e.g. <c>TagTooLong</c>; scripts may match on it.</summary>
    public string ErrorId { get; }

    public VirtioFsErrorKind Kind { get; }

    /// <summary>The input that caused the error (a tag, a path, a domain name).</summary>
    public object? Target { get; }

    public string? RecommendedAction { get; }
}
