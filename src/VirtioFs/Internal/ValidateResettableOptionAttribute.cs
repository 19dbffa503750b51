// SPDX-License-Identifier: MIT
using System;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;

namespace VirtioFs.Internal;

/// <summary>
/// Accepts the option names Set-VirtioFsShare -Reset may remove, from the option table
/// (ShareOptions.ResettableNames), so a new option needs no second list here. Case-insensitive, like ValidateSet.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateResettableOptionAttribute : ValidateEnumeratedArgumentsAttribute
{
    protected override void ValidateElement(object element)
    {
        string? name = element as string ?? (element as PSObject)?.BaseObject as string;
        if (name is null || !ShareOptions.ResettableNames.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new ValidationMetadataException(
                $"'{element}' is not an option -Reset can remove. Use one of: {string.Join(", ", ShareOptions.ResettableNames)}.");
        }
    }
}
