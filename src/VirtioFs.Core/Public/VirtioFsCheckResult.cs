// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>One check of Test-VirtioFsHost or Test-VirtioFsDomain.</summary>
public sealed class VirtioFsCheckResult
{
    internal VirtioFsCheckResult(string name, VirtioFsCheckStatus status, string message, string? fix, string? evidence, string? target)
    {
        Name = name;
        Status = status;
        Message = message;
        Fix = fix;
        Evidence = evidence;
        Target = target;
    }

    /// <summary>Stable check name, e.g. <c>QemuDevice</c> or <c>TagLength</c>; scripts may filter on it.</summary>
    public string Name { get; }

    public VirtioFsCheckStatus Status { get; }

    /// <summary>What was found, in one or two sentences.</summary>
    public string Message { get; }

    /// <summary>What to do (a module command where one exists); set for every Warn and Fail.</summary>
    public string? Fix { get; }

    /// <summary>The raw facts the verdict rests on (a version line, a file, a mount entry).</summary>
    public string? Evidence { get; }

    /// <summary>What was checked: the host or URI, or the domain (and the share's tag).</summary>
    public string? Target { get; }

    /// <summary>The domain a domain check is about (null for host checks).</summary>
    public string? Domain { get; internal set; }

    /// <summary>The domain XML file, for -Path.</summary>
    public string? Path { get; internal set; }

    /// <summary>The libvirt connection, for -Domain and host checks.</summary>
    public string? ConnectionUri { get; internal set; }

    public override string ToString() => $"{Status} {Name}: {Message}";
}
