// SPDX-License-Identifier: MIT
using System.Collections.Generic;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Mappings;

namespace VirtioFs.Internal;

/// <summary>
/// The share options New- and Set-VirtioFsMapping store in a mapping: the same parameters, with the same
/// names and types, as New-VirtioFsShare's (ShareOptionsCmdlet), read through the one option table
/// (ShareOptions), so every share option works in a mapping. A test compares the two parameter lists.
/// Switches distinguish "not given" from -Xattr:$false, which stores false.
/// </summary>
public abstract class MappingOptionsCmdlet : MappingCmdlet
{
    [Parameter]
    public int? QueueSize { get; set; }

    [Parameter]
    public VirtioFsCacheMode? Cache { get; set; }

    [Parameter]
    public SwitchParameter Xattr { get; set; }

    [Parameter]
    public SwitchParameter PosixLock { get; set; }

    [Parameter]
    public SwitchParameter Flock { get; set; }

    [Parameter]
    public VirtioFsSandboxMode? Sandbox { get; set; }

    [Parameter]
    public int? ThreadPoolSize { get; set; }

    [Parameter]
    public long? OpenFilesMax { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BinaryPath { get; set; }

    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    [Parameter]
    public int? BootOrder { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Alias { get; set; }

    [Parameter]
    public VirtioFsIdMapEntry[]? UidMap { get; set; }

    [Parameter]
    public VirtioFsIdMapEntry[]? GidMap { get; set; }

    [Parameter]
    public SwitchParameter Iommu { get; set; }

    [Parameter]
    public SwitchParameter Ats { get; set; }

    [Parameter]
    public SwitchParameter Packed { get; set; }

    [Parameter]
    public SwitchParameter PagePerVq { get; set; }

    /// <summary>The options given on the command line, as the mapping keeps them; each checked by the option's rule.</summary>
    internal IReadOnlyList<(ShareOption Option, object Value)> GivenOptions()
    {
        var given = new List<(ShareOption, object)>();
        foreach (var option in ShareOptions.Settable)
        {
            if (MyInvocation.BoundParameters.TryGetValue(option.Name, out var value) && value is not null)
            {
                given.Add((option, MappingOptionValues.Normalize(option, value is SwitchParameter s ? s.IsPresent : value)));
            }
        }
        return given;
    }
}
