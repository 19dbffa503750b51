// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using VirtioFs.Domain;
using VirtioFs.Errors;
using VirtioFs.Libvirt;
using VirtioFs.Mappings;

namespace VirtioFs.Internal;

/// <summary>
/// Base of Test- and Sync-VirtioFsMapping: which mappings (-Name) on which hosts (-ConnectionUri, else every
/// host the declaration names), gathered from the pipeline and worked through at the end, the hosts at once
/// (at most -ThrottleLimit). A host that fails is one error record with its URI as the target, and the other
/// hosts go on; so does a domain that fails within a host.
/// </summary>
public abstract class MappingStateCmdlet : LibvirtCmdlet
{
    private readonly Dictionary<string, Selection> _byFile = new(StringComparer.Ordinal);

    /// <summary>Only these mappings (wildcards); all of the file's when omitted. Binds Mapping and Name from piped objects.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Mapping")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only these hosts, declared or not (to prune a host the declaration no longer names); default every declared host.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? ConnectionUri { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? MappingPath { get; set; }

    private protected abstract string Activity { get; }

    /// <summary>What the cmdlet does with one domain of a host, given how it compares with the declaration.</summary>
    private protected abstract void OnDomain(MappingHostPlan plan, LibvirtDomainTarget target, string domain, IReadOnlyList<ShareDrift> drift);

    /// <summary>Called once all files and hosts are done.</summary>
    private protected virtual void OnEnd()
    {
    }

    protected override void ProcessRecord()
    {
        ForInput(() =>
        {
            string file = MappingFileOf(MappingPath);
            if (!_byFile.TryGetValue(file, out var selection))
            {
                _byFile[file] = selection = new Selection();
            }
            if (Name is null)
            {
                selection.AllMappings = true;
            }
            else
            {
                selection.Names.AddRange(Name);
            }
            selection.Uris.AddRange(ConnectionUri ?? []);
        });
    }

    protected override void EndProcessing()
    {
        try
        {
            foreach (var (file, selection) in _byFile)
            {
                ForInput(() => RunFile(file, selection));
            }
            WaitForHosts();
            OnEnd();
        }
        finally
        {
            base.EndProcessing();
        }
    }

    /// <summary>One error for a host: its URI is the target, so a runbook can tell which host failed.</summary>
    private protected void WriteHostError(string uri, VirtioFsException e, string? domain = null)
    {
        string where = domain is null ? uri : $"{uri}, domain '{domain}'";
        WriteCoreError(new VirtioFsException(e.ErrorId, e.Kind, $"{where}: {e.Message}", uri, e.RecommendedAction, e));
    }

    private void RunFile(string file, Selection selection)
    {
        var doc = MappingStore.Load(file);
        var patterns = selection.Names.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        bool Selected(string mapping) => selection.AllMappings || patterns.Any(p => p.IsMatch(mapping));
        foreach (string literal in selection.Names.Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && doc.Find(n) is null))
        {
            WriteCoreError(doc.NotFound(literal, file));
        }
        var uris = (selection.Uris.Count > 0 ? selection.Uris : doc.Assignments.Where(a => Selected(a.Mapping)).Select(a => a.ConnectionUri))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (uris.Count == 0)
        {
            WriteWarning($"{file} assigns no selected mapping to any host, and no -ConnectionUri was given: there is nothing to compare.");
            return;
        }
        // The hosts run at once (-ThrottleLimit); each one's output, questions and errors reach the pipeline thread.
        ForEachHost(uris.ToArray(), uri =>
        {
            try
            {
                RunHost(new MappingHostPlan(doc, file, uri!, Selected));
            }
            catch (VirtioFsException e)
            {
                WriteHostError(uri!, e);
            }
        });
    }

    private void RunHost(MappingHostPlan plan)
    {
        foreach (var problem in plan.Problems)
        {
            WriteHostError(plan.Uri, problem);
        }
        var conn = Connect(plan.Uri);
        var names = DomainSelection.AllNames(conn);
        foreach (string named in plan.NamedDomains.Where(n => !names.Contains(n, StringComparer.Ordinal)))
        {
            WriteHostError(plan.Uri, new VirtioFsException(ErrorIds.DomainNotFound, VirtioFsErrorKind.ObjectNotFound,
                $"The declaration names domain '{named}', which this host does not have.", named,
                "Define the domain, or fix the assignment (Remove-VirtioFsMappingAssignment, Add-VirtioFsMappingAssignment)."));
        }
        ForEachWithProgress(names, $"{Activity} on {plan.Host}", name =>
        {
            var declared = plan.For(name);
            var target = new LibvirtDomainTarget(conn, name, skipSourceCheck: false);
            DomainDocument doc;
            try
            {
                doc = target.Load();
            }
            catch (VirtioFsException e)
            {
                // Every domain is read to find extra managed shares; one that vanished meanwhile (or that
                // this user may not read) matters only when the declaration puts something in it.
                if (declared.Count > 0)
                {
                    WriteHostError(plan.Uri, e, name);
                }
                return;
            }
            try
            {
                var drift = MappingDrift.Compare(doc, declared, plan.Host, plan.Ours);
                if (drift.Count > 0)
                {
                    OnDomain(plan, target, name, drift);
                }
            }
            catch (VirtioFsException e)
            {
                WriteHostError(plan.Uri, e, name);
            }
        });
    }

    private sealed class Selection
    {
        public bool AllMappings { get; set; }

        public List<string> Names { get; } = new();

        public List<string> Uris { get; } = new();
    }
}
