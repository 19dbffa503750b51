// SPDX-License-Identifier: MIT
using System.Globalization;
using System.Linq;
using System.Text;

namespace VirtioFs.Guest;

/// <summary>
/// systemd-escape --path: a mount unit must be named after its mount point, or systemd refuses it
/// ("Where= setting doesn't match unit name").
/// </summary>
internal static class SystemdPathEscape
{
    public static string Escape(string path)
    {
        // path_simplify(): drop duplicate, leading and trailing slashes; "/" itself becomes "-".
        string[] parts = path.Split('/', System.StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (parts.Length == 0)
        {
            return "-";
        }
        string joined = string.Join('/', parts);
        var sb = new StringBuilder();
        byte[] bytes = Encoding.UTF8.GetBytes(joined);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (b == (byte)'/')
            {
                sb.Append('-');
            }
            else if ((i == 0 && b == (byte)'.') || !IsValid(b))
            {
                sb.Append(@"\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.ToString();
    }

    private static bool IsValid(byte b) =>
        (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == ':' || b == '_' || b == '.';
}
