using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace AttentionVisually.Kernels;

/// <summary>
/// The kernels' own helper threads: one per core beyond the first, started on first use and kept for the life of
/// the process. A call hands the same work loop to the calling thread and to as many helpers as it asks for, and
/// returns when all have finished; the work loop takes tasks from a shared counter, so it is correct with any
/// number of threads.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="Parallel.For(int, int, Action{int})"/>: a short attention call (n = 256 takes about
/// 0.2 ms) pays the thread pool's hand-off and wake-up on every call, and a sleeping thread takes tens of
/// microseconds to wake. A helper here spins for <see cref="SpinMicroseconds"/> after each job before it sleeps, so
/// calls that follow each other (the heads of a layer, the layers of a model, a bench's rounds) find it awake.</para>
/// <para>One call at a time uses the helpers. A call that arrives while they are busy (another thread's kernel, or
/// a kernel called from inside a work loop) runs its work loop on its own thread alone: same result, no waiting on
/// the other call.</para>
/// </remarks>
internal sealed class KernelWorkers : IDisposable
{
    /// <summary>How long an idle helper keeps spinning for the next job before it sleeps.</summary>
    public const int SpinMicroseconds = 200;

    private static readonly Lazy<KernelWorkers> SharedWorkers =
        new(() => new KernelWorkers(Environment.ProcessorCount - 1), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Helper[] helpers;
    private int busy;          // 1 while a call uses the helpers: not re-entrant, unlike a lock, so a nested call runs alone
    private volatile bool disposed;
    private long helperRuns;

    /// <summary>Starts <paramref name="helperCount"/> helper threads (none when it is 0 or less).</summary>
    /// <param name="helperCount">Helper threads besides the calling one.</param>
    public KernelWorkers(int helperCount)
    {
        helpers = new Helper[Math.Max(0, helperCount)];
        for (int i = 0; i < helpers.Length; i++)
        {
            helpers[i] = new Helper(i + 1);
        }
    }

    /// <summary>The helpers the kernels use: one per core beyond the first, started on first use.</summary>
    public static KernelWorkers Shared => SharedWorkers.Value;

    /// <summary>Helper threads of this set.</summary>
    public int HelperCount => helpers.Length;

    /// <summary>Calls so far that ran on at least one helper besides the caller (tests check that a kernel really ran split).</summary>
    public long HelperRuns => Interlocked.Read(ref helperRuns);

    /// <summary>
    /// Runs <paramref name="work"/> on the calling thread and on up to <paramref name="threads"/> - 1 helpers at
    /// once, and returns when every copy has returned. An exception from any copy is rethrown here after all have
    /// finished (the first one, with its own stack trace).
    /// </summary>
    /// <param name="threads">Threads wanted, the caller's included; 1 or less runs the work on the caller only.</param>
    /// <param name="work">A work loop that takes tasks until none is left; it must be safe to run on several threads.</param>
    /// <exception cref="ObjectDisposedException">The set was disposed.</exception>
    public void Run(int threads, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (threads <= 1 || helpers.Length == 0 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            work(); // alone: one thread, no helper, or the helpers are busy (another call, or this one's own work loop)
            return;
        }

        try
        {
            ObjectDisposedException.ThrowIf(disposed, this); // disposed between the first check and taking the helpers
            Interlocked.Increment(ref helperRuns);
            int used = Math.Min(threads - 1, helpers.Length);
            for (int i = 0; i < used; i++)
            {
                helpers[i].Post(work);
            }

            ExceptionDispatchInfo? failure = null;
            try
            {
                work();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }

            for (int i = 0; i < used; i++)
            {
                ExceptionDispatchInfo? helperFailure = helpers[i].WaitDone();
                failure ??= helperFailure;
            }

            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Waits for a call in progress, then ends the helper threads (the shared set is never disposed).</summary>
    public void Dispose()
    {
        while (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            if (disposed)
            {
                return; // busy stays 1 once disposed: a second Dispose must not wait for it
            }

            Thread.Sleep(1);
        }

        // busy stays 1: from here on a call that got past its first check runs alone, and the next one is refused.
        disposed = true;
        foreach (Helper helper in helpers)
        {
            helper.Stop();
        }
    }

    /// <summary>
    /// Takes one count of <paramref name="signal"/>: spins for up to <see cref="SpinMicroseconds"/> while it is 0,
    /// then sleeps until it is released.
    /// </summary>
    private static void Take(SemaphoreSlim signal)
    {
        long deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * SpinMicroseconds / 1_000_000);
        while (signal.CurrentCount == 0 && Stopwatch.GetTimestamp() < deadline)
        {
            Thread.SpinWait(16);
        }

        signal.Wait();
    }

    /// <summary>
    /// One helper thread. A job is posted by releasing <see cref="posted"/> (a semaphore keeps the release, so a
    /// post can never be missed between the helper's spin and its sleep); <see cref="done"/> counts finished jobs.
    /// </summary>
    private sealed class Helper
    {
        private readonly SemaphoreSlim posted = new(0);
        private readonly SemaphoreSlim done = new(0);
        private Action? job;
        private ExceptionDispatchInfo? failure;

        public Helper(int index)
        {
            var thread = new Thread(Loop)
            {
                IsBackground = true,
                Name = $"AttentionVisually kernel worker {index}",
            };
            thread.Start();
        }

        public void Post(Action work)
        {
            job = work;
            failure = null;
            posted.Release();
        }

        /// <summary>Posts the empty job, which ends the thread's loop.</summary>
        public void Stop()
        {
            job = null;
            posted.Release();
        }

        public ExceptionDispatchInfo? WaitDone()
        {
            Take(done);
            return failure;
        }

        private void Loop()
        {
            while (true)
            {
                Take(posted);
                if (job is not { } work)
                {
                    return;
                }

                try
                {
                    work();
                }
                catch (Exception e)
                {
                    failure = ExceptionDispatchInfo.Capture(e);
                }

                job = null;
                done.Release();
            }
        }
    }
}
