// SPDX-License-Identifier: MIT
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace VirtioFs.Internal;

/// <summary>
/// What an object piped into New-VirtioFsShare gives the new share: a share to copy, a memory backing to
/// match (a shared-memory state), or nothing but the properties PowerShell binds by name (a daemon's
/// SocketPath, a list of hosts' ConnectionUri). The module's own objects count whether they are live or
/// came back through PowerShell remoting as Deserialized.VirtioFs.* property bags, so a share read on host
/// A can be copied to host B.
/// </summary>
internal sealed class PipedTemplate
{
    private const string Deserialized = "Deserialized.";

    private PipedTemplate(string typeName) => TypeName = typeName;

    /// <summary>The object's type as PowerShell names it (Deserialized.VirtioFs.VirtioFsShare ...).</summary>
    public string TypeName { get; }

    /// <summary>The share to copy, rebuilt from a deserialized one when it came through remoting.</summary>
    public VirtioFsShare? Share { get; private init; }

    /// <summary>From a shared-memory state: the backing the new share's domain should get.</summary>
    public VirtioFsSharedMemoryChoice? Memory { get; private init; }

    /// <summary>From a shared-memory state with hugepages: their size.</summary>
    public ulong? HugePageSizeKiB { get; private init; }

    /// <summary>The computer a remoting command ran on (PSComputerName); its URIs name its own libvirt.</summary>
    public string? ComputerName { get; private init; }

    /// <summary>A share, shared-memory state or daemon of this module.</summary>
    public bool IsModuleObject { get; private init; }

    public static PipedTemplate From(PSObject piped)
    {
        string type = piped.TypeNames.FirstOrDefault() ?? piped.BaseObject.GetType().FullName ?? "object";
        string name = type.StartsWith(Deserialized, StringComparison.Ordinal) ? type[Deserialized.Length..] : type;
        string? computer = piped.Properties["PSComputerName"]?.Value as string;
        return name switch
        {
            "VirtioFs.VirtioFsShare" => new PipedTemplate(type)
            {
                Share = piped.BaseObject as VirtioFsShare ?? Rebuild(piped),
                ComputerName = computer,
                IsModuleObject = true,
            },
            "VirtioFs.VirtioFsSharedMemory" => new PipedTemplate(type)
            {
                Memory = MemoryOf(piped),
                HugePageSizeKiB = HugePageSizeOf(piped),
                ComputerName = computer,
                IsModuleObject = true,
            },
            "VirtioFs.VirtioFsDaemon" => new PipedTemplate(type) { ComputerName = computer, IsModuleObject = true },
            _ => new PipedTemplate(type) { ComputerName = computer },
        };
    }

    /// <summary>
    /// A share from its serialized properties: each settable property of VirtioFsShare that came across, converted
    /// back (enums arrive as strings, ID maps as lists of property bags).
    /// </summary>
    private static VirtioFsShare Rebuild(PSObject piped)
    {
        var share = new VirtioFsShare();
        foreach (var property in typeof(VirtioFsShare).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var setter = property.GetSetMethod(nonPublic: true);
            if (setter is null || piped.Properties[property.Name]?.Value is not { } value)
            {
                continue;
            }
            object? converted = property.PropertyType == typeof(IReadOnlyList<VirtioFsIdMapEntry>)
                ? IdMap(value)
                : LanguagePrimitives.ConvertTo(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture);
            setter.Invoke(share, [converted]);
        }
        return share;
    }

    private static IReadOnlyList<VirtioFsIdMapEntry> IdMap(object value)
    {
        var entries = new List<VirtioFsIdMapEntry>();
        foreach (object? item in LanguagePrimitives.GetEnumerable(value) ?? Array.Empty<object>())
        {
            if (item is null)
            {
                continue;
            }
            var bag = PSObject.AsPSObject(item);
            entries.Add(bag.BaseObject as VirtioFsIdMapEntry ?? new VirtioFsIdMapEntry(new Hashtable
            {
                ["Start"] = bag.Properties["Start"]?.Value,
                ["Target"] = bag.Properties["Target"]?.Value,
                ["Count"] = bag.Properties["Count"]?.Value,
            }));
        }
        return entries;
    }

    /// <summary>The backing to ask for: the same one when it is one New-VirtioFsShare can set, else Auto.</summary>
    private static VirtioFsSharedMemoryChoice MemoryOf(PSObject piped) =>
        Convert.ToString(piped.Properties["Backing"]?.Value, System.Globalization.CultureInfo.InvariantCulture) switch
        {
            nameof(VirtioFsSharedMemoryBacking.Memfd) => VirtioFsSharedMemoryChoice.Memfd,
            nameof(VirtioFsSharedMemoryBacking.File) => VirtioFsSharedMemoryChoice.File,
            nameof(VirtioFsSharedMemoryBacking.HugePages) => VirtioFsSharedMemoryChoice.HugePages,
            _ => VirtioFsSharedMemoryChoice.Auto,
        };

    private static ulong? HugePageSizeOf(PSObject piped)
    {
        var sizes = piped.Properties["HugePageSizes"]?.Value;
        IEnumerable items = sizes is null ? Array.Empty<object>() : LanguagePrimitives.GetEnumerable(sizes) ?? Array.Empty<object>();
        foreach (object? item in items)
        {
            if (item is not null && PSObject.AsPSObject(item).Properties["SizeKiB"]?.Value is { } kib)
            {
                return LanguagePrimitives.ConvertTo<ulong>(kib);
            }
        }
        return null;
    }
}
