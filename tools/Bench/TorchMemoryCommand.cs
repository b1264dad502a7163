using System.ComponentModel;
using System.Globalization;
using AttentionVisually.Torch;
using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>torch-memory</c> command: calls each TorchSharp engine many times on the same small inputs and samples
/// the process's resident memory (VmRSS), which stays flat when every temporary tensor is disposed.
/// </summary>
internal sealed class TorchMemoryCommand : Command<TorchMemoryCommand.Settings>
{
    /// <summary>The options of <c>torch-memory</c>.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--calls <N>")]
        [Description("Calls per engine.")]
        [DefaultValue(10_000)]
        public int Calls { get; init; } = 10_000;

        [CommandOption("--seq-len <N>")]
        [Description("Sequence length and head dimension of each call.")]
        [DefaultValue(64)]
        public int N { get; init; } = 64;

        /// <inheritdoc />
        public override ValidationResult Validate() =>
            Calls < 1 || N < 1 ? ValidationResult.Error("--calls and --seq-len must be at least 1.") : ValidationResult.Success();
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        TorchRuntime.EnsureAvailable();
        if (!File.Exists("/proc/self/status"))
        {
            Console.Error.WriteLine("Resident memory is read from /proc/self/status, which only Linux has.");
            return 2;
        }

        int n = settings.N;
        Matrix<float> q = Matrix(n, 0), k = Matrix(n, 1), v = Matrix(n, 2);
        Console.WriteLine($"Resident memory (VmRSS) over {settings.Calls:N0} causal calls, n = d = {n}:");
        foreach (TorchAttentionMode mode in new[] { TorchAttentionMode.Explicit, TorchAttentionMode.Fused })
        {
            var engine = new TorchAttentionEngine(mode, TorchDevices.Cpu);
            engine.Attend(q, k, v, isCausal: true);
            var readings = new List<string> { $"0: {RssMiB():F1} MiB" };
            int every = Math.Max(1, settings.Calls / 10);
            for (int i = 1; i <= settings.Calls; i++)
            {
                engine.Attend(q, k, v, isCausal: true);
                if (i % every == 0 || i == settings.Calls)
                {
                    readings.Add($"{i}: {RssMiB():F1} MiB");
                }
            }

            Console.WriteLine($"  {mode,-8} " + string.Join("  ", readings));
        }

        return 0;
    }

    private static Matrix<float> Matrix(int n, int stream) => Init.Normal(n, n, seed: 99 + stream);

    private static double RssMiB()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0;
    }
}
