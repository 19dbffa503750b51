// SPDX-License-Identifier: MIT
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace VirtioFs.Internal;

/// <summary>
/// Runs the work of several hosts at once on worker threads, at most a throttle limit of them, while the
/// pipeline thread stays the only one that talks to PowerShell: a worker's output, warnings, progress and
/// ShouldProcess questions are posted here and run by <see cref="Pump"/> on the pipeline thread, where
/// PowerShell requires them (Cmdlet.WriteObject from another thread throws). A host waits for libvirt or
/// ssh most of the time, so the hosts overlap although this machine may have two cores.
/// </summary>
internal sealed class HostScheduler : IDisposable
{
    [ThreadStatic]
    private static string? t_host;

    [ThreadStatic]
    private static int t_slot;

    private readonly BlockingCollection<(string Host, Action Work)> _work = new();
    private readonly BlockingCollection<Posted> _posted = new();
    private readonly List<Thread> _threads = new();
    private readonly int _limit;
    private readonly CancellationToken _cancel;
    private readonly int _pipelineThread = Environment.CurrentManagedThreadId;
    private readonly object _gate = new();
    private int _pending;
    private bool _closed;
    private volatile ExceptionDispatchInfo? _fault;

    public HostScheduler(int limit, CancellationToken cancel)
    {
        _limit = Math.Max(1, limit);
        _cancel = cancel;
    }

    /// <summary>The host the calling worker thread works on; null on the pipeline thread.</summary>
    public static string? CurrentHost => t_host;

    /// <summary>1-based number of the calling worker (for progress ids); 0 on the pipeline thread.</summary>
    public static int CurrentSlot => t_slot;

    public bool IsPipelineThread => Environment.CurrentManagedThreadId == _pipelineThread;

    /// <summary>Work queued or running.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues one host's work; a worker thread starts for it unless the limit is reached.</summary>
    public void Enqueue(string host, Action work)
    {
        Interlocked.Increment(ref _pending);
        _work.Add((host, work));
        if (_threads.Count < _limit && _threads.Count < Pending)
        {
            int slot = _threads.Count + 1;
            // Dedicated threads, not the thread pool: each blocks on ssh and libvirt for up to seconds, and the pool
            // adds threads only slowly beyond the core count.
            var thread = new Thread(() => Work(slot)) { IsBackground = true, Name = $"VirtioFs host {slot}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    /// <summary>From a worker: runs <paramref name="action"/> later on the pipeline thread.</summary>
    public void Post(Action action) => Add(new Posted(action, null));

    /// <summary>From a worker: runs <paramref name="call"/> on the pipeline thread and waits for its answer.</summary>
    public T Call<T>(Func<T> call)
    {
        T result = default!;
        Exception? failure = null;
        using var done = new ManualResetEventSlim();
        Add(new Posted(() =>
        {
            try
            {
                result = call();
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                done.Set();
            }
        }, e =>
        {
            failure = e;
            done.Set();
        }));
        done.Wait(CancellationToken.None); // the pipeline thread always answers: it runs or fails every posted item
        if (failure is not null)
        {
            ExceptionDispatchInfo.Capture(failure).Throw();
        }
        return result;
    }

    /// <summary>
    /// On the pipeline thread: runs what the workers posted until at most <paramref name="maxPending"/> hosts are
    /// queued or running. A failure of PowerShell's (the pipeline stopped downstream, Ctrl+C) or a bug in a
    /// worker is thrown here at once; Dispose then stops the workers.
    /// </summary>
    public void Pump(int maxPending)
    {
        while (true)
        {
            while (_posted.TryTake(out var item))
            {
                Run(item);
            }
            if (Pending <= maxPending)
            {
                return;
            }
            Run(_posted.Take()); // a worker posts at least once when it finishes, so this wakes up
        }
    }

    private void Run(Posted item)
    {
        if (_fault is not null)
        {
            item.Fail?.Invoke(new OperationCanceledException("The pipeline has stopped."));
            return;
        }
        try
        {
            item.Action();
        }
        catch (Exception e)
        {
            _fault = ExceptionDispatchInfo.Capture(e);
            item.Fail?.Invoke(e);
            throw;
        }
    }

    private void Add(Posted item)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new OperationCanceledException("The pipeline has stopped.");
            }
            _posted.Add(item);
        }
    }

    private void Work(int slot)
    {
        t_slot = slot;
        try
        {
            foreach (var (host, work) in _work.GetConsumingEnumerable(_cancel))
            {
                t_host = host;
                try
                {
                    if (_fault is null)
                    {
                        work();
                    }
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or the pipeline stopped: the other hosts stop too.
                }
                catch (Exception e)
                {
                    // Not a core error (those are reported per host by the work itself): a bug, which must surface.
                    var bug = ExceptionDispatchInfo.Capture(e);
                    try
                    {
                        Post(bug.Throw);
                    }
                    catch (OperationCanceledException)
                    {
                        // already closed: the command has ended with another failure
                    }
                }
                finally
                {
                    t_host = null;
                    Interlocked.Decrement(ref _pending);
                    Wake();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Cancelled while waiting for work: the queued hosts never ran.
            DropQueued();
        }
    }

    /// <summary>Wakes Pump after a host finished; nothing to do when the command has already ended.</summary>
    private void Wake()
    {
        try
        {
            Post(static () => { });
        }
        catch (OperationCanceledException)
        {
            // closed: nobody pumps any more
        }
    }

    /// <summary>Counts queued hosts that will never run as finished, so Pump does not wait for them.</summary>
    private void DropQueued()
    {
        while (_work.TryTake(out _))
        {
            Interlocked.Decrement(ref _pending);
        }
        Wake();
    }

    /// <summary>
    /// Ends the workers: queued hosts are dropped, a worker waiting for the pipeline thread gets
    /// OperationCanceledException, and a running one finishes its current call. Normally everything is done
    /// already (EndProcessing pumped until nothing was pending); after a failure or Ctrl+C it is not.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
        }
        _work.CompleteAdding();
        while (_work.TryTake(out _))
        {
            Interlocked.Decrement(ref _pending);
        }
        var stopped = new OperationCanceledException("The pipeline has stopped.");
        while (_posted.TryTake(out var item))
        {
            item.Fail?.Invoke(stopped);
        }
        foreach (var t in _threads)
        {
            // A worker stuck in a libvirt or ssh call is a background thread; it cannot hold the session open.
            t.Join(TimeSpan.FromSeconds(30));
        }
    }

    private sealed record Posted(Action Action, Action<Exception>? Fail);
}
