// SPDX-License-Identifier: MIT
using System.Text;
using System.Text.RegularExpressions;

namespace VirtioFs.Mappings;

/// <summary>
/// The domain part of an assignment: a name, or a pattern with * (any run), ? (one character) and [..]
/// (one of a set), as PowerShell's wildcards and shell globs read them. Case-sensitive, because libvirt's
/// domain names are.
/// </summary>
internal sealed class DomainPattern
{
    private readonly Regex? _regex;

    public DomainPattern(string pattern)
    {
        Text = pattern;
        IsWildcard = pattern.IndexOfAny(['*', '?', '[']) >= 0;
        _regex = IsWildcard ? new Regex(ToRegex(pattern), RegexOptions.CultureInvariant) : null;
    }

    public string Text { get; }

    /// <summary>False for a plain name, which must exist on the host; a pattern may match nothing.</summary>
    public bool IsWildcard { get; }

    public bool Matches(string domain) => _regex?.IsMatch(domain) ?? string.Equals(Text, domain, System.StringComparison.Ordinal);

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            int close = c == '[' ? pattern.IndexOf(']', i + 1) : -1;
            if (c == '*')
            {
                sb.Append(".*");
            }
            else if (c == '?')
            {
                sb.Append('.');
            }
            else if (close > i + 1)
            {
                // [abc], [a-z]: a set of characters; everything inside is literal except the range dash.
                string set = pattern[(i + 1)..close];
                sb.Append('[').Append(Regex.Escape(set).Replace("\\-", "-", System.StringComparison.Ordinal).Replace("]", "\\]", System.StringComparison.Ordinal)).Append(']');
                i = close;
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        return sb.Append('$').ToString();
    }
}
