// SPDX-License-Identifier: MIT
using System;
using System.Management.Automation;
using VirtioFs.HugePages;

namespace VirtioFs.Internal;

/// <summary>
/// Turns allocator progress into Write-Progress. Reports arrive on the pipeline thread (the allocator
/// runs synchronously in ProcessRecord), so writing progress directly is allowed; Progress&lt;T&gt; is
/// not used because it would post to another thread.
/// </summary>
internal sealed class HugePageProgressWriter : IProgress<HugePageProgress>
{
    private readonly VirtioFsCmdlet _cmdlet;
    private readonly string _activity;
    private readonly bool _enabled;

    public HugePageProgressWriter(VirtioFsCmdlet cmdlet, string activity, bool enabled)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _enabled = enabled;
    }

    public void Report(HugePageProgress value)
    {
        if (!_enabled)
        {
            return;
        }
        var span = Math.Abs(value.Target - value.Previous);
        var done = Math.Abs(value.Current - value.Previous);
        var record = new ProgressRecord(1, _activity, $"{value.Phase}: {value.Current} of {value.Target} pages")
        {
            PercentComplete = span == 0 ? 100 : (int)Math.Clamp(done * 100 / span, 0, 100),
            RecordType = value.Phase == "Done" ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        _cmdlet.WriteProgress(record);
    }

    public void Complete()
    {
        if (_enabled)
        {
            _cmdlet.WriteProgress(new ProgressRecord(1, _activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
