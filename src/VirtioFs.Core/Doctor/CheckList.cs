// SPDX-License-Identifier: MIT
using System.Collections.Generic;

namespace VirtioFs.Doctor;

/// <summary>Collects check results; Warn and Fail demand a fix so none can be added without one.</summary>
internal sealed class CheckList
{
    private readonly List<VirtioFsCheckResult> _results = new();
    private readonly string? _defaultTarget;

    public CheckList(string? defaultTarget) => _defaultTarget = defaultTarget;

    public IReadOnlyList<VirtioFsCheckResult> Results => _results;

    public void Pass(string name, string message, string? evidence = null, string? target = null) =>
        _results.Add(new VirtioFsCheckResult(name, VirtioFsCheckStatus.Pass, message, null, evidence, target ?? _defaultTarget));

    public void Skip(string name, string message, string? evidence = null, string? target = null) =>
        _results.Add(new VirtioFsCheckResult(name, VirtioFsCheckStatus.Skip, message, null, evidence, target ?? _defaultTarget));

    public void Warn(string name, string message, string fix, string? evidence = null, string? target = null) =>
        _results.Add(new VirtioFsCheckResult(name, VirtioFsCheckStatus.Warn, message, fix, evidence, target ?? _defaultTarget));

    public void Fail(string name, string message, string fix, string? evidence = null, string? target = null) =>
        _results.Add(new VirtioFsCheckResult(name, VirtioFsCheckStatus.Fail, message, fix, evidence, target ?? _defaultTarget));
}
