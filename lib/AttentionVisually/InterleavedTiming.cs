using System.Diagnostics;

namespace AttentionVisually;

/// <summary>One thing to time: a name, the data it works on, its useful FLOPs per call (NaN for copies) and the call.</summary>
/// <param name="Engine">What runs, e.g. "torch SDPA".</param>
/// <param name="Data">The representation it reads and writes, e.g. "tensors".</param>
/// <param name="Flops">Useful floating-point operations of one call (course convention), NaN when not a computation.</param>
/// <param name="Call">One call.</param>
public sealed record Contender(string Engine, string Data, double Flops, Action Call);

/// <summary>One contender's samples: seconds per call in each round, in round order.</summary>
/// <param name="Contender">What was timed.</param>
/// <param name="Seconds">Seconds per call, one entry per round.</param>
/// <param name="CallsPerSample">How many calls each sample averaged over.</param>
public sealed record Samples(Contender Contender, double[] Seconds, int CallsPerSample)
{
    /// <summary>Median seconds per call.</summary>
    public double Median => Statistics.Median(Seconds);

    /// <summary>Per-round speed ratios <paramref name="reference"/> time / this time (above 1: this is faster), same round each.</summary>
    /// <param name="reference">Samples of the same rounds.</param>
    /// <returns>One ratio per round.</returns>
    public double[] SpeedRatiosTo(Samples reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.Seconds.Zip(Seconds, (r, c) => r / c).ToArray();
    }
}

/// <summary>
/// Times contenders interleaved (A B C A B C …), so that drift on a shared machine (other processes, clock
/// changes) hits every contender alike, and each round gives one sample of each. A sample averages enough calls
/// to last at least the requested time, so the timer's resolution and per-call jitter do not dominate; before
/// each sample the thread sleeps a few milliseconds so that worker threads another library left spinning
/// (libtorch's OpenMP pool spins after a parallel region) do not take cores from the next contender.
/// </summary>
public static class InterleavedTiming
{
    /// <summary>Warms every contender up, then runs <paramref name="rounds"/> rounds of one sample each.</summary>
    /// <param name="contenders">The contenders, in the order each round runs them.</param>
    /// <param name="rounds">Samples per contender.</param>
    /// <param name="minSampleSeconds">Shortest duration of one sample.</param>
    /// <param name="settleMilliseconds">Pause before each sample.</param>
    /// <returns>One <see cref="Samples"/> per contender, in the given order.</returns>
    /// <exception cref="ArgumentOutOfRangeException">rounds is below 1, minSampleSeconds is negative or settleMilliseconds is negative.</exception>
    public static IReadOnlyList<Samples> Run(IReadOnlyList<Contender> contenders, int rounds, double minSampleSeconds, int settleMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(contenders);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minSampleSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(settleMilliseconds);
        var calls = new int[contenders.Count];
        for (int c = 0; c < contenders.Count; c++)
        {
            contenders[c].Call(); // first call: JIT, allocations, thread-pool start
            double once = Time(contenders[c].Call, 1);
            calls[c] = Math.Max(1, (int)Math.Ceiling(minSampleSeconds / Math.Max(once, 1e-7)));
            Time(contenders[c].Call, calls[c]); // one untimed sample at the final batch size
        }

        var seconds = contenders.Select(_ => new double[rounds]).ToArray();
        for (int r = 0; r < rounds; r++)
        {
            for (int c = 0; c < contenders.Count; c++)
            {
                Thread.Sleep(settleMilliseconds);
                seconds[c][r] = Time(contenders[c].Call, calls[c]);
            }
        }

        return contenders.Select((c, i) => new Samples(c, seconds[i], calls[i])).ToList();
    }

    private static double Time(Action call, int times)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < times; i++)
        {
            call();
        }

        return Stopwatch.GetElapsedTime(start).TotalSeconds / times;
    }
}

/// <summary>Order statistics of small samples.</summary>
public static class Statistics
{
    /// <summary>The median (mean of the two middle values for an even count).</summary>
    /// <param name="values">At least one value.</param>
    /// <returns>The median.</returns>
    /// <exception cref="ArgumentOutOfRangeException">There are no values.</exception>
    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Length, nameof(values));
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
