// SPDX-License-Identifier: MIT
using System.Management.Automation;
using VirtioFs.Daemon;
using VirtioFs.Errors;
using VirtioFs.Internal;

namespace VirtioFs.Commands;

/// <summary>Lists the virtiofsd binaries libvirt would consider, in its order, probed for dialect, version and options.</summary>
[Cmdlet(VerbsCommon.Get, "VirtioFsDaemonBinary")]
[OutputType(typeof(VirtioFsDaemonBinary))]
public sealed class GetVirtioFsDaemonBinaryCommand : VirtioFsCmdlet
{
    /// <summary>Probe these executables instead of searching.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("BinaryPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    protected override void ProcessRecord()
    {
        var host = new DaemonHost();
        if (Path.Length > 0)
        {
            foreach (var p in Path)
            {
                try
                {
                    var resolved = ResolveFileSystemPath(p, mustExist: false);
                    WriteObject(DaemonCmdletSupport.Supervisor().ResolveBinary(resolved, CancelToken));
                }
                catch (VirtioFsException e)
                {
                    WriteCoreError(e);
                }
            }
            return;
        }
        var found = new DaemonBinaryLocator(host).Find();
        if (found.Count == 0)
        {
            // Same message as Start-VirtioFsDaemon's, so the fix is stated once.
            try
            {
                DaemonCmdletSupport.Supervisor().ResolveBinary(null, CancelToken);
            }
            catch (VirtioFsException e)
            {
                WriteCoreError(e);
            }
            return;
        }
        foreach (var candidate in found)
        {
            try
            {
                WriteObject(DaemonBinaryProbe.Probe(candidate, CancelToken));
            }
            catch (VirtioFsException e)
            {
                WriteCoreError(e);
            }
        }
    }
}
