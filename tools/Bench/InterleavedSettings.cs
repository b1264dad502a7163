using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AttentionVisually.Bench;

/// <summary>The options every interleaved timing command shares: rounds, the shortest sample, and a JSON file.</summary>
internal abstract class InterleavedSettings : CommandSettings
{
    [CommandOption("--rounds <N>")]
    [Description("Interleaved rounds.")]
    [DefaultValue(7)]
    public int Rounds { get; init; } = 7;

    [CommandOption("--sample-ms <MS>")]
    [Description("Shortest sample.")]
    [DefaultValue(100)]
    public int SampleMilliseconds { get; init; } = 100;

    [CommandOption("--settle-ms <MS>")]
    [Description("Pause before each sample, so worker threads the previous row left spinning (ONNX Runtime's, OpenBLAS's, libtorch's) go idle.")]
    [DefaultValue(50)]
    public int SettleMilliseconds { get; init; } = 50;

    [CommandOption("--json <FILE>")]
    [Description("Also write the rows as JSON.")]
    public string? Json { get; init; }

    /// <summary>Times <paramref name="contenders"/> interleaved with these settings; each row's ratio is to the first contender.</summary>
    public IEnumerable<BenchRow> Measure(string caseName, IReadOnlyList<Contender> contenders)
    {
        var samples = InterleavedTiming.Run(contenders, Rounds, SampleMilliseconds / 1000.0, SettleMilliseconds);
        return samples.Select(s => BenchRow.From(caseName, s, samples[0]));
    }

    /// <inheritdoc />
    public override ValidationResult Validate() =>
        Rounds < 1 || SampleMilliseconds < 1 || SettleMilliseconds < 0
            ? ValidationResult.Error("--rounds and --sample-ms must be at least 1, --settle-ms at least 0.") : ValidationResult.Success();
}
