// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>One qemu.conf setting: what the file says, or libvirt's default when it says nothing.</summary>
public sealed class VirtioFsQemuConfigSetting
{
    internal VirtioFsQemuConfigSetting(string name, object? value, bool isSet, bool isDefault, object? defaultValue,
        int? lineNumber, string path, string? description)
    {
        Name = name;
        Value = value;
        IsSet = isSet;
        IsDefault = isDefault;
        DefaultValue = defaultValue;
        LineNumber = lineNumber;
        Path = path;
        Description = description;
    }

    /// <summary>The key, e.g. memory_backing_dir.</summary>
    public string Name { get; }

    /// <summary>The value in effect: a string, a long (booleans are 0/1) or an array; libvirt's default when not set; null when libvirt has no fixed default.</summary>
    public object? Value { get; }

    /// <summary>True when the file sets the key on an uncommented line.</summary>
    public bool IsSet { get; }

    /// <summary>True when the value in effect is libvirt's default (always true when not set).</summary>
    public bool IsDefault { get; }

    /// <summary>libvirt's built-in default, null when none.</summary>
    public object? DefaultValue { get; }

    /// <summary>Line of the setting; when not set, the line of the stock commented default (null when there is none).</summary>
    public int? LineNumber { get; }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>What the key does (known keys only).</summary>
    public string? Description { get; }
}
