// SPDX-License-Identifier: MIT
using System;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using VirtioFs.Commands;

namespace VirtioFs.Tests.Cmdlets;

/// <summary>Runs the module's cmdlets in-process (PowerShell hosted through Microsoft.PowerShell.SDK).</summary>
internal sealed class PowerShellHost : IDisposable
{
    private readonly PowerShell _ps;

    public PowerShellHost()
    {
        var iss = InitialSessionState.CreateDefault2();
        foreach (var type in typeof(NewVirtioFsShareCommand).Assembly.GetTypes()
                     .Where(t => t.GetCustomAttributes(typeof(CmdletAttribute), false).Length > 0))
        {
            var attr = (CmdletAttribute)type.GetCustomAttributes(typeof(CmdletAttribute), false)[0];
            iss.Commands.Add(new SessionStateCmdletEntry($"{attr.VerbName}-{attr.NounName}", type, null));
        }
        _ps = PowerShell.Create(iss);
    }

    public Collection<PSObject> Run(string script, out ErrorRecord[] errors)
    {
        _ps.Commands.Clear();
        _ps.Streams.ClearStreams();
        _ps.AddScript(script);
        var result = _ps.Invoke();
        errors = _ps.Streams.Error.ToArray();
        return result;
    }

    public void SetVariable(string name, object value) => _ps.Runspace.SessionStateProxy.SetVariable(name, value);

    public string[] Warnings => _ps.Streams.Warning.Select(w => w.Message).ToArray();

    public string[] Information => _ps.Streams.Information.Select(i => i.ToString() ?? string.Empty).ToArray();

    public void Dispose() => _ps.Dispose();
}

/// <summary>A temp folder with copies of the domain fixtures and a real source directory.</summary>
internal sealed class DomainFiles : IDisposable
{
    public DomainFiles()
    {
        Dir = Path.Combine(Path.GetTempPath(), "vfs-cmdlet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        SourceDir = Path.Combine(Dir, "share");
        Directory.CreateDirectory(SourceDir);
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "fixtures", "domains"), "*.xml"))
        {
            File.Copy(f, Path.Combine(Dir, Path.GetFileName(f)));
        }
    }

    public string Dir { get; }

    public string SourceDir { get; }

    public string PathOf(string name) => Path.Combine(Dir, name);

    public byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
