// SPDX-License-Identifier: MIT
using VirtioFs.Libvirt;

namespace VirtioFs.Guest;

/// <summary>A libvirt domain as the guest cmdlets see it; looked up by UUID on each call, so a rename cannot mix domains.</summary>
internal sealed class LibvirtGuestDomain : IGuestDomain
{
    private readonly LibvirtConnection _connection;
    private readonly string _uuid;

    public LibvirtGuestDomain(LibvirtConnection connection, string nameOrUuid)
    {
        _connection = connection;
        using var dom = connection.LookupDomain(nameOrUuid);
        Name = dom.Name;
        _uuid = dom.Uuid;
    }

    public string Name { get; }

    public string ConnectionUri => _connection.Uri;

    public bool IsActive()
    {
        using var dom = _connection.LookupDomain(_uuid);
        return dom.IsActive;
    }

    public string LiveXml()
    {
        using var dom = _connection.LookupDomain(_uuid);
        return dom.GetLiveXml();
    }

    public string InactiveXml()
    {
        using var dom = _connection.LookupDomain(_uuid);
        return dom.GetInactiveXml();
    }

    public string AgentCommand(string json, int timeoutSeconds)
    {
        using var dom = _connection.LookupDomain(_uuid);
        return dom.QemuAgentCommand(json, timeoutSeconds);
    }
}
