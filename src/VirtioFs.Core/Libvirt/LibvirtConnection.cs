// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using VirtioFs.Errors;
using VirtioFs.Platform;

namespace VirtioFs.Libvirt;

/// <summary>An open connection to libvirt (local or remote URI).</summary>
internal sealed class LibvirtConnection : IDisposable
{
    private static int s_initialised;
    private IntPtr _conn;
    private LibvirtStack? _stack;

    private LibvirtConnection(IntPtr conn, string uri)
    {
        _conn = conn;
        Uri = uri;
    }

    public string Uri { get; }

    /// <summary>The URI as libvirt reports it (virConnectGetURI), so that two spellings of one connection agree.</summary>
    public string CanonicalUri => LibvirtNative.TakeString(LibvirtNative.virConnectGetURI(Handle)) ?? Uri;

    internal IntPtr Handle => _conn != IntPtr.Zero ? _conn : throw new ObjectDisposedException(nameof(LibvirtConnection));

    /// <summary>The URI as given, taken apart.</summary>
    public LibvirtUri ParsedUri => LibvirtUri.Parse(Uri);

    /// <summary>True when the connection's libvirt runs on this machine (see LibvirtUri.IsThisHost).</summary>
    public bool IsLocal => IsLocalUri(Uri);

    public static bool IsLocalUri(string uri) => LibvirtUri.Parse(uri).IsThisHost;

    /// <summary>What the libvirt behind this connection runs and sees (gathered once per connection).</summary>
    public LibvirtStack Stack => _stack ??= LibvirtStack.Of(this);

    public static LibvirtConnection Open(string uri)
    {
        EnsureInitialised();
        var parsed = LibvirtUri.Parse(uri);
        // No auth callback: libvirt's default one prompts on the terminal for passwords and host keys, and
        // with libssh it has been seen to hang for ever after "Too many authentication failures". A runbook
        // must fail at once instead; keys (keyfile=, ssh-agent) are the way to log in.
        IntPtr conn = LibvirtNative.virConnectOpenAuth(parsed.ForLibvirt(), IntPtr.Zero, 0);
        if (conn == IntPtr.Zero)
        {
            var (code, message) = LastError();
            throw ConnectFailure.Classify(parsed, code, message);
        }
        return new LibvirtConnection(conn, uri);
    }

    private Version? _libraryVersion;

    /// <summary>
    /// libvirt's own version, e.g. 9.0.0. Asked once per connection (it is a round trip to the daemon, and every
    /// edit validates against it); a daemon cannot change its version under an open connection.
    /// </summary>
    public Version LibraryVersion
    {
        get
        {
            if (_libraryVersion is { } known)
            {
                return known;
            }
            if (LibvirtNative.virConnectGetLibVersion(Handle, out ulong v) < 0)
            {
                throw Failure(ErrorIds.LibvirtQueryFailed, VirtioFsErrorKind.InvalidResult, "Cannot read the libvirt version", Uri);
            }
            return _libraryVersion = new Version((int)(v / 1000000), (int)(v / 1000 % 1000), (int)(v % 1000));
        }
    }

    /// <summary>The hypervisor's version as libvirt reports it (QEMU 7.2.0); null when the driver does not say.</summary>
    public Version? HypervisorVersion
    {
        get
        {
            if (LibvirtNative.virConnectGetVersion(Handle, out ulong v) < 0 || v == 0)
            {
                LibvirtNative.virResetLastError();
                return null;
            }
            return FromLibvirtNumber(v);
        }
    }

    /// <summary>
    /// virConnectGetDomainCapabilities: what this host's libvirt and QEMU can give a domain (filesystem driver
    /// types, memory backing source types). Null arguments take the connection's defaults.
    /// </summary>
    public string GetDomainCapabilities(string? emulator, string? arch, string? machine, string? virtType)
    {
        string? xml = LibvirtNative.TakeString(LibvirtNative.virConnectGetDomainCapabilities(Handle, emulator, arch, machine, virtType, 0));
        if (xml is null)
        {
            throw Failure(ErrorIds.DomainCapabilitiesFailed, VirtioFsErrorKind.InvalidResult, "Cannot read libvirt's domain capabilities", Uri);
        }
        return xml;
    }

