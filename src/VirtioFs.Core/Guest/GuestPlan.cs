// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using VirtioFs.Errors;

namespace VirtioFs.Guest;

/// <summary>One change in the guest: what it shows (the command or file), how to make it and how to take it back.</summary>
internal sealed record GuestStep(string Display, Action Run, Action? Undo);

/// <summary>
/// The changes a guest cmdlet makes, planned in full from what was read before any is made, so -WhatIf and
/// -Confirm show every command, and a failing step takes back the ones before it (a share that fails to mount
/// leaves no new mount point directory behind).
/// </summary>
internal sealed class GuestPlan
{
    private readonly List<GuestStep> _steps = new();

    public int Count => _steps.Count;

    public IReadOnlyList<string> Lines => _steps.Select(s => s.Display).ToList();

    public void Add(string display, Action run, Action? undo = null) => _steps.Add(new GuestStep(display, run, undo));

    /// <summary>The plan as -WhatIf prints it: a header, then one indented line per step.</summary>
    public string Describe(string header) => header + ":" + string.Concat(_steps.Select(s => System.Environment.NewLine + "  " + s.Display));

    /// <summary>Runs the steps in order; returns what was done. On failure, undoes the finished steps in reverse and rethrows.</summary>
    public IReadOnlyList<string> Execute()
    {
        var done = new List<GuestStep>();
        foreach (var step in _steps)
        {
            try
            {
                step.Run();
            }
            catch (VirtioFsException e)
            {
                var undone = new List<string>();
                foreach (var d in Enumerable.Reverse(done).Where(d => d.Undo is not null))
                {
                    try
                    {
                        d.Undo!();
                        undone.Add(d.Display);
                    }
                    catch (VirtioFsException u)
                    {
                        undone.Add($"{d.Display} (could not be undone: {u.Message})");
                    }
                }
                if (undone.Count == 0)
                {
                    throw;
                }
                throw new VirtioFsException(e.ErrorId, e.Kind,
                    $"{e.Message} Undone in the guest: {string.Join("; ", undone)}.", e.Target, e.RecommendedAction, e);
            }
            done.Add(step);
        }
        return done.Select(d => d.Display).ToList();
    }
}
