// SPDX-License-Identifier: MIT
using System.Management.Automation;

namespace VirtioFs.Internal;

/// <summary>
/// The one domain that New-, Set- and Remove-VirtioFsShare change: a domain XML file (-Path) or a
/// libvirt domain (-Domain, -ConnectionUri).
/// </summary>
public abstract class DomainEditCmdlet : DomainCmdlet
{
    /// <summary>The domain XML file to edit (written atomically, previous version kept as .bak).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The libvirt domain's name or UUID.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DomainSet, Position = 0)]
    [ArgumentCompleter(typeof(DomainNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Domain { get; set; } = string.Empty;

    /// <summary>libvirt URI; default $env:LIBVIRT_DEFAULT_URI, else qemu:///system.</summary>
    [Parameter(ParameterSetName = DomainSet)]
    [ValidateNotNullOrEmpty]
    public string? ConnectionUri { get; set; }
}
