// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>A systemd service unit written for a virtiofsd (Register-VirtioFsDaemon).</summary>
public sealed class VirtioFsDaemonUnit
{
    internal VirtioFsDaemonUnit(string name, string unitName, string path, string content, bool written)
    {
        Name = name;
        UnitName = unitName;
        Path = path;
        Content = content;
        Written = written;
    }

    /// <summary>The daemon's name.</summary>
    public string Name { get; }

    /// <summary>The unit name for systemctl, e.g. <c>virtiofsd-data.service</c>.</summary>
    public string UnitName { get; }

    /// <summary>Full path of the unit file.</summary>
    public string Path { get; }

    /// <summary>The unit file's text.</summary>
    public string Content { get; }

    /// <summary>False under -WhatIf: the content was rendered but not written.</summary>
    public bool Written { get; }

    public override string ToString() => Path;
}
