// SPDX-License-Identifier: MIT
using System.Linq;
using System.Management.Automation;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Explains libvirt, QEMU, virtiofsd, guest and VirtioFs error texts: cause, fix and reference.</summary>
// The record set is the default so that a piped ErrorRecord binds as one: with the message set first, PowerShell
// turned it into its text and the error id was lost. A piped or positional string still selects the message set.
[Cmdlet(VerbsDiagnostic.Resolve, "VirtioFsError", DefaultParameterSetName = RecordSet)]
[OutputType(typeof(VirtioFsErrorExplanation))]
public sealed class ResolveVirtioFsErrorCommand : VirtioFsCmdlet
{
    private const string MessageSet = "Message";
    private const string RecordSet = "ErrorRecord";
    private const string ListSet = "List";

    /// <summary>Error texts, e.g. copied from virsh or a log; each line is looked up as part of the whole text.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = MessageSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string[] Message { get; set; } = System.Array.Empty<string>();

    /// <summary>PowerShell errors ($Error[0]); the module's own error ids are matched too.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RecordSet, ValueFromPipeline = true)]
    public ErrorRecord[] ErrorRecord { get; set; } = System.Array.Empty<ErrorRecord>();

    /// <summary>Lists the whole catalogue.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ListSet)]
    public SwitchParameter List { get; set; }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case ListSet:
                foreach (var e in ErrorCatalogue.Entries)
                {
                    WriteObject(ErrorCatalogue.Describe(e));
                }
                break;
            case RecordSet:
                foreach (var record in ErrorRecord)
                {
                    var core = record.Exception as VirtioFsException;
                    string text = record.ErrorDetails?.Message is { Length: > 0 } details ? details : record.Exception?.Message ?? record.ToString();
                    WriteObject(ErrorCatalogue.Resolve(text, record.FullyQualifiedErrorId, core?.RecommendedAction ?? record.ErrorDetails?.RecommendedAction), enumerateCollection: true);
                }
                break;
            default:
                foreach (var m in Message)
                {
                    WriteObject(ErrorCatalogue.Resolve(m ?? string.Empty), enumerateCollection: true);
                }
                break;
        }
    }
}
