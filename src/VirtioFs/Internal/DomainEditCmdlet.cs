// SPDX-License-Identifier: MIT
using System;
using System.Management.Automation;
using VirtioFs.Domain;

namespace VirtioFs.Internal;

/// <summary>
/// Base of the cmdlets that change one domain: New-, Set- and Remove-VirtioFsShare and
/// Enable-VirtioFsSharedMemory. The domain is an XML file (-Path) or a libvirt domain (-Domain,
/// -ConnectionUri); LibvirtCmdlet.Apply shows the diff for -WhatIf/-Confirm and commits.
/// </summary>
public abstract class DomainEditCmdlet : LibvirtCmdlet
{
    /// <summary>The domain XML file to edit (written atomically, previous version kept as .bak).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// The libvirt domain's name or UUID. Not bound from the pipeline: editors take the objects they edit as
    /// -InputObject, which carries its domain, URI or file, so a piped object cannot also name a second domain.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = DomainSet, Position = 0)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = string.Empty;

    /// <summary>
    /// libvirt URIs: the same domain name on each of these hosts, changed at once (see -ThrottleLimit); default
    /// $env:LIBVIRT_DEFAULT_URI, else qemu:///system. Binds ConnectionUri from piped objects (a list of hosts, or
    /// a share of another host to copy); a piped object's empty URI (a share read from a file) means the default.
    /// </summary>
    [Parameter(ParameterSetName = DomainSet, ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[]? ConnectionUri { get; set; }

    /// <summary>The domain an object read from it names: its file, or its domain on its connection.</summary>
    internal IDomainTarget TargetOf(string? path, string domain, string? connectionUri, bool skipSourceCheck) =>
        path is not null ? FileTarget(path, skipSourceCheck) : LibvirtTarget(domain, connectionUri, skipSourceCheck);

    /// <summary>Opens the domain given by -Path, or by -Domain on <paramref name="uri"/> (one host of -ConnectionUri).</summary>
    internal IDomainTarget OpenTarget(string? uri, bool skipSourceCheck) =>
        ParameterSetName == PathSet ? FileTarget(Path, skipSourceCheck) : LibvirtTarget(Domain, uri, skipSourceCheck);

    /// <summary>
    /// Runs <paramref name="work"/> for the file of -Path, or once per host of -ConnectionUri (at once when
    /// several); it gets the host's URI (null for a file or the default URI) and opens its target with
    /// <see cref="OpenTarget"/>.
    /// </summary>
    internal void ForEachTarget(Action<string?> work)
    {
        if (ParameterSetName == PathSet)
        {
            ForInput(() => work(null));
            return;
        }
        ForEachHost(ConnectionUri, work);
    }
}
