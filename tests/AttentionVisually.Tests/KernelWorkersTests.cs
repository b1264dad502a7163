using AttentionVisually.Kernels;

namespace AttentionVisually.Tests;

/// <summary><see cref="KernelWorkers"/>: every thread asked for runs the work, failures reach the caller, concurrent calls stay correct.</summary>
public sealed class KernelWorkersTests : IDisposable
{
    // A set of its own: the shared one may be busy with another test's kernel, and a busy set runs a call on the caller alone.
    private readonly KernelWorkers workers = new(1);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void Every_thread_asked_for_runs_the_work_the_callers_own_included()
    {
        const int expected = 2;
        int entered = 0;
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();

        workers.Run(expected, () =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref entered);
            SpinWait.SpinUntil(() => Volatile.Read(ref entered) == expected, Patience); // every copy is running at once
        });

        Assert.Equal(expected, threads.Count);
        Assert.Equal(expected, threads.Distinct().Count());
        Assert.Contains(Environment.CurrentManagedThreadId, threads);
    }

    [Fact]
    public void One_thread_runs_the_work_on_the_caller_alone()
    {
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();

        workers.Run(1, () => threads.Add(Environment.CurrentManagedThreadId));

        Assert.Equal([Environment.CurrentManagedThreadId], threads);
    }

    [Fact]
    public void An_exception_on_a_helper_reaches_the_caller_and_the_helpers_keep_working()
    {
        int caller = Environment.CurrentManagedThreadId;
        int entered = 0;
        var failure = Assert.Throws<InvalidOperationException>(() => workers.Run(2, () =>
        {
            Interlocked.Increment(ref entered);
            SpinWait.SpinUntil(() => Volatile.Read(ref entered) == 2, Patience);
            if (Environment.CurrentManagedThreadId != caller)
            {
                throw new InvalidOperationException("helper failed");
            }
        }));
        Assert.Equal("helper failed", failure.Message);

        int runs = 0;
        workers.Run(2, () => Interlocked.Increment(ref runs));
        Assert.Equal(2, runs);
    }

    [Fact]
    public void Calls_from_several_threads_at_once_each_finish_their_own_tasks()
    {
        const int callers = 4, tasks = 10_000;
        long[] totals = new long[callers];

        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, c =>
        {
            for (int round = 0; round < 20; round++)
            {
                int next = -1;
                long sum = 0;
                workers.Run(2, () =>
                {
                    int task;
                    while ((task = Interlocked.Increment(ref next)) < tasks)
                    {
                        Interlocked.Add(ref sum, task);
                    }
                });
                Assert.Equal((long)tasks * (tasks - 1) / 2, sum);
                totals[c] += sum;
            }
        });

        Assert.All(totals, total => Assert.Equal(20L * tasks * (tasks - 1) / 2, total));
    }

    [Fact]
    public async Task A_busy_set_runs_a_second_call_on_its_caller_alone_instead_of_waiting()
    {
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = Task.Run(() => workers.Run(2, () =>
        {
            started.Set();
            release.Wait(Patience);
        }));
        Assert.True(started.Wait(Patience));

        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        int caller = Environment.CurrentManagedThreadId;
        workers.Run(2, () => threads.Add(Environment.CurrentManagedThreadId));
        release.Set();
        await holder;

        Assert.Equal([caller], threads);
    }

    [Fact]
    public void A_disposed_set_refuses_work()
    {
        var set = new KernelWorkers(1);
        set.Dispose();

        Assert.Throws<ObjectDisposedException>(() => set.Run(2, () => { }));
    }

    public void Dispose() => workers.Dispose();
}
