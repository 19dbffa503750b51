// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Libvirt;

/// <summary>
/// A failed virDomainQemuAgentCommand: libvirt's virErrorNumber and message. Internal only; the guest
/// agent layer maps it to an ErrorIds error, because only it knows what the command was for.
/// </summary>
internal sealed class AgentCallException : Exception
{
    // virErrorNumber values the agent path returns (libvirt 9.0, measured: /work/notes/issue12-findings.md §6).
    public const int InternalError = 1;            // the agent ran the command and it failed: "unable to execute QEMU agent command '<cmd>': <desc>"
    public const int OperationInvalid = 55;        // "Requested operation is not valid: domain is not running"
    public const int OperationTimeout = 68;        // another caller holds the domain's agent job for 30 s
    public const int ArgumentUnsupported = 74;     // "argument unsupported: QEMU guest agent is not configured" (no channel)
    public const int AgentUnresponsive = 86;       // "Guest agent is not responding: QEMU guest agent is not connected" / "... not available for now"

    public AgentCallException(int code, string message)
        : base(message)
    {
        Code = code;
    }

    public int Code { get; }

    /// <summary>For code 1: the agent's own description after "unable to execute QEMU agent command '&lt;cmd&gt;': ".</summary>
    public string AgentDescription
    {
        get
        {
            const string marker = "unable to execute QEMU agent command '";
            int i = Message.IndexOf(marker, StringComparison.Ordinal);
            if (i < 0)
            {
                return Message;
            }
            int end = Message.IndexOf("': ", i + marker.Length, StringComparison.Ordinal);
            return end < 0 ? Message : Message[(end + 3)..];
        }
    }
}
