// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Globalization;
using VirtioFs.Errors;

namespace VirtioFs;

/// <summary>
/// One &lt;idmap&gt; range: guest IDs <see cref="Start"/>.. map to host IDs <see cref="Target"/>..
/// for <see cref="Count"/> IDs. Written "start:target:count" (e.g. 0:100000:65536).
/// </summary>
public sealed class VirtioFsIdMapEntry : IEquatable<VirtioFsIdMapEntry>
{
    public VirtioFsIdMapEntry(uint start, uint target, uint count)
    {
        Start = start;
        Target = target;
        Count = count;
    }

    /// <summary>
    /// From a dictionary with Start, Target and Count (any case); PowerShell uses this constructor to
    /// turn <c>@{ Start = 0; Target = 100000; Count = 65536 }</c> into an entry.
    /// </summary>
    public VirtioFsIdMapEntry(IDictionary values)
    {
        ArgumentNullException.ThrowIfNull(values);
        uint? start = null, target = null, count = null;
        bool unknownKey = false;
        foreach (DictionaryEntry e in values)
        {
            switch (Convert.ToString(e.Key, CultureInfo.InvariantCulture)?.ToUpperInvariant())
            {
                case "START": start = ToUInt(e.Value); break;
                case "TARGET": target = ToUInt(e.Value); break;
                case "COUNT": count = ToUInt(e.Value); break;
                default: unknownKey = true; break;
            }
        }
        if (unknownKey || start is null || target is null || count is not > 0)
        {
            throw new VirtioFsException(ErrorIds.InvalidIdMap, VirtioFsErrorKind.InvalidArgument,
                "An ID map needs exactly the keys Start, Target and Count, as non-negative whole numbers, Count > 0 (e.g. @{ Start = 0; Target = 100000; Count = 65536 }).",
                values, "Or write it as start:target:count, e.g. 0:100000:65536.");
        }
        Start = start.Value;
        Target = target.Value;
        Count = count.Value;
    }

    public uint Start { get; }

    public uint Target { get; }

    public uint Count { get; }

    /// <summary>Parses "start:target:count"; PowerShell uses this to turn strings into entries.</summary>
    public static VirtioFsIdMapEntry Parse(string text)
    {
        var parts = (text ?? string.Empty).Split(':');
        if (parts.Length == 3
            && uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint start)
            && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint target)
            && uint.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint count)
            && count > 0)
        {
            return new VirtioFsIdMapEntry(start, target, count);
        }
        throw new VirtioFsException(ErrorIds.InvalidIdMap, VirtioFsErrorKind.InvalidArgument,
            $"'{text}' is not an ID map. Write it as start:target:count, e.g. 0:100000:65536 (count > 0).", text,
            "Use guest-start:host-start:count, as in /etc/subuid ranges.");
    }

    private static uint? ToUInt(object? value)
    {
        try
        {
            return value is null ? null : Convert.ToUInt32(value, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or OverflowException or InvalidCastException)
        {
            return null;
        }
    }

    public bool Equals(VirtioFsIdMapEntry? other) =>
        other is not null && other.Start == Start && other.Target == Target && other.Count == Count;

    public override bool Equals(object? obj) => Equals(obj as VirtioFsIdMapEntry);

    public override int GetHashCode() => HashCode.Combine(Start, Target, Count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}:{Target}:{Count}");
}
