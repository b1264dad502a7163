using System.ComponentModel;
using System.Globalization;
using AttentionVisually.Torch;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>attention</c> command (the default): every engine on its own representation, interleaved, at each
/// (n, d, mask) and for the 12 heads of a GPT-2-small block; conversions between representations as rows of
/// their own; every ratio is to torch SDPA in the same rounds; libtorch's sgemm rate as the physical reference.
/// </summary>
internal sealed class AttentionCommand : Command<AttentionCommand.Settings>
{
    /// <summary>The options of <c>attention</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--sizes <LIST>")]
        [Description("Sequence lengths n, comma-separated.")]
        [DefaultValue("256,1024,4096")]
        public string Sizes { get; init; } = "256,1024,4096";

        [CommandOption("--dims <LIST>")]
        [Description("Head dimensions d, comma-separated.")]
        [DefaultValue("64,128")]
        public string Dims { get; init; } = "64,128";

        [CommandOption("--masks <LIST>")]
        [Description("causal, full, or both (comma-separated).")]
        [DefaultValue("causal,full")]
        public string Masks { get; init; } = "causal,full";

        [CommandOption("--no-gpt2")]
        [Description("Skip the GPT-2-small block (12 heads of 64, n = 1024, causal).")]
        public bool NoGpt2 { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Threads for every engine: libtorch's intra-op threads and the managed kernel's cores.")]
        [DefaultValue(2)]
        public int Threads { get; init; } = 2;

        [CommandOption("--rounds <N>")]
        [Description("Interleaved rounds: samples per engine and case.")]
        [DefaultValue(7)]
        public int Rounds { get; init; } = 7;

        [CommandOption("--sample-ms <MS>")]
        [Description("Shortest sample; a sample averages as many calls as that takes.")]
        [DefaultValue(40)]
        public int SampleMilliseconds { get; init; } = 40;

        [CommandOption("--settle-ms <MS>")]
        [Description("Pause before each sample, so spinning worker threads of the previous engine go idle (libtorch's OpenMP threads spin for several milliseconds after a call).")]
        [DefaultValue(50)]
        public int SettleMilliseconds { get; init; } = 50;

        [CommandOption("--explicit-up-to <N>")]
        [Description("Largest n for MathNet's explicit engine, which forms the (n, n) pattern.")]
        [DefaultValue(1024)]
        public int ExplicitUpTo { get; init; } = 1024;

        [CommandOption("--json <FILE>")]
        [Description("Also write the machine, the settings and every row as JSON.")]
        public string? Json { get; init; }

        /// <summary>The parsed sequence lengths.</summary>
        public int[] SizeList => ParseInts(Sizes);

        /// <summary>The parsed head dimensions.</summary>
        public int[] DimList => ParseInts(Dims);

        /// <summary>The parsed masks, causal first.</summary>
        public bool[] CausalList => Masks.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(m => m switch
            {
                "causal" => true,
                "full" => false,
                _ => throw new ArgumentException($"--masks has '{m}'; use causal, full or causal,full.", nameof(Masks)),
            }).Distinct().ToArray();

        /// <inheritdoc />
        public override ValidationResult Validate()
        {
            try
            {
                _ = SizeList.Concat(DimList).All(x => x > 0) ? 0 : throw new ArgumentException("sizes and dims must be positive.");
                _ = CausalList;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                return ValidationResult.Error(e.Message);
            }

            return Threads < 1 || Rounds < 1 || SampleMilliseconds < 1 || SettleMilliseconds < 0
                ? ValidationResult.Error("--threads, --rounds and --sample-ms must be at least 1, --settle-ms at least 0.")
                : ValidationResult.Success();
        }

        /// <summary>Parses a comma-separated list of integers.</summary>
        internal static int[] ParseInts(string list) =>
            list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureAvailable();
        int previousThreads = get_num_threads();
        set_num_threads(settings.Threads);
        try
        {
            var cases = new List<AttentionCase>();
            foreach (bool isCausal in settings.CausalList)
            {
                foreach (int d in settings.DimList)
                {
                    cases.AddRange(settings.SizeList.Select(n => new AttentionCase($"{(isCausal ? "causal" : "full")} n={n} d={d}", 1, n, d, isCausal)));
                }
            }

            if (!settings.NoGpt2)
            {
                cases.Add(new AttentionCase("GPT-2 small block: 12 heads, n=1024 d=64 causal", 12, 1024, 64, true));
            }

            var machine = Machine.Describe(settings.Threads);
            AnsiConsole.MarkupLine($"[bold]Attention, each engine on its own data, interleaved[/] ({Markup.Escape(machine.Summary)})");
            var rows = new List<BenchRow>();
            foreach (AttentionCase c in cases)
            {
                rows.AddRange(Measure(c, settings));
            }

            BenchReport.PrintAttention(rows, settings.Rounds);
            if (settings.Json is { } path)
            {
                BenchReport.WriteJson(path, machine, settings, rows);
                AnsiConsole.MarkupLine($"JSON written to [bold]{Markup.Escape(path)}[/]");
            }

            return 0;
        }
        finally
        {
            set_num_threads(previousThreads);
        }
    }

    private static List<BenchRow> Measure(AttentionCase c, Settings settings)
    {
        using var contenders = new AttentionContenders(c.NumHeads, c.SeqLen, c.HeadDim, c.IsCausal, settings.Threads, settings.ExplicitUpTo, seed: c.SeqLen + c.HeadDim);
        const int gemm = 1024; // (1024, 1024) x (1024, 1024): libtorch's sgemm rate, the machine's practical peak
        using var a = randn(gemm, gemm);
        using var b = randn(gemm, gemm);
        Contender sgemm = new($"libtorch sgemm {gemm}^3 (reference)", "tensors", 2.0 * gemm * gemm * gemm, () =>
        {
            using var p = a.matmul(b);
        });
        AnsiConsole.MarkupLine(BenchReport.Invariant($"  {Markup.Escape(c.Name)}: managed flash vs SDPA, max rel diff {contenders.ManagedVersusSdpa:E1}"));

        IReadOnlyList<Samples> samples = InterleavedTiming.Run([.. contenders.All, sgemm], settings.Rounds, settings.SampleMilliseconds / 1000.0, settings.SettleMilliseconds);
        return samples.Select(s => BenchRow.From(c.Name, s, samples[0])).ToList();
    }

    /// <summary>One case of the table.</summary>
    private sealed record AttentionCase(string Name, int NumHeads, int SeqLen, int HeadDim, bool IsCausal);
}
