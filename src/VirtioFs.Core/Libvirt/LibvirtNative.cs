// SPDX-License-Identifier: MIT
using System;
using System.Runtime.InteropServices;

namespace VirtioFs.Libvirt;

/// <summary>
/// The part of libvirt's C API (libvirt.so.0) we use. Talking to the library rather than running
/// virsh gives us real error codes, one define per change, and works for remote URIs the same way.
/// </summary>
internal static partial class LibvirtNative
{
    private const string Lib = "libvirt.so.0";

    public const uint DomainXmlSecure = 1;     // VIR_DOMAIN_XML_SECURE: keep passwords when redefining
    public const uint DomainXmlInactive = 2;   // VIR_DOMAIN_XML_INACTIVE: the persistent definition
    public const uint DefineValidate = 1;      // VIR_DOMAIN_DEFINE_VALIDATE: check against the schema
    public const uint AffectLive = 1;          // VIR_DOMAIN_AFFECT_LIVE
    public const int ErrNoDomain = 42;         // VIR_ERR_NO_DOMAIN

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virConnectOpenAuth(string? name, IntPtr auth, uint flags);

    [LibraryImport(Lib)]
    public static partial int virConnectClose(IntPtr conn);

    [LibraryImport(Lib)]
    public static partial int virConnectGetLibVersion(IntPtr conn, out ulong libVer);

    [LibraryImport(Lib)]
    public static partial IntPtr virConnectGetURI(IntPtr conn);

    [LibraryImport(Lib)]
    public static partial int virConnectGetVersion(IntPtr conn, out ulong hvVer);

    /// <summary>Client library version; typeVer may be null (IntPtr.Zero).</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int virGetVersion(out ulong libVer, string? type, IntPtr typeVer);

    /// <summary>Returns XML the caller frees; every string may be null for the connection's default.</summary>
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virConnectGetDomainCapabilities(IntPtr conn, string? emulatorbin, string? arch, string? machine, string? virttype, uint flags);

    [LibraryImport(Lib)]
    public static partial int virConnectListAllDomains(IntPtr conn, out IntPtr domains, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainLookupByName(IntPtr conn, string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainLookupByUUIDString(IntPtr conn, string uuid);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virDomainDefineXMLFlags(IntPtr conn, string xml, uint flags);

    [LibraryImport(Lib)]
    public static partial IntPtr virDomainGetXMLDesc(IntPtr domain, uint flags);

    [LibraryImport(Lib)]
    public static partial IntPtr virDomainGetName(IntPtr domain);

    [LibraryImport(Lib)]
    public static partial int virDomainIsActive(IntPtr domain);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int virDomainAttachDeviceFlags(IntPtr domain, string xml, uint flags);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int virDomainDetachDeviceFlags(IntPtr domain, string xml, uint flags);

    [LibraryImport(Lib)]
    public static partial int virDomainFree(IntPtr domain);

    [LibraryImport(Lib)]
    public static partial IntPtr virGetLastError();

    [LibraryImport(Lib)]
    public static partial void virResetLastError();

    [LibraryImport(Lib)]
    public static unsafe partial void virSetErrorFunc(IntPtr userData, delegate* unmanaged<IntPtr, IntPtr, void> handler);

    [LibraryImport("libc", EntryPoint = "free")]
    public static partial void Free(IntPtr ptr);

    /// <summary>Copies a string libvirt allocated for us and frees it.</summary>
    public static string? TakeString(IntPtr ptr)
    {
        if (ptr == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(ptr);
        }
        finally
        {
            Free(ptr);
        }
    }
}
