// SPDX-License-Identifier: MIT
namespace VirtioFs;

/// <summary>What Resolve-VirtioFsError makes of one error text: the catalogue entry it matched, or that none did.</summary>
public sealed class VirtioFsErrorExplanation
{
    internal VirtioFsErrorExplanation(string? id, bool known, string? match, string? source, string cause, string fix,
        string? reference, string message)
    {
        Id = id;
        Known = known;
        Match = match;
        Source = source;
        Cause = cause;
        Fix = fix;
        Reference = reference;
        Message = message;
    }

    /// <summary>Catalogue entry id, e.g. <c>TagTooLong</c>; null when the text is unknown.</summary>
    public string? Id { get; }

    /// <summary>True when a catalogue entry matched.</summary>
    public bool Known { get; }

    /// <summary>The part of the text that matched the entry (or the error id it carried).</summary>
    public string? Match { get; }

    /// <summary>Who prints this error: libvirt, QEMU, virtiofsd, guest kernel, VirtioFs.</summary>
    public string? Source { get; }

    public string Cause { get; }

    public string Fix { get; }

    /// <summary>Where the behaviour is documented or was reported.</summary>
    public string? Reference { get; }

    /// <summary>The text that was looked up.</summary>
    public string Message { get; }

    public override string ToString() => Known ? $"{Id}: {Fix}" : Cause;
}
