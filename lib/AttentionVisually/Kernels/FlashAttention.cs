using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AttentionVisually.Checks;

namespace AttentionVisually.Kernels;

/// <summary>
/// Fast CPU attention, O = softmax(Q K^T / sqrt(dK) + causal mask) V, by the online-softmax (flash-style)
/// algorithm of FlashAttention (Dao et al. 2022, Algorithm 1): blocks of queries against blocks of keys,
/// a running max and running sum per query, so the (nQ, nK) pattern never exists. Working memory is a
/// packed copy of K and V plus a few tiles per core, independent of nQ.
/// </summary>
/// <remarks>
/// <para>Causal masking is top-left aligned: query i sees key j iff j &lt;= i. Tiles entirely above the
/// diagonal are skipped; tiles crossing it are masked exactly with -infinity, so they contribute exp(-inf) = 0.</para>
/// <para>Query blocks run in parallel (one worker per core, largest causal blocks first). Inside a tile,
/// Q K^T and P V are 4 x 16 register-blocked Vector256 micro-kernels with fused multiply-add where the
/// processor has it; without 256-bit acceleration the same tiling runs as scalar code.</para>
/// </remarks>
public static class FlashAttention
{
    /// <summary>Queries per block: the unit of parallel work.</summary>
    public const int QueryBlockSize = 64;

    /// <summary>Keys per block: one packed K^T tile of (dK, 64) and one V tile of (64, dV).</summary>
    public const int KeyBlockSize = 64;

    /// <summary>
    /// Computes softmax(Q K^T / sqrt(dK) + mask) V over row-major buffers. Inputs are never written.
    /// </summary>
    /// <param name="q">Queries, row-major (nQ, dK).</param>
    /// <param name="k">Keys, row-major (nK, dK).</param>
    /// <param name="v">Values, row-major (nK, dV).</param>
    /// <param name="output">Receives the result, row-major (nQ, dV); must not overlap an input.</param>
    /// <param name="nQ">Number of queries (rows of q).</param>
    /// <param name="nK">Number of keys and values.</param>
    /// <param name="dK">Query and key dimension.</param>
    /// <param name="dV">Value dimension.</param>
    /// <param name="isCausal">Whether query i sees only keys j &lt;= i.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative.</exception>
    /// <exception cref="ArgumentException">A buffer length disagrees with its shape, <paramref name="output"/>
    /// overlaps an input, an input holds NaN or infinity (the message gives its position), or q · k or a weighted
    /// sum of values could overflow float (the same rules as every other engine).</exception>
    public static void Compute(
        ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int nQ, int nK, int dK, int dV, bool isCausal)
    {
        Compute(q, k, v, output, nQ, nK, dK, dV, isCausal, MatrixLayout.RowMajor);
    }

