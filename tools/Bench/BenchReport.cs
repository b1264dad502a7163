using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Spectre.Console;

namespace AttentionVisually.Bench;

/// <summary>
/// One row of a bench table: a contender's median time and spread over the rounds, its speed, and its speed
/// relative to the case's reference (torch SDPA) measured in the same rounds.
/// </summary>
/// <param name="Case">The case, e.g. "causal n=1024 d=64".</param>
/// <param name="Engine">The contender.</param>
/// <param name="Data">The representation it works on.</param>
/// <param name="MedianMs">Median milliseconds per call.</param>
/// <param name="MinMs">Fastest round.</param>
/// <param name="MaxMs">Slowest round.</param>
/// <param name="GFlops">Useful GFLOP/s at the median time (NaN for copies).</param>
/// <param name="SpeedRatio">Median over rounds of reference time / contender time (above 1: faster than the reference).</param>
/// <param name="SpeedRatioMin">Lowest per-round ratio.</param>
/// <param name="SpeedRatioMax">Highest per-round ratio.</param>
/// <param name="Rounds">Samples taken.</param>
/// <param name="CallsPerSample">Calls averaged in each sample.</param>
internal sealed record BenchRow(
    string Case, string Engine, string Data, double MedianMs, double MinMs, double MaxMs, double GFlops,
    double SpeedRatio, double SpeedRatioMin, double SpeedRatioMax, int Rounds, int CallsPerSample)
{
    /// <summary>Summarizes one contender's samples against the reference's samples of the same rounds.</summary>
    public static BenchRow From(string caseName, Samples samples, Samples reference)
    {
        double[] ratios = samples.SpeedRatiosTo(reference);
        double median = samples.Median;
        return new BenchRow(
            caseName, samples.Contender.Engine, samples.Contender.Data, median * 1e3, samples.Seconds.Min() * 1e3, samples.Seconds.Max() * 1e3,
            samples.Contender.Flops / median / 1e9, Statistics.Median(ratios), ratios.Min(), ratios.Max(), samples.Seconds.Length, samples.CallsPerSample);
    }
}

/// <summary>What the figures were measured on.</summary>
/// <param name="Cpu">Processor model.</param>
/// <param name="Cores">Logical processors the process sees.</param>
/// <param name="Threads">Threads every engine was given.</param>
/// <param name="Runtime">The .NET runtime.</param>
/// <param name="Os">The operating system.</param>
/// <param name="KernelPath">The managed kernel's instruction path.</param>
/// <param name="LoadAverage">The 1, 5 and 15 minute load averages when the run started (/proc/loadavg): above the core count, other work competed for the cores.</param>
/// <param name="LinearAlgebraProvider">Where the managed forward passes' matrix products run (<see cref="MatrixProducts.Status"/>).</param>
internal sealed record Machine(string Cpu, int Cores, int Threads, string Runtime, string Os, string KernelPath, string LoadAverage, string LinearAlgebraProvider)
{
    /// <summary>One line for a table's caption.</summary>
    public string Summary => $"{Cpu}, {Cores} cores, {Threads} threads per engine, load average {LoadAverage}, {Runtime}, kernel path {KernelPath}, products: {LinearAlgebraProvider}";

    /// <summary>Describes this machine.</summary>
    public static Machine Describe(int threads)
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        string path = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "scalar";
        string load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
        return new Machine(cpu, Environment.ProcessorCount, threads, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, path,
            load, MatrixProducts.Status);
    }
}

/// <summary>Prints bench rows as a table and writes them as JSON.</summary>
internal static class BenchReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The attention table: one block per case, the reference first.</summary>
    public static void PrintAttention(IReadOnlyList<BenchRow> rows, int rounds)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("case").AddColumn("engine").AddColumn("data")
            .AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("min-max ms").RightAligned())
            .AddColumn(new TableColumn("GFLOP/s").RightAligned()).AddColumn(new TableColumn("x SDPA speed (min-max)").RightAligned());
        foreach (BenchRow r in rows)
        {
            bool isCopy = double.IsNaN(r.GFlops);
            string ratio = isCopy
                ? Invariant($"{1 / r.SpeedRatio:P0} of SDPA's time")
                : Invariant($"{r.SpeedRatio:F2} ({r.SpeedRatioMin:F2}-{r.SpeedRatioMax:F2})");
            table.AddRow(
                Markup.Escape(r.Case), Markup.Escape(r.Engine), Markup.Escape(r.Data), Invariant($"{r.MedianMs:F3}"),
                Invariant($"{r.MinMs:F3}-{r.MaxMs:F3}"), isCopy ? "-" : Invariant($"{r.GFlops:F1}"), ratio);
        }

        table.Caption(Invariant(
            $"Median of {rounds} interleaved rounds. x SDPA speed = median over rounds of SDPA's time / the engine's time in the same round. GFLOP/s: 4 d n^2 per head (causal: 4 d n (n + 1) / 2)."));
        AnsiConsole.Write(table);
    }

    /// <summary>Writes the machine, the settings and the rows to <paramref name="path"/>.</summary>
    public static void WriteJson(string path, Machine machine, object settings, IReadOnlyList<BenchRow> rows)
    {
        var document = new { machine, settings, measuredUtc = DateTime.UtcNow, rows };
        File.WriteAllText(path, JsonSerializer.Serialize(document, JsonOptions));
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
