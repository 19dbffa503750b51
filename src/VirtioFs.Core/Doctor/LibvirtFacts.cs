// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Libvirt;

namespace VirtioFs.Doctor;

/// <summary>A defined domain as the host checks need it.</summary>
internal sealed record DomainMemory(string Name, ulong MemoryKiB, VirtioFsSharedMemoryBacking Backing);

/// <summary>What libvirt says about itself, gathered once so the host checks are pure (and testable with fakes).</summary>
internal sealed class LibvirtFacts
{
    public string Uri { get; init; } = "qemu:///system";
    public Version? ClientVersion { get; init; }
    public string? ClientError { get; init; }
    public string? ConnectError { get; init; }
    public Version? DaemonVersion { get; init; }
    public Version? HypervisorVersion { get; init; }
    public string? DomainCapabilities { get; init; }
    public string? DomainCapabilitiesError { get; init; }
    public IReadOnlyList<DomainMemory>? Domains { get; init; }

    /// <summary>What that libvirt runs and sees (null when it did not answer).</summary>
    public LibvirtStack? Stack { get; init; }

    /// <summary>The file system that libvirt sees, also when it does not answer; null for another machine.</summary>
    public Platform.HostRoot? Files { get; init; } = Platform.HostRoot.Real;

    /// <summary>Where <see cref="Files"/> comes from ("this host", another mount namespace, another machine).</summary>
    public string FilesDescription { get; init; } = "this host";

    public bool Reachable => ConnectError is null && ClientError is null;

    public static LibvirtFacts Gather(string uri)
    {
        Version client;
        try
        {
            client = LibvirtConnection.ClientLibraryVersion();
        }
        catch (VirtioFsException e)
        {
            return new LibvirtFacts { Uri = uri, ClientError = e.Message, ConnectError = e.Message };
        }
        LibvirtConnection conn;
        try
        {
            conn = LibvirtConnection.Open(uri);
        }
        catch (VirtioFsException e)
        {
            var view = LibvirtStack.Locate(LibvirtUri.Parse(uri));
            return new LibvirtFacts { Uri = uri, ClientVersion = client, ConnectError = e.Message, Files = view.Files, FilesDescription = view.Description };
        }
        using (conn)
        {
            string? caps = null;
            string? capsError = null;
            // Without /dev/kvm the default virt type (kvm) has no capabilities; TCG ('qemu') still works.
            foreach (var virtType in new[] { null, "qemu" })
            {
                try
                {
                    caps = conn.GetDomainCapabilities(null, null, null, virtType);
                    break;
                }
                catch (VirtioFsException e)
                {
                    capsError ??= e.Message;
                }
            }
            var domains = new List<DomainMemory>();
            try
            {
                foreach (var d in conn.ListDomains())
                {
                    using (d)
                    {
                        var doc = DomainDocument.Parse(d.GetInactiveXml(), d.Name);
                        domains.Add(new DomainMemory(d.Name, doc.MemoryKiB ?? 0,
                            SharedMemoryInspector.BackingOf(doc.Root.Element("memoryBacking"))));
                    }
                }
            }
            catch (VirtioFsException)
            {
                domains = null!;
            }
            var stack = conn.Stack;
            return new LibvirtFacts
            {
                Stack = stack,
                Files = stack.Files,
                FilesDescription = stack.FilesDescription,
                Uri = uri,
                ClientVersion = client,
                DaemonVersion = conn.LibraryVersion,
                HypervisorVersion = conn.HypervisorVersion,
                DomainCapabilities = caps,
                DomainCapabilitiesError = caps is null ? capsError : null,
                Domains = domains,
            };
        }
    }
}
