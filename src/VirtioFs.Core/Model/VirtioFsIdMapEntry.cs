// SPDX-License-Identifier: MIT
using System;
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
        throw new VirtioFsException("InvalidIdMap", ErrorKind.InvalidArgument,
            $"'{text}' is not an ID map. Write it as start:target:count, e.g. 0:100000:65536 (count > 0).", text,
            "Use guest-start:host-start:count, as in /etc/subuid ranges.");
    }

    public bool Equals(VirtioFsIdMapEntry? other) =>
        other is not null && other.Start == Start && other.Target == Target && other.Count == Count;

    public override bool Equals(object? obj) => Equals(obj as VirtioFsIdMapEntry);

    public override int GetHashCode() => HashCode.Combine(Start, Target, Count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start}:{Target}:{Count}");
}