    /// <summary>The version of the libvirt client library loaded here (virGetVersion), without a connection.</summary>
    public static Version ClientLibraryVersion()
    {
        EnsureInitialised();
        if (LibvirtNative.virGetVersion(out ulong v, null, IntPtr.Zero) < 0)
        {
            throw Failure(ErrorIds.LibvirtQueryFailed, VirtioFsErrorKind.InvalidResult, "Cannot read the libvirt library version", "libvirt.so.0");
        }
        return FromLibvirtNumber(v);
    }

    internal static Version FromLibvirtNumber(ulong v) => new((int)(v / 1000000), (int)(v / 1000 % 1000), (int)(v % 1000));

    /// <summary>Finds a domain by name or UUID.</summary>
    public LibvirtDomain LookupDomain(string nameOrUuid)
    {
        IntPtr dom = LibvirtNative.virDomainLookupByName(Handle, nameOrUuid);
        if (dom == IntPtr.Zero && Guid.TryParse(nameOrUuid, out _))
        {
            LibvirtNative.virResetLastError();
            dom = LibvirtNative.virDomainLookupByUUIDString(Handle, nameOrUuid);
        }
        if (dom == IntPtr.Zero)
        {
            throw LookupFailed(nameOrUuid);
        }
        return new LibvirtDomain(this, dom);
    }

    private VirtioFsException LookupFailed(string nameOrUuid)
    {
        var (code, message) = LastError();
        if (code == LibvirtNative.ErrNoDomain)
        {
            return new VirtioFsException(ErrorIds.DomainNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"No domain named or with UUID '{nameOrUuid}' on {Uri}.", nameOrUuid,
                $"List the domains with 'virsh -c {Uri} list --all'; names are case-sensitive.");
        }
        return new VirtioFsException(ErrorIds.DomainLookupFailed, VirtioFsErrorKind.InvalidResult,
            $"Cannot look up domain '{nameOrUuid}' on {Uri}: {message}", nameOrUuid);
    }

    /// <summary>
    /// Finds a domain by the UUID read from one of its handles. LookupDomain would first ask for a domain named like
    /// the UUID, a round trip that fails.
    /// </summary>
    public LibvirtDomain LookupDomainByUuid(string uuid)
    {
        IntPtr dom = LibvirtNative.virDomainLookupByUUIDString(Handle, uuid);
        if (dom == IntPtr.Zero)
        {
            throw LookupFailed(uuid);
        }
        return new LibvirtDomain(this, dom);
    }

    /// <summary>All domains, running or not.</summary>
    public IReadOnlyList<LibvirtDomain> ListDomains()
    {
        int n = LibvirtNative.virConnectListAllDomains(Handle, out IntPtr array, 0);
        if (n < 0)
        {
            throw Failure(ErrorIds.DomainListFailed, VirtioFsErrorKind.InvalidResult, "Cannot list the domains", Uri);
        }
        var list = new List<LibvirtDomain>(n);
        try
        {
            for (int i = 0; i < n; i++)
            {
                list.Add(new LibvirtDomain(this, Marshal.ReadIntPtr(array, i * IntPtr.Size)));
            }
        }
        finally
        {
            LibC.Free(array);
        }
        return list;
    }

    /// <summary>Defines (creates or replaces) a persistent domain, validated against libvirt's schema.</summary>
    public void Define(string xml, string domainName)
    {
        IntPtr dom = LibvirtNative.virDomainDefineXMLFlags(Handle, xml, LibvirtNative.DefineValidate);
        if (dom == IntPtr.Zero)
        {
            var (_, message) = LastError();
            throw new VirtioFsException(ErrorIds.LibvirtDefineFailed, VirtioFsErrorKind.InvalidData,
                $"libvirt refused the new definition of domain '{domainName}': {message}", domainName,
                "Nothing was changed. Check the option against this libvirt's version (Get-Help about_VirtioFs).");
        }
        LibvirtNative.virDomainFree(dom);
    }

    /// <summary>The host's capabilities XML (virConnectGetCapabilities); libvirt re-reads the page pools on every call.</summary>
    public string GetCapabilities()
    {
        return LibvirtNative.TakeString(LibvirtNative.virConnectGetCapabilities(Handle))
            ?? throw Failure(ErrorIds.LibvirtQueryFailed, VirtioFsErrorKind.InvalidResult, $"Cannot read the capabilities of {Uri}", Uri);
    }

