using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AttentionVisually.Kernels;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace AttentionVisually.Bench;

/// <summary>
/// The <c>tile</c> command: the flash kernel's three steps on one (64 keys, 64 queries) tile held in cache, on one
/// core, for d = 64 and 128 and each vector path: the score product Sᵀ = K Qᵀ, the online-softmax update, and
/// O = diag(c) O + P V; with libtorch's sgemm on one thread as the core's practical peak, interleaved with them.
/// It shows how close the micro-kernels come to the core's peak and what share of a tile the softmax takes.
/// </summary>
internal sealed unsafe class TileCommand : Command<TileCommand.Settings>
{
    private const int Tile = 64;

    /// <summary>The options of <c>tile</c>.</summary>
    public sealed class Settings : InterleavedSettings;

    /// <inheritdoc />
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var machine = Machine.Describe(1);
        AnsiConsole.MarkupLine($"[bold]One tile of the flash kernel on one core[/] ({Markup.Escape(machine.Summary)})");
        set_num_threads(1);
        const int gemm = 512;
        using var a = randn(gemm, gemm);
        using var b = randn(gemm, gemm);
        var buffers = new List<nint>();
        var random = new Random(1);
        float* Buffer(int floats)
        {
            var p = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            buffers.Add((nint)p);
            for (int i = 0; i < floats; i++)
            {
                p[i] = (float)(random.NextDouble() - 0.5);
            }

            return p;
        }

        try
        {
            var rows = new List<BenchRow>();
            var paths = new List<KernelPath>();
            if (Vector512.IsHardwareAccelerated)
            {
                paths.Add(KernelPath.Vector512);
            }

            if (Vector256.IsHardwareAccelerated)
            {
                paths.Add(KernelPath.Vector256);
            }

            foreach (int d in new[] { 64, 128 })
            {
                float* k = Buffer(Tile * d), qT = Buffer(d * Tile), s = Buffer(Tile * Tile), v = Buffer(Tile * d), o = Buffer(Tile * d);
                float* scale = Buffer(Tile), max = Buffer(Tile), sum = Buffer(Tile), correction = Buffer(Tile);
                new Span<float>(scale, Tile).Fill(1f);
                double flops = 2.0 * Tile * Tile * d;
                var contenders = new List<Contender>
                {
                    new($"libtorch sgemm {gemm}^3, 1 thread (reference)", "tensors", 2.0 * gemm * gemm * gemm, () =>
                    {
                        using var p = a.matmul(b);
                    }),
                };
                foreach (KernelPath kernelPath in paths)
                {
                    bool wide = kernelPath == KernelPath.Vector512;
                    contenders.Add(new($"{kernelPath}: scores S^T = K Q^T", "tile", flops, () =>
                    {
                        if (wide) AttentionTile512.Product(k, d, 1, d, qT, Tile, s, Tile, Tile, Tile, null);
                        else AttentionTile.ProductVector(k, d, 1, d, qT, Tile, s, Tile, Tile, Tile, null);
                    }));
                    contenders.Add(new($"{kernelPath}: online-softmax update", "tile", double.NaN, () =>
                    {
                        new Span<float>(max, Tile).Fill(float.NegativeInfinity);
                        new Span<float>(sum, Tile).Clear();
                        if (wide) AttentionTile512.SoftmaxUpdate(s, Tile, Tile, Tile, max, sum, correction);
                        else AttentionTile.SoftmaxUpdateVector(s, Tile, Tile, Tile, max, sum, correction);
                    }));
                    contenders.Add(new($"{kernelPath}: O = diag(c) O + P V", "tile", flops, () =>
                    {
                        if (wide) AttentionTile512.Product(s, 1, Tile, Tile, v, d, o, d, Tile, d, scale);
                        else AttentionTile.ProductVector(s, 1, Tile, Tile, v, d, o, d, Tile, d, scale);
                    }));
                }

                rows.AddRange(settings.Measure($"d = {d}", contenders));
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("case").AddColumn("step")
                .AddColumn(new TableColumn("median us").RightAligned()).AddColumn(new TableColumn("GFLOP/s").RightAligned())
                .AddColumn(new TableColumn("share of the tile").RightAligned());
            foreach (var group in rows.GroupBy(r => (r.Case, Path: r.Engine.Split(':')[0])))
            {
                double tileUs = group.Where(r => r.Engine.Contains(':', StringComparison.Ordinal)).Sum(r => r.MedianMs * 1e3);
                foreach (BenchRow r in group)
                {
                    bool step = r.Engine.Contains(':', StringComparison.Ordinal);
                    table.AddRow(Markup.Escape(r.Case), Markup.Escape(r.Engine), BenchReport.Invariant($"{r.MedianMs * 1e3:F2}"),
                        double.IsNaN(r.GFlops) ? "-" : BenchReport.Invariant($"{r.GFlops:F0}"), step ? BenchReport.Invariant($"{r.MedianMs * 1e3 / tileUs:P0}") : "-");
                }
            }

            table.Caption(BenchReport.Invariant($"Median of {settings.Rounds} interleaved rounds on one thread; a tile is 64 keys x 64 queries; GFLOP/s count 2 per multiply-add."));
            AnsiConsole.Write(table);
            if (settings.Json is { } path)
            {
                BenchReport.WriteJson(path, machine, settings, rows);
            }

            return 0;
        }
        finally
        {
            foreach (nint p in buffers)
            {
                NativeMemory.AlignedFree((void*)p);
            }
        }
    }
}
