// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace VirtioFs.Internal;

/// <summary>What a bare number means for a size parameter.</summary>
public enum BareSizeUnit
{
    /// <summary>KiB, as in the kernel's hugepages-2048kB: page sizes.</summary>
    KiB,

    /// <summary>Bytes: -MemorySize, which has always taken bytes without a unit.</summary>
    Bytes,
}

/// <summary>
/// The one way every size parameter is given: 2M, 2MiB, 2048KB, 1G or a bare number (KiB for page sizes), as
/// a string or a number, alone or in a list. Numbers become text with their unit so the core parser reads
/// them the same way, and its errors (InvalidPageSize, InvalidMemorySize) carry their stable ids.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SizeTransformationAttribute : ArgumentTransformationAttribute
{
    public SizeTransformationAttribute(BareSizeUnit bareNumber = BareSizeUnit.KiB)
    {
        BareNumber = bareNumber;
    }

    public BareSizeUnit BareNumber { get; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject ps ? ps.BaseObject : inputData;
        if (value is null or string)
        {
            return (value as string)?.Trim();
        }
        if (value is IEnumerable list)
        {
            var items = new List<object?>();
            foreach (var item in list)
            {
                items.Add(Transform(engineIntrinsics, item));
            }
            return items.ToArray();
        }
        if (value is byte or sbyte or short or ushort or int or uint or long or ulong)
        {
            // PowerShell reads 2048KB on a command line as the number 2097152 but keeps the text it was
            // written as; converting the original argument (not its base object) gets "2048KB" back, which
            // the size parsers read as written. A number from a variable has no text and is a bare number.
            string text = LanguagePrimitives.ConvertTo<string>(inputData);
            bool bare = text.Length > 0 && char.IsDigit(text[^1]);
            return bare && BareNumber == BareSizeUnit.KiB ? text + "K" : text;
        }
        return value;
    }
}
