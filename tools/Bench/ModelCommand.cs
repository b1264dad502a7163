using System.ComponentModel;
using AttentionVisually.RealModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>model</c> command: all-MiniLM-L6-v2's forward pass in managed code (<see cref="MiniLm.Forward(TokenizedText, IAttentionEngine?)"/>)
/// against ONNX Runtime's (<see cref="MiniLmOnnxRuntime.LastHiddenState"/>), interleaved, on the same token sequence of
/// each length: with the flash kernel for the heads and the products on the managed tiled kernel (the default) or on OpenBLAS (where it loads),
/// and the course's default (explicit heads that keep every pattern). The ratio is ONNX Runtime's time / the managed time.
/// </summary>
internal sealed class ModelCommand : Command<ModelCommand.Settings>
{
    private const string Sentence = "a fluffy blue creature roamed the verdant forest while the tower stood tall in the city of paris";

    /// <summary>The options of <c>model</c>.</summary>
    public sealed class Settings : InterleavedSettings
    {
        [CommandOption("--tokens <LIST>")]
        [Description("Token counts (including [[CLS]] and [[SEP]]), comma-separated.")]
        [DefaultValue("16,128")]
        public string Tokens { get; init; } = "16,128";

        /// <summary>The parsed token counts.</summary>
        public int[] TokenList => AttentionCommand.Settings.ParseInts(Tokens);
    }

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var machine = Machine.Describe(Environment.ProcessorCount);
        AnsiConsole.MarkupLine($"[bold]MiniLM forward pass, managed against ONNX Runtime[/] ({Markup.Escape(machine.Summary)})");
        MiniLm model = MiniLm.Shared;
        var flash = new ManagedAttentionEngine();
        var rows = new List<BenchRow>();
        foreach (int count in settings.TokenList)
        {
            TokenizedText tokens = TokensOfLength(model, count);
            string name = $"MiniLM, {tokens.Count} tokens";
            var contenders = new List<Contender>
            {
                new("ONNX Runtime", "ONNX tensors", double.NaN, () => MiniLmOnnxRuntime.LastHiddenState(tokens)),
                new("managed, flash heads, managed products", "MathNet matrices", double.NaN, () => MatrixProducts.WithManaged(() => model.Forward(tokens, flash))),
                new("managed, explicit heads + patterns, managed products", "MathNet matrices", double.NaN, () => MatrixProducts.WithManaged(() => model.Forward(tokens))),
            };
            if (MatrixProducts.OpenBlasAvailable)
            {
                contenders.Insert(2, new("managed, flash heads, OpenBLAS products", "MathNet matrices", double.NaN,
                    () => MatrixProducts.Using(ProductRoute.OpenBlas, () => model.Forward(tokens, flash))));
            }

            rows.AddRange(settings.Measure(name, contenders));
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("case").AddColumn("engine")
            .AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("min-max ms").RightAligned())
            .AddColumn(new TableColumn("x ONNX Runtime speed (min-max)").RightAligned());
        foreach (BenchRow r in rows)
        {
            table.AddRow(Markup.Escape(r.Case), Markup.Escape(r.Engine), BenchReport.Invariant($"{r.MedianMs:F2}"),
                BenchReport.Invariant($"{r.MinMs:F2}-{r.MaxMs:F2}"), BenchReport.Invariant($"{r.SpeedRatio:F2} ({r.SpeedRatioMin:F2}-{r.SpeedRatioMax:F2})"));
        }

        table.Caption(BenchReport.Invariant($"Median of {settings.Rounds} interleaved rounds; ratio = ONNX Runtime's time / the engine's time in the same round."));
        AnsiConsole.Write(table);
        if (settings.Json is { } path)
        {
            BenchReport.WriteJson(path, machine, settings, rows);
        }

        return 0;
    }

    /// <summary>Words of the sentence, repeated, until the tokenizer gives exactly <paramref name="count"/> tokens.</summary>
    private static TokenizedText TokensOfLength(MiniLm model, int count)
    {
        string[] words = Sentence.Split(' ');
        var text = new List<string>();
        for (int i = 0; model.Tokenize(string.Join(' ', text)).Count < count; i++)
        {
            text.Add(words[i % words.Length]);
            if (model.Tokenize(string.Join(' ', text)).Count > count)
            {
                text[^1] = "the"; // one token: lands exactly on count
            }
        }

        return model.Tokenize(string.Join(' ', text));
    }
}
