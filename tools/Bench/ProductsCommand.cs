using MathNet.Numerics.LinearAlgebra;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>products</c> command: the forward passes' product Y = X Wᵀ on each route of <see cref="MatrixProducts"/>
/// (the managed tiled kernel, OpenBLAS where it loads) and on MathNet's own provider, interleaved, for the shapes of
/// MiniLM's layers at 16 and 128 tokens and a square 1024 product. Ratios are to the managed route in the same rounds.
/// </summary>
internal sealed class ProductsCommand : Command<ProductsCommand.Settings>
{
    /// <summary>The options of <c>products</c>.</summary>
    public sealed class Settings : InterleavedSettings;

    /// <summary>(tokens, dIn, dOut): MiniLM's projections (384 to 384), feed-forward up (384 to 1536) and down, and a square product.</summary>
    private static readonly (int M, int K, int N)[] Shapes =
    [
        (16, 384, 384), (16, 384, 1536), (16, 1536, 384),
        (32, 384, 1536), (64, 384, 1536),
        (128, 384, 384), (128, 384, 1536), (128, 1536, 384),
        (1024, 1024, 1024),
    ];

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var machine = Machine.Describe(Environment.ProcessorCount);
        AnsiConsole.MarkupLine($"[bold]Y = X Wᵀ on each route[/] ({Markup.Escape(machine.Summary)})");
        var rows = new List<BenchRow>();
        var random = new Random(1);
        foreach ((int m, int k, int n) in Shapes)
        {
            var x = Matrix<float>.Build.Dense(m, k, (_, _) => (float)(random.NextDouble() - 0.5));
            var w = Matrix<float>.Build.Dense(n, k, (_, _) => (float)(random.NextDouble() - 0.5));
            double flops = 2.0 * m * k * n;
            var contenders = new List<Contender>
            {
                new("managed tiled kernel", "MathNet matrices", flops, () => MatrixProducts.WithManaged(() => MatrixProducts.MultiplyTransposed(x, w))),
            };
            float[] xData = x.AsColumnMajorArray(), wData = w.AsColumnMajorArray();
            contenders.Add(new("managed tiled kernel, 1 thread", "float arrays", flops,
                () => Kernels.TiledProduct.MultiplyTransposed(xData, m, k, wData, n, bias: null, maxDegreeOfParallelism: 1)));
            if (MatrixProducts.OpenBlasAvailable)
            {
                contenders.Add(new("OpenBLAS cblas_sgemm", "MathNet matrices", flops,
                    () => MatrixProducts.Using(ProductRoute.OpenBlas, () => MatrixProducts.MultiplyTransposed(x, w))));
            }

            contenders.Add(new($"MathNet ({MatrixProducts.MathNetProvider} provider)", "MathNet matrices", flops, () => x.TransposeAndMultiply(w)));
            rows.AddRange(settings.Measure($"({m} x {k}) ({k} x {n})", contenders));
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumn("case").AddColumn("route")
            .AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("GFLOP/s").RightAligned())
            .AddColumn(new TableColumn("x managed speed (min-max)").RightAligned());
        foreach (BenchRow r in rows)
        {
            table.AddRow(Markup.Escape(r.Case), Markup.Escape(r.Engine), BenchReport.Invariant($"{r.MedianMs:F3}"), BenchReport.Invariant($"{r.GFlops:F1}"),
                BenchReport.Invariant($"{r.SpeedRatio:F2} ({r.SpeedRatioMin:F2}-{r.SpeedRatioMax:F2})"));
        }

        table.Caption(BenchReport.Invariant($"Median of {settings.Rounds} interleaved rounds; ratio = the managed route's time / the row's time in the same round."));
        AnsiConsole.Write(table);
        if (settings.Json is { } path)
        {
            BenchReport.WriteJson(path, machine, settings, rows);
        }

        return 0;
    }
}
