using System.Diagnostics;
using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

using AttentionVisually;
using AttentionVisually.Torch;

namespace AttentionVisually.Bench;

/// <summary>
/// Benchmarks and a memory check for attention engines, meant to be called from a bench program (never from
/// unit tests): single-head causal attention at n = 256, 1024, 4096 with d = 64, and the attention of a
/// GPT-2-small-sized block (n = 1024, dModel 768, 12 heads of 64, causal), reported in GFLOP/s with the course's
/// FLOP convention (causal: 4 d n(n+1)/2 per head) and as ratios to the first engine. Times include copying
/// matrices to and from tensors, as a caller of <see cref="IAttentionEngine"/> pays them; TorchSharp engines get
/// all 12 heads as one batched call, other engines one call per head.
/// </summary>
internal static class TorchBench
{
    /// <summary>One measured case.</summary>
    /// <param name="Engine">The engine's name.</param>
    /// <param name="Case">What was computed, e.g. "causal n=1024 d=64".</param>
    /// <param name="Seconds">Median wall time of one call.</param>
    /// <param name="Flops">Floating-point operations of one call (course convention).</param>
    public sealed record Result(string Engine, string Case, double Seconds, double Flops)
    {
        /// <summary>Throughput in GFLOP/s.</summary>
        public double GflopsPerSecond => Flops / Seconds / 1e9;
    }

