// SPDX-License-Identifier: MIT
using System;
using System.Globalization;
using System.Linq;
using VirtioFs.Platform;

namespace VirtioFs.HugePages;

/// <summary>Reads one "Key: value kB" figure from /proc/meminfo or a NUMA node's meminfo.</summary>
internal static class MemInfo
{
    /// <summary>The value in KiB, or null when the file or key is missing.</summary>
    public static long? KiB(HostRoot host, string file, string key)
    {
        foreach (var line in host.ReadLines(file))
        {
            // "/proc/meminfo: Key:   123 kB" or node meminfo: "Node 0 Key:   123 kB"
            var idx = line.IndexOf(key + ":", StringComparison.Ordinal);
            if (idx < 0 || (idx > 0 && line[idx - 1] != ' '))
            {
                continue;
            }
            var rest = line[(idx + key.Length + 1)..].Trim();
            var num = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (long.TryParse(num, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return v;
            }
        }
        return null;
    }
}
