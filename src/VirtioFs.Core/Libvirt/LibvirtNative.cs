// SPDX-License-Identifier: MIT
using System;
using System.Runtime.InteropServices;
using VirtioFs.Platform;

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
    public const int ErrOperationFailed = 9;   // VIR_ERR_OPERATION_FAILED: virNodeAllocPages got fewer pages than asked
    public const int ErrOperationDenied = 29;  // VIR_ERR_OPERATION_DENIED: e.g. a read-only connection (55 is OPERATION_INVALID)
    public const int ErrAuthFailed = 45;       // VIR_ERR_AUTH_FAILED
    // virNodeAllocPagesFlags in libvirt-host.h: VIR_NODE_ALLOC_PAGES_ADD = 0, VIR_NODE_ALLOC_PAGES_SET = (1 << 0).
    // (Not 1/2: libvirtd answers 2 with "unsupported flags (0x2) in function qemuNodeAllocPages".)
    public const uint NodeAllocPagesSet = 1;   // absolute count; ADD (0) would be relative

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr virConnectOpenAuth(string? name, IntPtr auth, uint flags);

    [LibraryImport(Lib)]
    public static partial int virConnectClose(IntPtr conn);

    [LibraryImport(Lib)]
    public static partial int virConnectGetLibVersion(IntPtr conn, out ulong libVer);

    [LibraryImport(Lib)]
    public static partial IntPtr virConnectGetURI(IntPtr conn);

    /// <summary>char *virConnectGetCapabilities(virConnectPtr conn): the host's NUMA cells and page pools.</summary>
    [LibraryImport(Lib)]
    public static partial IntPtr virConnectGetCapabilities(IntPtr conn);

    /// <summary>
    /// int virNodeGetFreePages(virConnectPtr conn, unsigned int npages, unsigned int *pages, int startCell,
    /// unsigned int cellCount, unsigned long long *counts, unsigned int flags): free pages of each size
    /// (KiB) on cells startCell..startCell+cellCount-1, counts[cell * npages + i]; returns entries filled or -1.
    /// </summary>
    [LibraryImport(Lib)]
    public static partial int virNodeGetFreePages(IntPtr conn, uint npages, [In] uint[] pages, int startCell,
        uint cellCount, [Out] ulong[] counts, uint flags);

    /// <summary>
    /// int virNodeAllocPages(virConnectPtr conn, unsigned int npages, unsigned int *pageSizes,
    /// unsigned long long *pageCounts, int startCell, unsigned int cellCount, unsigned int flags):
    /// resizes the pools (startCell -1: host-wide). Returns -1 when the kernel gave fewer pages than
    /// asked, leaving the partial allocation in place.
    /// </summary>
    [LibraryImport(Lib)]
    public static partial int virNodeAllocPages(IntPtr conn, uint npages, [In] uint[] pageSizes, [In] ulong[] pageCounts,
        int startCell, uint cellCount, uint flags);

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

    /// <summary>int virDomainGetUUIDString(virDomainPtr domain, char *buf): buf holds VIR_UUID_STRING_BUFLEN (37) bytes.</summary>
    [LibraryImport(Lib)]
    public static partial int virDomainGetUUIDString(IntPtr domain, [Out] byte[] buf);

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
            LibC.Free(ptr);
        }
    }
}
