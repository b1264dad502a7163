using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>memory</c> command: runs one attention at long context (default n = 65,536, d = 64, causal) and
/// measures the memory it needs beyond q, k, v and the output, two ways: managed allocations during the
/// call (<see cref="GC.GetTotalAllocatedBytes(bool)"/>) and the growth of the process's peak resident set
/// (VmHWM in /proc/self/status, reset just before the call), which also sees native buffers.
/// </summary>
internal sealed class MemoryBench : Command<MemoryBench.Settings>
{
    private const long MiB = 1 << 20;

    /// <summary>The options of <c>memory</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--seq-len <N>")]
        [Description("Keys (and queries unless --queries is given).")]
        [DefaultValue(65_536)]
        public int N { get; init; } = 65_536;

        [CommandOption("--queries <N>")]
        [Description("Queries; default n.")]
        public int? Queries { get; init; }

        [CommandOption("--head-dim <D>")]
        [Description("Head dimension.")]
        [DefaultValue(64)]
        public int D { get; init; } = 64;

        [CommandOption("--noncausal")]
        [Description("Full attention instead of causal.")]
        public bool NonCausal { get; init; }

        [CommandOption("--engine <NAME>")]
        [Description("managed (the flash kernel) or reference (the readable online softmax).")]
        [DefaultValue("managed")]
        public string Engine { get; init; } = "managed";

        [CommandOption("--budget-mib <MIB>")]
        [Description("Working-memory budget; the exit code is 1 above it.")]
        [DefaultValue(64)]
        public int BudgetMib { get; init; } = 64;
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        int n = settings.N;
        int nQ = settings.Queries ?? n;
        int d = settings.D;
        bool isCausal = !settings.NonCausal;
        string engine = settings.Engine;
        long budget = settings.BudgetMib * MiB;

        Func<Matrix<float>, Matrix<float>, Matrix<float>, Matrix<float>> attend = engine switch
        {
            "managed" => (q, k, v) => new ManagedAttentionEngine().Attend(q, k, v, isCausal),
            "reference" => (q, k, v) => OnlineSoftmaxAttention.Compute(q, k, v, isCausal),
            "torch-fused" => (q, k, v) => new Torch.TorchAttentionEngine(Torch.TorchAttentionMode.Fused).Attend(q, k, v, isCausal),
            "torch-explicit" => (q, k, v) => new Torch.TorchAttentionEngine(Torch.TorchAttentionMode.Explicit).Attend(q, k, v, isCausal),
            _ => throw new ArgumentException($"Unknown engine '{engine}': use managed, reference, torch-fused or torch-explicit.", nameof(settings)),
        };

        // JIT, thread pool and first-touch costs are paid here, outside the measurement.
        attend(Matrix(256, d, 1, 0), Matrix(256, d, 1, 1), Matrix(256, d, 1, 2));

        var q = Matrix(nQ, d, seed: 2, stream: 0); // (nQ, d)
        var k = Matrix(n, d, seed: 2, stream: 1);  // (n, d)
        var v = Matrix(n, d, seed: 2, stream: 2);  // (n, d)
        long outputBytes = (long)nQ * d * sizeof(float);
        var probe = MemoryProbe.Start();
        Matrix<float> output = attend(q, k, v);                     // (nQ, d), allocated inside the call
        var (seconds, allocated, peakGrowth, peakIsExact) = probe.Stop();
        GC.KeepAlive(output);

        long managedWorking = allocated - outputBytes;
        long residentWorking = peakGrowth - outputBytes;
        double gflops = (isCausal && nQ == n ? 4.0 * d * n * (n + 1) / 2 : 4.0 * d * nQ * n) / seconds / 1e9;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("quantity").AddColumn(new TableColumn("value").RightAligned());
        table.AddRow("engine", engine switch { "managed" => "managed flash (SIMD)", "reference" => "online softmax (reference)", _ => engine });
        table.AddRow("shape", $"nQ = {nQ:N0}, nK = {n:N0}, d = {d}, {(isCausal ? "causal" : "full")}");
        table.AddRow("q, k, v, output (not counted)", $"{Mib((2L * n * d * 4) + ((long)nQ * d * 4 * 2))}");
        table.AddRow("explicit float pattern would need", Mib((long)nQ * n * sizeof(float)));
        table.AddRow("time", $"{seconds:F2} s ({gflops:F1} GFLOP/s)");
        table.AddRow("managed allocations during the call, minus output", Mib(managedWorking));
        table.AddRow($"peak resident growth, minus output{(peakIsExact ? string.Empty : " (sampled)")}", Mib(residentWorking));
        if (engine == "managed")
        {
            // The engine hands the kernel MathNet's column-major storage.
            table.AddRow("kernel's own account (copies of K, V + tiles)", Mib(FlashAttention.WorkingMemoryBytes(nQ, n, d, d, MatrixLayout.ColumnMajor)));
        }

        bool pass = Math.Max(managedWorking, residentWorking) < budget;
        table.AddRow("budget", $"{Mib(budget)}: [{(pass ? "green]within" : "red]OVER")}[/]");
        AnsiConsole.Write(table);
        return pass ? 0 : 1;
    }

    private static Matrix<float> Matrix(int rows, int cols, int seed, int stream) => Init.Normal(rows, cols, (seed * 31) + stream);

    private static string Mib(long bytes) => Math.Abs(bytes) switch
    {
        < MiB => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F1} KiB"),
        < 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / MiB:F1} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(double)bytes / (1L << 30):F1} GiB"),
    };

    /// <summary>Reads the process's allocation counter and resident-set figures around one call.</summary>
    private sealed class MemoryProbe
    {
        private readonly long startTimestamp;
        private readonly long allocatedBefore;
        private readonly long residentBefore;
        private readonly bool peakReset;

        private MemoryProbe()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            residentBefore = StatusKb("VmRSS") * 1024;
            peakReset = TryResetPeak();
            allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            startTimestamp = Stopwatch.GetTimestamp();
        }

        public static MemoryProbe Start() => new();

        public (double Seconds, long Allocated, long PeakGrowth, bool PeakIsExact) Stop()
        {
            double seconds = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            long peak = StatusKb(peakReset ? "VmHWM" : "VmRSS") * 1024;
            return (seconds, allocated, peak - residentBefore, peakReset);
        }

        /// <summary>Writing 5 to /proc/self/clear_refs resets VmHWM to the current resident size (Linux 4.0+).</summary>
        private static bool TryResetPeak()
        {
            try
            {
                File.WriteAllText("/proc/self/clear_refs", "5");
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static long StatusKb(string field)
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }

            throw new InvalidOperationException($"/proc/self/status has no {field} line.");
        }
    }
}
