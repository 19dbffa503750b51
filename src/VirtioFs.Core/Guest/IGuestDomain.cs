// SPDX-License-Identifier: MIT
namespace VirtioFs.Guest;

/// <summary>
/// What the guest cmdlets need from a running domain: its state, its live and persistent XML, and its
/// QEMU guest agent. libvirt gives it (LibvirtGuestDomain); tests give a faithful fake of the agent's JSON.
/// </summary>
internal interface IGuestDomain
{
    /// <summary>The domain's name, for messages and output.</summary>
    string Name { get; }

    /// <summary>The libvirt URI as the user gave it.</summary>
    string ConnectionUri { get; }

    bool IsActive();

    /// <summary>The running guest's definition: hot-plugged shares, the agent channel and its state.</summary>
    string LiveXml();

    /// <summary>The persistent definition, to tell a share that waits for the next boot from none at all.</summary>
    string InactiveXml();

    /// <summary>One agent command (JSON) and its reply (JSON); failures are Libvirt.AgentCallException.</summary>
    string AgentCommand(string json, int timeoutSeconds);
}
