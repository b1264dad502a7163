using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AttentionVisually.Kernels;

/// <summary>
/// The managed matrix product of the forward passes, Y = X Wᵀ (+ b), on the register-blocked micro-kernels of the
/// flash kernel (<see cref="AttentionTile512.Product"/>, <see cref="AttentionTile.ProductVector"/>): each entry of
/// X is broadcast against 32 consecutive outputs of a row of Wᵀ, which is a column of W as MathNet stores it, so
/// neither factor is copied when the sizes are whole steps. Blocks of 32 outputs are shared between the cores.
/// This is <see cref="MatrixProducts"/>'s route <see cref="ProductRoute.Managed"/>.
/// </summary>
internal static unsafe class TiledProduct
{
    // Below this many multiply-adds a product takes a few microseconds, less than waking a second core.
    private const long ParallelThreshold = 1L << 21;

    /// <summary>Y = X Wᵀ + b, column-major, as MathNet stores dense matrices.</summary>
    /// <param name="x">X, column-major (m, k).</param>
    /// <param name="m">Rows of X and Y (tokens).</param>
    /// <param name="k">Columns of X and of W (dIn).</param>
    /// <param name="w">W, column-major (n, k): the course's (dOut, dIn) weights.</param>
    /// <param name="n">Rows of W, columns of Y (dOut).</param>
    /// <param name="bias">b, length n, or null for none.</param>
    /// <param name="path">The instruction path (tests force each one).</param>
    /// <param name="maxDegreeOfParallelism">How many cores to use at most; -1 uses them all.</param>
    /// <returns>Y, column-major (m, n).</returns>
    public static float[] MultiplyTransposed(
        float[] x, int m, int k, float[] w, int n, float[]? bias, KernelPath path = KernelPath.Auto, int maxDegreeOfParallelism = -1)
    {
        var y = new float[m * n];
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            int cores = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
            int threads = (long)m * n * k < ParallelThreshold ? 1 : cores;
            using var job = new Job(px, m, k, pw, n, pb, path == KernelPath.Auto ? FlashAttention.AutoPath : path, threads);
            int workers = Math.Min(threads, job.Tasks);
            KernelWorkers.Shared.Run(workers, job.Work); // on this thread alone when workers is 1

            // (m, n) row-major with stride colsPad, into (m, n) column-major.
            AttentionTile.TransposeScaled(job.Y, job.ColsPad, m, n, py, m, 1f);
        }

