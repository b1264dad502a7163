using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using AttentionVisually;
using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>speed</c> command: single-head attention for every engine of <see cref="BenchEngines"/> at each
/// sequence length, one warm-up call, then the best of up to <c>--reps</c> timed calls (stopping early once
/// an engine has used <c>--budget</c> seconds at that size). Best-of-N because the noise on a shared machine
/// only ever adds time.
/// </summary>
internal static class SpeedBench
{
    public static int Run(Arguments a)
    {
        int[] sizes = a.Ints("sizes", [256, 1024, 4096]);
        int d = a.Int("d", 64);
        int reps = a.Int("reps", 5);
        double budgetSeconds = a.Double("budget", 4);
        bool isCausal = !a.Flag("noncausal");
        string? only = a.Text("only");
        IReadOnlyList<IAttentionEngine> engines = BenchEngines.All()
            .Where((e, i) => i == 0 || only is null || e.Name.Contains(only, StringComparison.OrdinalIgnoreCase))
            .ToList();

        var machine = Machine.Describe();
        AnsiConsole.MarkupLine($"[bold]Single-head {(isCausal ? "causal" : "full")} attention, d = {d}[/]  ({Markup.Escape(machine.Summary)})");

        var rows = new List<SpeedRow>();
        foreach (int n in sizes)
        {
            var (q, k, v) = Inputs.Random(n, d, seed: n);
            Matrix<float>? baseline = null;
            double baselineSeconds = double.NaN;
            foreach (IAttentionEngine engine in engines)
            {
                Matrix<float> result = engine.Attend(q, k, v, isCausal); // warm-up; also the output compared below
                baseline ??= result;
                (double best, int runs) = Time(() => engine.Attend(q, k, v, isCausal), reps, budgetSeconds);
                if (double.IsNaN(baselineSeconds))
                {
                    baselineSeconds = best;
                }

                var row = new SpeedRow(
                    n, d, isCausal, engine.Name, best * 1e3, runs,
                    Inputs.Flops(n, d, isCausal) / best / 1e9,
                    baselineSeconds / best,
                    Inputs.RelativeDifference(result, baseline));
                rows.Add(row);
                AnsiConsole.MarkupLine($"  n = {n,5}  {Markup.Escape(engine.Name),-28} {row.GFlops,7:F2} GFLOP/s");
            }
        }

        Print(rows, engines[0].Name);
        if (a.Text("json") is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(new { machine, rows }, new JsonSerializerOptions { WriteIndented = true }));
            AnsiConsole.MarkupLine($"Wrote [blue]{Markup.Escape(path)}[/].");
        }

        return 0;
    }

    private static (double BestSeconds, int Runs) Time(Action action, int reps, double budgetSeconds)
    {
        double best = double.PositiveInfinity, total = 0;
        int runs = 0;
        while (runs < reps && (runs == 0 || total < budgetSeconds))
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long start = Stopwatch.GetTimestamp();
            action();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Min(best, seconds);
            total += seconds;
            runs++;
        }

        return (best, runs);
    }

    private static void Print(List<SpeedRow> rows, string baselineName)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("n").AddColumn("engine")
            .AddColumn(new TableColumn("best ms").RightAligned())
            .AddColumn(new TableColumn("GFLOP/s").RightAligned())
            .AddColumn(new TableColumn($"x {Markup.Escape(baselineName)}").RightAligned())
            .AddColumn(new TableColumn("max rel diff").RightAligned())
            .AddColumn(new TableColumn("runs").RightAligned());
        foreach (SpeedRow r in rows)
        {
            table.AddRow(
                r.N.ToString(), Markup.Escape(r.Engine), r.BestMs.ToString("F2"), r.GFlops.ToString("F2"),
                r.RatioToBaseline.ToString("F2"), r.MaxRelativeDifference.ToString("E1"), r.Runs.ToString());
        }

        table.Caption("GFLOP/s counts 4 d n (n + 1) / 2 for causal attention; max rel diff = max|o - o_baseline| / max|o_baseline|.");
        AnsiConsole.Write(table);
    }
}

/// <summary>One engine at one size.</summary>
internal sealed record SpeedRow(
    int N, int D, bool IsCausal, string Engine, double BestMs, int Runs, double GFlops, double RatioToBaseline, double MaxRelativeDifference);

/// <summary>What the figures were measured on.</summary>
internal sealed record Machine(string Cpu, int Cores, string Runtime, string Os, bool Vector256Accelerated)
{
    public string Summary => $"{Cpu}, {Cores} cores, {Runtime}, Vector256 {(Vector256Accelerated ? "on" : "off")}";

    public static Machine Describe()
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }

        return new Machine(cpu, Environment.ProcessorCount, RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, Vector256.IsHardwareAccelerated);
    }
}
