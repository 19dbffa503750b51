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

    /// <summary>
    /// Sends one command to the domain's QEMU guest agent (virDomainQemuAgentCommand) and returns its JSON
    /// reply; a failure is an <see cref="AgentCallException"/> with libvirt's error code and message, which
    /// the guest agent layer turns into the module's errors (it knows which command was meant).
    /// </summary>
    public string QemuAgentCommand(string json, int timeoutSeconds)
    {
        IntPtr reply;
        try
        {
            reply = LibvirtQemuNative.virDomainQemuAgentCommand(Handle, json, timeoutSeconds, 0);
        }
        catch (DllNotFoundException e)
        {
            throw new VirtioFsException(ErrorIds.LibvirtNotInstalled, VirtioFsErrorKind.NotInstalled,
                "libvirt's QEMU library (libvirt-qemu.so.0), which reaches the guest agent, is not installed.", "libvirt-qemu.so.0",
                "Install it: apt-get install libvirt0 (Debian/Ubuntu; it ships libvirt.so.0 and libvirt-qemu.so.0) or dnf install libvirt-libs (Fedora/RHEL).", e);
        }
        if (reply == IntPtr.Zero)
        {
            var (code, message) = LibvirtConnection.LastError();
            throw new AgentCallException(code, message);
        }
        return LibvirtNative.TakeString(reply) ?? string.Empty;
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