    /// <summary>Free pages of each size on one NUMA cell (virNodeGetFreePages), in the order of <paramref name="pageSizesKiB"/>.</summary>
    public ulong[] GetFreePages(uint[] pageSizesKiB, int cell)
    {
        var counts = new ulong[pageSizesKiB.Length];
        int n = LibvirtNative.virNodeGetFreePages(Handle, (uint)pageSizesKiB.Length, pageSizesKiB, cell, 1, counts, 0);
        if (n < 0)
        {
            throw Failure(ErrorIds.HugePageQueryFailed, VirtioFsErrorKind.InvalidResult, $"Cannot read the free hugepages of NUMA cell {cell} on {Uri}", Uri);
        }
        return counts;
    }

    /// <summary>
    /// Sets one pool to an absolute count (virNodeAllocPages, VIR_NODE_ALLOC_PAGES_SET); cell -1 is
    /// host-wide. Returns false when libvirt says the kernel gave fewer pages than asked (the partial
    /// pool stays; the caller reads back and decides); other failures throw.
    /// </summary>
    public bool AllocPages(uint pageSizeKiB, ulong count, int cell)
    {
        int r = LibvirtNative.virNodeAllocPages(Handle, 1, [pageSizeKiB], [count], cell, 1, LibvirtNative.NodeAllocPagesSet);
        if (r >= 0)
        {
            return true;
        }
        var (code, message) = LastError();
        if (code == LibvirtNative.ErrOperationFailed)
        {
            return false;
        }
        var kind = code is LibvirtNative.ErrOperationDenied or LibvirtNative.ErrAuthFailed ? VirtioFsErrorKind.PermissionDenied : VirtioFsErrorKind.WriteError;
        throw new VirtioFsException(kind == VirtioFsErrorKind.PermissionDenied ? ErrorIds.HugePagePermissionDenied : ErrorIds.HugePageWriteFailed, kind,
            $"libvirt at {Uri} refused to set the {pageSizeKiB} KiB pool{(cell < 0 ? string.Empty : $" of NUMA cell {cell}")} to {count} pages: {message}",
            Uri, kind == VirtioFsErrorKind.PermissionDenied ? "Use a read-write connection as root (or a user libvirt's polkit/ACL lets manage the node)." : null);
    }

    internal static VirtioFsException Failure(string id, VirtioFsErrorKind kind, string what, object? target)
    {
        var (_, message) = LastError();
        return new VirtioFsException(id, kind, $"{what}: {message}", target);
    }

    /// <summary>The calling thread's last libvirt error (virErrorPtr: int code; int domain; char *message; ...).</summary>
    internal static (int Code, string Message) LastError()
    {
        IntPtr err = LibvirtNative.virGetLastError();
        if (err == IntPtr.Zero)
        {
            return (0, "unknown libvirt error");
        }
        int code = Marshal.ReadInt32(err, 0);
        IntPtr msg = Marshal.ReadIntPtr(err, 8);
        string text = msg == IntPtr.Zero ? $"libvirt error {code}" : Marshal.PtrToStringUTF8(msg) ?? $"libvirt error {code}";
        LibvirtNative.virResetLastError();
        return (code, text);
    }

    public void Dispose()
    {
        if (_conn != IntPtr.Zero)
        {
            LibvirtNative.virConnectClose(_conn);
            _conn = IntPtr.Zero;
        }
    }

    private static unsafe void EnsureInitialised()
    {
        if (Interlocked.Exchange(ref s_initialised, 1) == 1)
        {
            return;
        }
        try
        {
            // libvirt prints every error to stderr by default; we report them as ErrorRecords instead.
            LibvirtNative.virSetErrorFunc(IntPtr.Zero, &IgnoreError);
        }
        catch (DllNotFoundException e)
        {
            Interlocked.Exchange(ref s_initialised, 0);
            throw new VirtioFsException(ErrorIds.LibvirtNotInstalled, VirtioFsErrorKind.NotInstalled,
                "libvirt's client library (libvirt.so.0) is not installed.", "libvirt.so.0",
                "Install it: apt-get install libvirt0 (Debian/Ubuntu) or dnf install libvirt-libs (Fedora/RHEL).", e);
        }
    }

    [UnmanagedCallersOnly]
    private static void IgnoreError(IntPtr userData, IntPtr error)
    {
    }
}
