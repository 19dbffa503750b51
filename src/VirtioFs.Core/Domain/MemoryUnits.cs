// SPDX-License-Identifier: MIT
using System;
using System.Globalization;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>libvirt's scaled integers: a value with a unit attribute, KiB when the unit is absent.</summary>
internal static class MemoryUnits
{
    public static ulong? ToKiB(XElement? element, string valueAttribute = "")
    {
        if (element is null)
        {
            return null;
        }
        string? text = valueAttribute.Length == 0 ? element.Value : (string?)element.Attribute(valueAttribute);
        if (!ulong.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return null;
        }
        string unit = ((string?)element.Attribute("unit") ?? "KiB").Trim();
        return ToKiB(value, unit);
    }

    public static ulong? ToKiB(ulong value, string unit)
    {
        // Units as libvirt's virScaleInteger understands them: SI with a "B", binary otherwise.
        switch (unit.ToLowerInvariant())
        {
            case "b":
            case "bytes":
                return value / 1024;
            case "k":
            case "kib":
                return value;
            case "kb":
                return value * 1000 / 1024;
            case "m":
            case "mib":
                return value * 1024;
            case "mb":
                return value * 1000 * 1000 / 1024;
            case "g":
            case "gib":
                return value * 1024 * 1024;
            case "gb":
                return value * 1000UL * 1000 * 1000 / 1024;
            case "t":
            case "tib":
                return value * 1024UL * 1024 * 1024;
            case "tb":
                return value * 1000UL * 1000 * 1000 * 1000 / 1024;
            default:
                return null;
        }
    }

    public static string Describe(ulong kib)
    {
        if (kib % (1024 * 1024) == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{kib / (1024 * 1024)} GiB");
        }
        if (kib % 1024 == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{kib / 1024} MiB");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{kib} KiB");
    }

    /// <summary>Is <paramref name="value"/> a power of two (and not zero)?</summary>
    public static bool IsPowerOfTwo(long value) => value > 0 && (value & (value - 1)) == 0;

    public static string OnOff(bool value) => value ? "on" : "off";

    public static bool? ParseOnOff(string? value) => value switch
    {
        "on" or "yes" => true,
        "off" or "no" => false,
        _ => null,
    };

    public static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null;

    public static long? ParseLong(string? value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long i) ? i : null;

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static StringComparison Ordinal => StringComparison.Ordinal;
}
