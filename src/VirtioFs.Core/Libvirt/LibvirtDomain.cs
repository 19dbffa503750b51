// SPDX-License-Identifier: MIT
using System;
using System.Runtime.InteropServices;
using VirtioFs.Errors;

namespace VirtioFs.Libvirt;

/// <summary>A libvirt domain handle.</summary>
internal sealed class LibvirtDomain : IDisposable
{
    private readonly LibvirtConnection _connection;
    private IntPtr _dom;

    internal LibvirtDomain(LibvirtConnection connection, IntPtr dom)
    {
        _connection = connection;
        _dom = dom;
        Name = Marshal.PtrToStringUTF8(LibvirtNative.virDomainGetName(dom)) ?? string.Empty;
    }

    public string Name { get; }

    /// <summary>The domain's UUID, which unlike its name cannot change while we work on it.</summary>
    public string Uuid
    {
        get
        {
            var buf = new byte[37];
            if (LibvirtNative.virDomainGetUUIDString(Handle, buf) < 0)
            {
                throw LibvirtConnection.Failure(ErrorIds.DomainLookupFailed, VirtioFsErrorKind.InvalidResult, $"Cannot read the UUID of domain '{Name}'", Name);
            }
            return System.Text.Encoding.ASCII.GetString(buf, 0, 36);
        }
    }

    private IntPtr Handle => _dom != IntPtr.Zero ? _dom : throw new ObjectDisposedException(nameof(LibvirtDomain));

    public bool IsActive
    {
        get
        {
            int r = LibvirtNative.virDomainIsActive(Handle);
            if (r < 0)
            {
                throw LibvirtConnection.Failure(ErrorIds.DomainStateFailed, VirtioFsErrorKind.InvalidResult, $"Cannot read the state of domain '{Name}'", Name);
            }
            return r == 1;
        }
    }

    /// <summary>The persistent definition (with secrets, so redefining it loses nothing).</summary>
    public string GetInactiveXml() => GetXml(LibvirtNative.DomainXmlInactive | LibvirtNative.DomainXmlSecure);

    /// <summary>The running guest's definition.</summary>
    public string GetLiveXml() => GetXml(0);

    public void AttachLive(string deviceXml)
    {
        if (LibvirtNative.virDomainAttachDeviceFlags(Handle, deviceXml, LibvirtNative.AffectLive) < 0)
        {
            throw LibvirtConnection.Failure(ErrorIds.LiveAttachFailed, VirtioFsErrorKind.InvalidOperation, $"Hot-plug into running domain '{Name}' failed", Name);
        }
    }

    public void DetachLive(string deviceXml)
    {
        if (LibvirtNative.virDomainDetachDeviceFlags(Handle, deviceXml, LibvirtNative.AffectLive) < 0)
        {
            throw LibvirtConnection.Failure(ErrorIds.LiveDetachFailed, VirtioFsErrorKind.InvalidOperation, $"Hot-unplug from running domain '{Name}' failed", Name);
        }
    }

    private string GetXml(uint flags)
    {
        string? xml = LibvirtNative.TakeString(LibvirtNative.virDomainGetXMLDesc(Handle, flags));
        if (xml is null)
        {
            throw LibvirtConnection.Failure(ErrorIds.DomainXmlFailed, VirtioFsErrorKind.InvalidResult, $"Cannot read the XML of domain '{Name}' on {_connection.Uri}", Name);
        }
        return xml;
    }

    public void Dispose()
    {
        if (_dom != IntPtr.Zero)
        {
            LibvirtNative.virDomainFree(_dom);
            _dom = IntPtr.Zero;
        }
    }
}
