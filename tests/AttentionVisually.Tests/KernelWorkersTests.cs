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
        set.Dispose(); // a second Dispose returns

        Assert.Throws<ObjectDisposedException>(() => set.Run(2, () => { }));
    }

    public void Dispose() => workers.Dispose();

    [Fact]
    public void A_call_from_inside_a_work_loop_runs_alone_and_the_outer_call_still_finishes()
    {
        int outer = 0, inner = 0;

        workers.Run(2, () =>
        {
            Interlocked.Increment(ref outer);
            workers.Run(2, () => Interlocked.Increment(ref inner)); // nested: the helpers are this call's
        });

        Assert.Equal(2, outer);
        Assert.Equal(2, inner);  // each of the two copies ran the nested loop once, alone
        int after = 0;
        workers.Run(2, () => Interlocked.Increment(ref after));
        Assert.Equal(2, after);  // no helper was lost
    }

    [Fact]
    public async Task Dispose_waits_for_a_call_in_progress_which_finishes_normally()
    {
        var set = new KernelWorkers(1);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int copies = 0;
        var call = Task.Run(() => set.Run(2, () =>
        {
            if (Interlocked.Increment(ref copies) == 1)
            {
                started.Set();
            }

            release.Wait(Patience);
        }));
        Assert.True(started.Wait(Patience));

        var disposing = Task.Run(set.Dispose);
        await Task.Delay(50);
        Assert.False(disposing.IsCompleted); // it waits for the call
        release.Set();
        await call;
        await disposing;

        Assert.Equal(2, copies);
        Assert.Throws<ObjectDisposedException>(() => set.Run(2, () => { }));
    }
}

/// <summary>
/// The kernels really split their work over the shared helpers (the tests of the other classes may find them busy
/// with a parallel test and then run alone), and the split gives the same numbers as one thread.
/// </summary>
[Collection(KernelThreadsCollection.Name)]
public class KernelSplitTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Flash_attention_on_two_threads_uses_a_helper_and_equals_one_thread_bit_for_bit(bool isCausal)
    {
        var (q, k, v) = (AttentionReference.Random(300, 64, seed: 1), AttentionReference.Random(300, 64, seed: 2), AttentionReference.Random(300, 64, seed: 3));
        float[] Run(int threads)
        {
            var output = new float[300 * 64];
            FlashAttention.Compute(q.ToRowMajorArray(), k.ToRowMajorArray(), v.ToRowMajorArray(), output, 300, 300, 64, 64, isCausal, MatrixLayout.RowMajor, maxDegreeOfParallelism: threads);
            return output;
        }

        float[] alone = Run(1);
        long before = KernelWorkers.Shared.HelperRuns;
        float[] split = Run(2);

        Assert.Equal(Environment.ProcessorCount > 1, KernelWorkers.Shared.HelperRuns > before); // one core: no helper exists
        Assert.Equal(alone, split);
    }

    [Fact]
    public void The_tiled_product_on_two_threads_uses_a_helper_and_equals_one_thread_bit_for_bit()
    {
        const int m = 128, kDim = 384, n = 1536;
        float[] x = AttentionReference.Random(m, kDim, seed: 4).ToColumnMajorArray(), w = AttentionReference.Random(n, kDim, seed: 5).ToColumnMajorArray();

        float[] alone = TiledProduct.MultiplyTransposed(x, m, kDim, w, n, bias: null, maxDegreeOfParallelism: 1);
        long before = KernelWorkers.Shared.HelperRuns;
        float[] split = TiledProduct.MultiplyTransposed(x, m, kDim, w, n, bias: null, maxDegreeOfParallelism: 2);

        Assert.Equal(Environment.ProcessorCount > 1, KernelWorkers.Shared.HelperRuns > before); // one core: no helper exists
        Assert.Equal(alone, split);
    }
}

/// <summary>Tests that need the shared kernel helpers to themselves run one at a time, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelThreadsCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "kernel threads";
}
