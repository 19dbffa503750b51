// SPDX-License-Identifier: MIT
using System.Globalization;
using System.Text.RegularExpressions;
using VirtioFs.Errors;

namespace VirtioFs.Qemu;

/// <summary>
/// Parses a guest memory size the way people write it: bytes (536870912), QEMU's suffixes (512M, 2G)
/// or IEC units (1GiB, 512MiB). Suffixes are binary, as in QEMU's <c>-m</c>: 1G is 1024 MiB.
/// </summary>
internal static class MemorySize
{
    private static readonly Regex s_size = new(@"^\s*(?<n>\d+)\s*(?<u>[KMGT]?)(?:i?B)?\s*$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    public static ulong ParseBytes(string text)
    {
        var m = s_size.Match(text ?? string.Empty);
        if (!m.Success || !ulong.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
        {
            throw new VirtioFsException(ErrorIds.InvalidMemorySize, VirtioFsErrorKind.InvalidArgument,
                $"The memory size '{text}' is not a size: give bytes or a number with K, M, G or T (binary units), e.g. 512M, 2G, 1GiB.",
                text, "Use the same size as QEMU's -m, e.g. -MemorySize 2G for -m 2G.");
        }
        int shift = m.Groups["u"].Value.ToUpperInvariant() switch
        {
            "K" => 10,
            "M" => 20,
            "G" => 30,
            "T" => 40,
            _ => 0,
        };
        if (n == 0 || (shift > 0 && n > (ulong.MaxValue >> shift)))
        {
            throw new VirtioFsException(ErrorIds.InvalidMemorySize, VirtioFsErrorKind.InvalidArgument,
                $"The memory size '{text}' is out of range.", text, "Give a positive size such as 512M or 4G.");
        }
        return n << shift;
    }
}
