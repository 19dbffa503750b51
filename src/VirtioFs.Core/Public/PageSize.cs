// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using VirtioFs.Errors;

namespace VirtioFs.HugePages;

/// <summary>
/// Turns what admins type (2M, 2MB, 2MiB, 2048K, 2048kB, 1G, 1GiB, or a bare number of KiB, as in the
/// kernel's own <c>hugepages-2048kB</c> names) into KiB. Units are binary throughout because page
/// sizes are powers of two and "2MB" for a hugepage always means 2 MiB.
/// </summary>
public static class PageSize
{
    private static readonly Regex s_pattern = new(
        @"^\s*(?<n>\d+)\s*(?<u>k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Parses a size without checking it against the kernel.</summary>
    public static long ParseKiB(string text)
    {
        var m = s_pattern.Match(text ?? string.Empty);
        if (!m.Success || !long.TryParse(m.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            throw new VirtioFsException(ErrorIds.InvalidPageSize, VirtioFsErrorKind.InvalidArgument,
                $"'{text}' is not a page size. Use a number with a unit such as 2M, 2MiB, 2048KB or 1G (a bare number is KiB).",
                text, "Give the page size as 2M or 1G, or as KiB such as 2048.");
        }
        var unit = m.Groups["u"].Success ? char.ToLowerInvariant(m.Groups["u"].Value[0]) : 'k';
        long factor = unit switch { 'k' => 1, 'm' => 1024, 'g' => 1024 * 1024, _ => 1024L * 1024 * 1024 };
        try
        {
            return checked(n * factor);
        }
        catch (OverflowException)
        {
            throw new VirtioFsException(ErrorIds.InvalidPageSize, VirtioFsErrorKind.InvalidArgument,
                $"'{text}' is too large to be a page size.", text);
        }
    }

    /// <summary>Parses a size and insists the kernel offers it.</summary>
    public static long ParseOffered(string text, IReadOnlyCollection<long> offeredKiB)
    {
        var kib = ParseKiB(text);
        if (!offeredKiB.Contains(kib))
        {
            var list = offeredKiB.Count == 0 ? "none" : string.Join(", ", offeredKiB.OrderBy(x => x).Select(Format));
            throw new VirtioFsException(ErrorIds.PageSizeNotOffered, VirtioFsErrorKind.InvalidArgument,
                $"The kernel does not offer {Format(kib)} hugepages ('{text}'). Offered page sizes: {list}.",
                text, $"Use one of: {list}.");
        }
        return kib;
    }

    /// <summary>Short human form: 2MiB, 1GiB, 64KiB.</summary>
    public static string Format(long kib)
    {
        if (kib % (1024 * 1024) == 0)
        {
            return (kib / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "GiB";
        }
        if (kib % 1024 == 0)
        {
            return (kib / 1024).ToString(CultureInfo.InvariantCulture) + "MiB";
        }
        return kib.ToString(CultureInfo.InvariantCulture) + "KiB";
    }

    /// <summary>Kernel command-line / mount-option form: 2M, 1G, 64K.</summary>
    public static string FormatKernel(long kib)
    {
        if (kib % (1024 * 1024) == 0)
        {
            return (kib / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "G";
        }
        if (kib % 1024 == 0)
        {
            return (kib / 1024).ToString(CultureInfo.InvariantCulture) + "M";
        }
        return kib.ToString(CultureInfo.InvariantCulture) + "K";
    }
}
