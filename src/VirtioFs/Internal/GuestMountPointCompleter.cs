// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using VirtioFs.Guest;

namespace VirtioFs.Internal;

/// <summary>
/// Tab completion of -MountPoint from the virtio-fs mounts the running guest of -Domain has now, asked through
/// its agent (with -Tag given, only that share's). A guest without an agent simply gives no suggestions.
/// </summary>
public sealed class GuestMountPointCompleter : IArgumentCompleter
{
    /// <summary>Completion must answer quickly: a guest that does not answer at once gives nothing.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters["Domain"] is not string { Length: > 0 } domain)
        {
            return Array.Empty<CompletionResult>();
        }
        string? tag = fakeBoundParameters["Tag"] as string;
        var pattern = CompletionSupport.Pattern(wordToComplete);
        try
        {
            using var conn = CompletionSupport.OpenConnection(fakeBoundParameters);
            var session = GuestSession.Open(new LibvirtGuestDomain(conn, domain), Wait, CancellationToken.None);
            session.Connect(null);
            if (session.Os.IsWindows)
            {
                return Array.Empty<CompletionResult>();
            }
            return new LinuxGuest(session).Mounts()
                .Where(m => m.FileSystemType == "virtiofs" && (string.IsNullOrEmpty(tag) || m.Source == tag))
                .Select(m => m.MountPoint).Where(pattern.IsMatch).Distinct(StringComparer.Ordinal).OrderBy(p => p, StringComparer.Ordinal)
                .Select(CompletionSupport.Result).ToList();
        }
        catch (Exception)
        {
            // Completion must never throw at the user.
            return Array.Empty<CompletionResult>();
        }
    }
}