    /// <summary>
    /// As the public overload, with a choice of layout (shared by all four buffers), path and parallelism.
    /// <paramref name="valuesChecked"/> says the caller has already applied the value rules of
    /// <see cref="AttentionInputs"/> (finite, no overflow) to the same numbers, so they are not applied twice.
    /// </summary>
    internal static unsafe void Compute(
        ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int nQ, int nK, int dK, int dV, bool isCausal, MatrixLayout layout,
        KernelPath path = KernelPath.Auto, int maxDegreeOfParallelism = -1, bool valuesChecked = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nQ);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dV);
        CheckLength(q.Length, nQ, dK, nameof(q), "(nQ, dK)");
        CheckLength(k.Length, nK, dK, nameof(k), "(nK, dK)");
        CheckLength(v.Length, nK, dV, nameof(v), "(nK, dV)");
        CheckLength(output.Length, nQ, dV, nameof(output), "(nQ, dV)");
        if (output.Overlaps(q) || output.Overlaps(k) || output.Overlaps(v))
        {
            throw new ArgumentException("output overlaps q, k or v; the kernel never writes into its inputs.", nameof(output));
        }

        if (!valuesChecked)
        {
            bool rowMajor = layout == MatrixLayout.RowMajor;
            double maxQ = AttentionInputs.MaxMagnitude(q, nQ, dK, rowMajor, new(nameof(q)));
            double maxK = AttentionInputs.MaxMagnitude(k, nK, dK, rowMajor, new(nameof(k)));
            double maxV = AttentionInputs.MaxMagnitude(v, nK, dV, rowMajor, new(nameof(v)));
            AttentionInputs.ScoresFit(maxQ, maxK, dK, new(nameof(q)), new(nameof(k)));
            AttentionInputs.ValuesFit(maxV, nK, new(nameof(v)));
        }

        fixed (float* qData = q, kData = k, vData = v, oData = output)
        {
            Run(
                StridedMatrix.Create(qData, nQ, dK, layout),
                StridedMatrix.Create(kData, nK, dK, layout),
                StridedMatrix.Create(vData, nK, dV, layout),
                StridedMatrix.Create(oData, nQ, dV, layout),
                isCausal,
                path,
                maxDegreeOfParallelism);
        }
    }

    /// <summary>
    /// Bytes of working memory one call allocates besides its inputs and output: packed K^T and V (both
    /// padded to whole key blocks of 64) and one set of tiles per core in use. It does not grow with
    /// <paramref name="nQ"/>, and it is linear in <paramref name="nK"/> where the explicit pattern is nQ * nK.
    /// </summary>
    /// <param name="nQ">Number of queries.</param>
    /// <param name="nK">Number of keys and values.</param>
    /// <param name="dK">Query and key dimension.</param>
    /// <param name="dV">Value dimension.</param>
    /// <returns>The bytes one call allocates on this machine's core count.</returns>
    public static long WorkingMemoryBytes(int nQ, int nK, int dK, int dV)
    {
        long packed = PackedKeyFloats(nK, dK) + PackedValueFloats(nK, dV);
        long perWorker = WorkspaceFloats(dK, dV);
        long workers = Math.Min(Environment.ProcessorCount, (nQ + QueryBlockSize - 1) / QueryBlockSize);
        return sizeof(float) * (packed + (workers * perWorker));
    }

    private static unsafe void Run(
        StridedMatrix q, StridedMatrix k, StridedMatrix v, StridedMatrix output,
        bool isCausal, KernelPath path, int maxDegreeOfParallelism)
    {
        bool useVectors = path switch
        {
            KernelPath.Scalar => false,
            KernelPath.Vector256 => true,
            _ => Vector256.IsHardwareAccelerated,
        };
        using var pass = new Pass(q, k, v, output, isCausal, useVectors);
        int cores = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        int workers = Math.Min(cores, pass.QueryBlocks);
        if (workers <= 1)
        {
            pass.Work();
        }
        else
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => pass.Work());
        }
    }

    private static long PackedKeyFloats(int nK, int dK) => (long)KeyBlocks(nK) * KeyBlockSize * dK;

    private static long PackedValueFloats(int nK, int dV) => (long)KeyBlocks(nK) * KeyBlockSize * PaddedValueDim(dV);

    private static long WorkspaceFloats(int dK, int dV) =>
        ((long)QueryBlockSize * (KeyBlockSize + PaddedValueDim(dV) + dK)) + (3 * QueryBlockSize);

    private static int KeyBlocks(int nK) => (nK + KeyBlockSize - 1) / KeyBlockSize;

    private static int PaddedValueDim(int dV) => RoundUp(dV, AttentionTile.ColsPerStep);

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static void CheckLength(int length, int rows, int cols, string name, string shapeName)
    {
        if (length != (long)rows * cols)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name} has {length} elements but {shapeName} = ({rows}, {cols}) needs {(long)rows * cols}."),
                name);
        }
    }

    /// <summary>
    /// One call's shared state: the packed keys and values, the inputs and output, and a counter that hands
    /// query blocks to workers.
    /// </summary>
    private sealed unsafe class Pass : IDisposable
    {
        private readonly StridedMatrix q;
        private readonly StridedMatrix output;
        private readonly bool isCausal;
        private readonly bool useVectors;
        private readonly int dK;
        private readonly int dV;
        private readonly int dVPad;
        private readonly int nK;
        private readonly int keyBlocks;
        private readonly float scale;
        private readonly float* kPacked; // (keyBlocks, dK, KeyBlockSize): each block is K^T of 64 keys
        private readonly float* vPacked; // (keyBlocks * KeyBlockSize, dVPad)
        private int nextTask;

        public Pass(StridedMatrix q, StridedMatrix k, StridedMatrix v, StridedMatrix output, bool isCausal, bool useVectors)
        {
            this.q = q;
            this.output = output;
            this.isCausal = isCausal;
            this.useVectors = useVectors;
            dK = q.Cols;
            dV = v.Cols;
            dVPad = PaddedValueDim(dV);
            nK = k.Rows;
            keyBlocks = KeyBlocks(nK);
            QueryBlocks = (q.Rows + QueryBlockSize - 1) / QueryBlockSize;

            // Dividing by sqrt(dK) keeps the scores at unit variance when q and k entries are; it is folded
            // into the packed queries, so it costs nothing per score.
            scale = 1f / MathF.Sqrt(dK);

            kPacked = Allocate(PackedKeyFloats(nK, dK));
            vPacked = Allocate(PackedValueFloats(nK, dV));
            PackKeys(k);
            PackValues(v);
        }

        public int QueryBlocks { get; }

        public void Dispose()
        {
            NativeMemory.AlignedFree(kPacked);
            NativeMemory.AlignedFree(vPacked);
        }

        /// <summary>Takes query blocks until none is left. Causal blocks go largest first, to balance the cores.</summary>
        public void Work()
        {
            float* workspace = Allocate(WorkspaceFloats(dK, dV));
            try
            {
                var tiles = new Tiles(workspace, dK, dVPad);
                while (true)
                {
                    int task = Interlocked.Increment(ref nextTask) - 1;
                    if (task >= QueryBlocks)
                    {
                        return;
                    }

                    ProcessQueryBlock(isCausal ? QueryBlocks - 1 - task : task, tiles);
                }
            }
            finally
            {
                NativeMemory.AlignedFree(workspace);
            }
        }

        private static float* Allocate(long floats) =>
            (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);

        /// <summary>Each block of 64 keys becomes one K^T tile (dK, 64); keys past nK are zero.</summary>
        private void PackKeys(StridedMatrix k)
        {
            NativeMemory.Clear(kPacked, (nuint)(PackedKeyFloats(nK, dK) * sizeof(float)));
            for (int block = 0; block < keyBlocks; block++)
            {
                int j0 = block * KeyBlockSize;
                k.ReadRowsTransposed(j0, Math.Min(KeyBlockSize, nK - j0), kPacked + ((long)block * dK * KeyBlockSize), KeyBlockSize);
            }
        }

        /// <summary>V as rows of dVPad floats; padding columns and keys past nK are zero.</summary>
        private void PackValues(StridedMatrix v)
        {
            NativeMemory.Clear(vPacked, (nuint)(PackedValueFloats(nK, dV) * sizeof(float)));
            for (int block = 0; block < keyBlocks; block++)
            {
                int j0 = block * KeyBlockSize;
                v.ReadRows(j0, Math.Min(KeyBlockSize, nK - j0), vPacked + ((long)j0 * dVPad), dVPad, 1f);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ProcessQueryBlock(int block, Tiles t)
        {
            int i0 = block * QueryBlockSize;
            int rowsValid = Math.Min(QueryBlockSize, q.Rows - i0);
            int rows = RoundUp(rowsValid, AttentionTile.RowsPerStep);

            new Span<float>(t.Q, rows * dK).Clear(); // padding rows are zero queries
            q.ReadRows(i0, rowsValid, t.Q, dK, scale);
            for (int r = 0; r < rows; r++)
            {
                t.RowMax[r] = float.NegativeInfinity;
                t.RowSum[r] = 0f;
            }

            new Span<float>(t.O, rows * dVPad).Clear();

            // Causal: key blocks that start after this block's last query are never visited.
            int lastQuery = i0 + rowsValid - 1;
            int blocksToVisit = isCausal ? Math.Min(keyBlocks, (lastQuery / KeyBlockSize) + 1) : keyBlocks;
            for (int kb = 0; kb < blocksToVisit; kb++)
            {
                int j0 = kb * KeyBlockSize;
                int keysValid = Math.Min(KeyBlockSize, nK - j0);
                int cols = RoundUp(keysValid, AttentionTile.ColsPerStep);
                float* kTile = kPacked + ((long)kb * dK * KeyBlockSize); // (dK, 64)
                float* vTile = vPacked + ((long)j0 * dVPad);             // (64, dVPad)

                if (useVectors)
                {
                    AttentionTile.ScoresVector(t.Q, dK, kTile, KeyBlockSize, t.S, KeyBlockSize, rows, cols);
                }
                else
                {
                    AttentionTile.ScoresScalar(t.Q, dK, kTile, KeyBlockSize, t.S, KeyBlockSize, rows, cols);
                }

                bool crossesDiagonal = isCausal && j0 + cols - 1 > i0;
                if (keysValid < cols || crossesDiagonal)
                {
                    Mask(t.S, rows, cols, i0, j0, keysValid);
                }

                if (useVectors)
                {
                    AttentionTile.SoftmaxUpdateVector(t.S, KeyBlockSize, rows, cols, t.RowMax, t.RowSum, t.Correction);
                    AttentionTile.AccumulateValuesVector(t.S, KeyBlockSize, vTile, t.O, dVPad, t.Correction, rows, keysValid);
                }
                else
                {
                    AttentionTile.SoftmaxUpdateScalar(t.S, KeyBlockSize, rows, cols, t.RowMax, t.RowSum, t.Correction);
                    AttentionTile.AccumulateValuesScalar(t.S, KeyBlockSize, vTile, t.O, dVPad, t.Correction, rows, keysValid);
                }
            }

            for (int r = 0; r < rowsValid; r++)
            {
                // rowSum >= 1 whenever a key is visible (the max contributes exp(0)); a row with no visible key gives zeros.
                t.Correction[r] = t.RowSum[r] > 0f ? 1f / t.RowSum[r] : 0f;
            }

            output.WriteRows(i0, rowsValid, t.O, dVPad, t.Correction);
        }

        /// <summary>
        /// Sets to -infinity the scores of padding keys and, when causal, of keys after the query. -infinity
        /// and not a large negative number: exp gives exactly 0, so masked keys get exactly zero weight.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Mask(float* s, int rows, int cols, int i0, int j0, int keysValid)
        {
            for (int r = 0; r < rows; r++)
            {
                int visible = isCausal ? Math.Min(keysValid, i0 + r - j0 + 1) : keysValid;
                float* row = s + (r * KeyBlockSize);
                for (int c = Math.Max(visible, 0); c < cols; c++)
                {
                    row[c] = float.NegativeInfinity;
                }
            }
        }
    }

    /// <summary>One worker's tiles, carved from one aligned allocation.</summary>
    private readonly unsafe struct Tiles
    {
        public Tiles(float* workspace, int dK, int dVPad)
        {
            S = workspace;                                   // (64, 64) scores, then weights
            O = S + (QueryBlockSize * KeyBlockSize);         // (64, dVPad) running output
            Q = O + (QueryBlockSize * dVPad);                // (64, dK) scaled queries
            RowMax = Q + (QueryBlockSize * dK);              // (64) running max
            RowSum = RowMax + QueryBlockSize;                // (64) running sum
            Correction = RowSum + QueryBlockSize;            // (64) exp(oldMax - newMax) of the last tile
        }

        public float* S { get; }

        public float* O { get; }

        public float* Q { get; }

        public float* RowMax { get; }

        public float* RowSum { get; }

        public float* Correction { get; }
    }
}
