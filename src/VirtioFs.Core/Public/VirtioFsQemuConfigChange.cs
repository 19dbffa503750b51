// SPDX-License-Identifier: MIT
using System;
using System.Globalization;
using System.Text;
using VirtioFs.Errors;

namespace VirtioFs.QemuConfig;

/// <summary>One edit, as lines removed and added (1-based line number of the first one).</summary>
public sealed class VirtioFsQemuConfigChange
{
    internal VirtioFsQemuConfigChange(string name, string action, int lineNumber, string[] removed, string[] added)
    {
        Name = name;
        Action = action;
        LineNumber = lineNumber;
        Removed = removed;
        Added = added;
    }

    /// <summary>The key changed.</summary>
    public string Name { get; }

    /// <summary>Replace (the key was set), Uncomment (the stock commented default line was used) or Append.</summary>
    public string Action { get; }

    /// <summary>First line touched.</summary>
    public int LineNumber { get; }

    public string[] Removed { get; }

    public string[] Added { get; }

    /// <summary>A small unified-diff-like text: -N: old / +N: new.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < Removed.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"-{LineNumber + i}: {Removed[i]}\n");
        }
        for (int i = 0; i < Added.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"+{LineNumber + i}: {Added[i]}\n");
        }
        return sb.ToString().TrimEnd('\n');
    }
}
