// SPDX-License-Identifier: MIT
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Libvirt;

namespace VirtioFs.Internal;

/// <summary>What the argument completers share: matching what was typed, quoting, and resolving paths.</summary>
internal static class CompletionSupport
{
    private static readonly char[] s_needsQuotes = [' ', '\'', '"', '$', '`', '(', ')', ';', ',', '&', '|', '{', '}', '@', '#'];

    /// <summary>Case-insensitive prefix match of what was typed, quotes stripped.</summary>
    public static WildcardPattern Pattern(string? wordToComplete) =>
        new((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);

    /// <summary>The value as it must be typed: single-quoted when PowerShell would split or expand it.</summary>
    public static string Quote(string value) =>
        value.IndexOfAny(s_needsQuotes) >= 0 ? "'" + value.Replace("'", "''") + "'" : value;

    public static CompletionResult Result(string value) =>
        new(Quote(value), value, CompletionResultType.ParameterValue, value);

    /// <summary>A path as the cmdlets resolve it: relative to the PowerShell location, not the process's directory.</summary>
    public static string ResolveAgainstLocation(string path)
    {
        string? here = FileSystemLocation();
        return here is null ? Path.GetFullPath(path) : Path.GetFullPath(path, here);
    }

    /// <summary>
    /// The session's file-system location. Completion runs inside a pipeline, where the runspace's
    /// SessionStateProxy refuses calls, so ask through a nested command on the same runspace.
    /// </summary>
    private static string? FileSystemLocation()
    {
        using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddCommand("Microsoft.PowerShell.Management\\Get-Location").AddParameter("PSProvider", "FileSystem");
        return ps.Invoke().Select(o => (o.BaseObject as PathInfo)?.ProviderPath).FirstOrDefault();
    }

    /// <summary>
    /// The libvirt connection a completion reads from: the first -ConnectionUri given (each completion opens one,
    /// and over ssh that takes a while), else the default URI.
    /// </summary>
    public static LibvirtConnection OpenConnection(IDictionary boundParameters) =>
        LibvirtConnection.Open(LibvirtCmdlet.EffectiveUri(First(boundParameters["ConnectionUri"])));

    /// <summary>-Path, -Domain and -ConnectionUri take arrays; completion uses the first value given.</summary>
    public static string? First(object? value) => value switch
    {
        string s => s,
        IEnumerable e => e.Cast<object?>().Select(o => o?.ToString()).FirstOrDefault(),
        _ => null,
    };
}