        return y;
    }

    /// <summary>One product's operands, padded where the micro-kernels' steps need it, and a counter of column blocks.</summary>
    private sealed class Job : IDisposable
    {
        private readonly KernelPath path;
        private readonly int k;
        private readonly int rowsPad;
        private readonly float* x;       // (rowsPad, k) column-major: X itself when m is a whole number of row steps
        private readonly float* wT;      // (k, ColsPad) row-major: W's own columns when n is a whole number of column steps
        private readonly float* ones;    // rowsPad ones: the micro-kernel's row scale, so that it adds to the bias in Y
        private readonly long xCopyFloats;
        private readonly long wCopyFloats;
        private readonly long yFloats;
        private int nextTask = -1;

        /// <summary>Most column blocks of 32 per task: 256 outputs, so that a task's share of a row of Wᵀ stays a few cache lines.</summary>
        private const int MaxBlocksPerTask = 8;

        private readonly int blocksPerTask;

        /// <summary>Terms of the sum over k per pass over a task's blocks.</summary>
        private const int DepthChunk = 32;

        public Job(float* x, int m, int k, float* w, int n, float* bias, KernelPath path, int threads)
        {
            this.path = path;
            this.k = k;
            rowsPad = RoundUp(m, AttentionTile512.RowsPerStep);
            ColsPad = RoundUp(n, AttentionTile512.ColsPerStep);
            // Two tasks per thread at least, of equal size where the blocks divide: 12 blocks (384 outputs) on two
            // threads are four tasks of 3, not a task of 8 and one of 4 that leaves a core idle for a third of the time.
            int blocks = ColsPad / AttentionTile512.ColsPerStep;
            blocksPerTask = Math.Clamp((blocks + (2 * threads) - 1) / (2 * threads), 1, MaxBlocksPerTask);
            Tasks = (blocks + blocksPerTask - 1) / blocksPerTask;
            if (rowsPad == m)
            {
                this.x = x;
            }
            else
            {
                xCopyFloats = (long)rowsPad * k;
                this.x = NativeBuffers.Shared.Rent(xCopyFloats);
                NativeMemory.Clear(this.x, (nuint)(xCopyFloats * sizeof(float)));
                for (int p = 0; p < k; p++)
                {
                    new ReadOnlySpan<float>(x + ((long)p * m), m).CopyTo(new Span<float>(this.x + ((long)p * rowsPad), m));
                }
            }

            if (ColsPad == n)
            {
                wT = w;
            }
            else
            {
                wCopyFloats = (long)k * ColsPad;
                wT = NativeBuffers.Shared.Rent(wCopyFloats);
                NativeMemory.Clear(wT, (nuint)(wCopyFloats * sizeof(float)));
                for (int p = 0; p < k; p++)
                {
                    new ReadOnlySpan<float>(w + ((long)p * n), n).CopyTo(new Span<float>(wT + ((long)p * ColsPad), n));
                }
            }

            // Y starts as the bias in every row (or zero), and the products are added to it.
            yFloats = ((long)rowsPad * ColsPad) + rowsPad;
            Y = NativeBuffers.Shared.Rent(yFloats);
            ones = Y + ((long)rowsPad * ColsPad);
            new Span<float>(ones, rowsPad).Fill(1f);
            for (int r = 0; r < rowsPad; r++)
            {
                var row = new Span<float>(Y + ((long)r * ColsPad), ColsPad);
                row.Clear();
                if (bias != null)
                {
                    new ReadOnlySpan<float>(bias, n).CopyTo(row);
                }
            }
        }

        /// <summary>Y, (rowsPad, ColsPad) row-major.</summary>
        public float* Y { get; }

        /// <summary>Columns of <see cref="Y"/>: n rounded up to a whole number of 32-column steps.</summary>
        public int ColsPad { get; }

        /// <summary>Number of tasks: ranges of column blocks.</summary>
        public int Tasks { get; }

        public void Dispose()
        {
            if (xCopyFloats > 0)
            {
                NativeBuffers.Shared.Return(x, xCopyFloats);
            }

            if (wCopyFloats > 0)
            {
                NativeBuffers.Shared.Return(wT, wCopyFloats);
            }

            NativeBuffers.Shared.Return(Y, yFloats);
        }

        /// <summary>
        /// Takes ranges of up to <see cref="MaxBlocksPerTask"/> 32-column blocks until none is left. Within a range the sum over
        /// k goes in chunks of <see cref="DepthChunk"/>, and each chunk sweeps every block of the range: consecutive
        /// reads of a row of Wᵀ then land on consecutive cache lines, which the processor prefetches, where a whole
        /// column block at once would jump a row of W (dOut floats) at every step. Y holds the partial sums between
        /// chunks (the micro-kernel's row scale of ones adds to it).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Work()
        {
            const int step = AttentionTile512.ColsPerStep;
            int task, blocks = ColsPad / step;
            while ((task = Interlocked.Increment(ref nextTask)) < Tasks)
            {
                int firstBlock = task * blocksPerTask, lastBlock = Math.Min(blocks, firstBlock + blocksPerTask);
                for (int p0 = 0; p0 < k; p0 += DepthChunk)
                {
                    int depth = Math.Min(DepthChunk, k - p0);
                    float* a = x + ((long)p0 * rowsPad);
                    for (int block = firstBlock; block < lastBlock; block++)
                    {
                        float* b = wT + ((long)p0 * ColsPad) + (block * step), c = Y + (block * step);
                        switch (path)
                        {
                            case KernelPath.Vector512:
                                AttentionTile512.Product(a, 1, rowsPad, depth, b, ColsPad, c, ColsPad, rowsPad, step, ones);
                                break;
                            case KernelPath.Vector256:
                                AttentionTile.ProductVector(a, 1, rowsPad, depth, b, ColsPad, c, ColsPad, rowsPad, step, ones);
                                break;
                            default:
                                AttentionTile.ProductScalar(a, 1, rowsPad, depth, b, ColsPad, c, ColsPad, rowsPad, step, ones);
                                break;
                        }
                    }
                }
            }
        }

        private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
    }
}