    /// <summary>Runs every case for the given engines (<see cref="Engines.All"/> when null) and prints a table.</summary>
    /// <param name="output">Where the table goes.</param>
    /// <param name="engines">The engines to compare; each gets the same inputs.</param>
    /// <param name="minSeconds">Minimum measuring time per case (after one warm-up call).</param>
    /// <param name="torchThreads">libtorch's intra-op thread count for this run (restored afterwards); its default (one per core) when null.</param>
    /// <returns>Every measurement.</returns>
    public static IReadOnlyList<Result> Run(TextWriter output, IReadOnlyList<IAttentionEngine>? engines = null, double minSeconds = 1.0, int? torchThreads = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        engines ??= Engines.All();
        if (!TorchRuntime.IsAvailable)
        {
            return RunCases(output, engines, minSeconds);
        }
        int previous = get_num_threads();
        try
        {
            if (torchThreads is { } threads)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(torchThreads));
                set_num_threads(threads);
            }
            output.WriteLine($"cores: {Environment.ProcessorCount}, libtorch threads: {get_num_threads()}");
            return RunCases(output, engines, minSeconds);
        }
        finally
        {
            set_num_threads(previous);
        }
    }

    private static List<Result> RunCases(TextWriter output, IReadOnlyList<IAttentionEngine> engines, double minSeconds)
    {
        var results = new List<Result>();
        var random = new Random(1234);
        foreach (int n in new[] { 256, 1024, 4096 })
        {
            const int d = 64;
            Matrix<float> q = RandomMatrix(random, n, d), k = RandomMatrix(random, n, d), v = RandomMatrix(random, n, d);
            double flops = 4.0 * d * n * (n + 1) / 2;
            foreach (IAttentionEngine engine in engines)
            {
                results.Add(new Result(engine.Name, $"causal n={n} d={d}", Time(() => engine.Attend(q, k, v, isCausal: true), minSeconds), flops));
            }
        }

        const int seqLen = 1024, numHeads = 12, headDim = 64;
        Matrix<float>[] qs = Enumerable.Range(0, numHeads).Select(_ => RandomMatrix(random, seqLen, headDim)).ToArray();
        Matrix<float>[] ks = Enumerable.Range(0, numHeads).Select(_ => RandomMatrix(random, seqLen, headDim)).ToArray();
        Matrix<float>[] vs = Enumerable.Range(0, numHeads).Select(_ => RandomMatrix(random, seqLen, headDim)).ToArray();
        double gpt2Flops = numHeads * 4.0 * headDim * seqLen * (seqLen + 1) / 2;
        foreach (IAttentionEngine engine in engines)
        {
            Action call = engine is TorchAttentionEngine torchEngine
                ? () => AttendAllHeads(torchEngine, qs, ks, vs)
                : () =>
                {
                    for (int h = 0; h < numHeads; h++)
                    {
                        engine.Attend(qs[h], ks[h], vs[h], isCausal: true);
                    }
                };
            results.Add(new Result(engine.Name, $"gpt2-small heads: n={seqLen} dModel={numHeads * headDim} heads={numHeads} causal", Time(call, minSeconds), gpt2Flops));
        }

        Print(output, results);
        return results;
    }

    /// <summary>Calls an engine many times on the same inputs and samples the process's resident memory (VmRSS).</summary>
    /// <param name="engine">The engine to call.</param>
    /// <param name="calls">How many calls (e.g. 10,000).</param>
    /// <param name="n">Sequence length of each call.</param>
    /// <param name="d">Head dimension of each call.</param>
    /// <param name="samples">How many RSS readings to take, evenly spaced.</param>
    /// <returns>(calls made so far, resident memory in KiB) pairs; the first is taken after one warm-up call.</returns>
    /// <exception cref="PlatformNotSupportedException">/proc/self/status is not available (not Linux).</exception>
    public static IReadOnlyList<(int Calls, long RssKiB)> ResidentMemory(IAttentionEngine engine, int calls = 10_000, int n = 64, int d = 64, int samples = 11)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 2);
        var random = new Random(99);
        Matrix<float> q = RandomMatrix(random, n, d), k = RandomMatrix(random, n, d), v = RandomMatrix(random, n, d);
        engine.Attend(q, k, v, isCausal: true);
        var readings = new List<(int, long)> { (0, ReadRssKiB()) };
        int every = Math.Max(1, calls / (samples - 1));
        for (int i = 1; i <= calls; i++)
        {
            engine.Attend(q, k, v, isCausal: true);
            if (i % every == 0 || i == calls)
            {
                readings.Add((i, ReadRssKiB()));
            }
        }
        return readings;
    }

    /// <summary>The process's resident set size, from /proc/self/status.</summary>
    /// <returns>VmRSS in KiB.</returns>
    /// <exception cref="PlatformNotSupportedException">/proc/self/status is not available (not Linux).</exception>
    public static long ReadRssKiB()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            throw new PlatformNotSupportedException("Resident memory is read from /proc/self/status, which only Linux has.");
        }
        string line = File.ReadLines(path).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
    }

    private static void AttendAllHeads(TorchAttentionEngine engine, Matrix<float>[] qs, Matrix<float>[] ks, Matrix<float>[] vs)
    {
        using var scope = NewDisposeScope();
        Tensor q = TensorConvert.ToTensor(qs, engine.Device), k = TensorConvert.ToTensor(ks, engine.Device), v = TensorConvert.ToTensor(vs, engine.Device); // (numHeads, seqLen, headDim)
        TensorConvert.ToMatrices(engine.Attend(q, k, v, isCausal: true));
    }

    private static double Time(Action call, double minSeconds)
    {
        call(); // warm-up: first-call allocations and thread-pool start
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < 3 || total.Elapsed.TotalSeconds < minSeconds)
        {
            long start = Stopwatch.GetTimestamp();
            call();
            times.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static Matrix<float> RandomMatrix(Random random, int rows, int cols) =>
        Matrix<float>.Build.Dense(rows, cols, (_, _) => (float)(random.NextDouble() * 2 - 1));

    private static void Print(TextWriter output, List<Result> results)
    {
        output.WriteLine($"{"case",-58} {"engine",-22} {"ms",10} {"GFLOP/s",9} {"vs first",9}");
        foreach (IGrouping<string, Result> group in results.GroupBy(r => r.Case))
        {
            double baseline = group.First().Seconds;
            foreach (Result r in group)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Case,-58} {r.Engine,-22} {r.Seconds * 1e3,10:F3} {r.GflopsPerSecond,9:F2} {baseline / r.Seconds,8:F2}x"));
            }
        }
    }
}
