using System.Globalization;
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
/// <para>Work is split over queries, as in FlashAttention-2 (Dao 2023): each (head, query block) is one task
/// that streams over every key block, so no two workers ever write the same output rows and nothing is
/// reduced across workers; causal tasks go largest first to balance the cores. Normalization is deferred to
/// the end (one division per output row, not per tile). Inside a tile, Q K^T and P V are register-blocked
/// micro-kernels: 8 x 32 of Vector512 where the processor has AVX-512 (<see cref="AttentionTile512"/>),
/// 4 x 16 of Vector256 where it has 256-bit vectors, and scalar code otherwise (<see cref="AttentionTile"/>).</para>
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
    /// Computes every head's softmax(Q_h K_h^T / sqrt(dK) + mask) V_h in one pass over buffers laid out as
    /// tensors of shape (numHeads, n, d), row-major (TorchSharp's contiguous layout). All (head, query block)
    /// pairs share the cores, so many small heads keep both busy where one call per head would not.
    /// </summary>
    /// <param name="q">Queries, (numHeads, nQ, dK) row-major.</param>
    /// <param name="k">Keys, (numHeads, nK, dK) row-major.</param>
    /// <param name="v">Values, (numHeads, nK, dV) row-major.</param>
    /// <param name="output">Receives the result, (numHeads, nQ, dV) row-major; must not overlap an input.</param>
    /// <param name="numHeads">Number of heads.</param>
    /// <param name="nQ">Queries per head.</param>
    /// <param name="nK">Keys and values per head.</param>
    /// <param name="dK">Query and key dimension.</param>
    /// <param name="dV">Value dimension.</param>
    /// <param name="isCausal">Whether query i sees only keys j &lt;= i.</param>
    /// <param name="maxDegreeOfParallelism">How many cores to use at most; -1 (the default) uses them all.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is zero or negative, or the degree of parallelism is 0 or below -1.</exception>
    /// <exception cref="ArgumentException">A buffer length disagrees with its shape, <paramref name="output"/>
    /// overlaps an input, an input holds NaN or infinity (the message gives its position), or q · k or a weighted
    /// sum of values could overflow float in some head (the same rules as every other engine).</exception>
    public static void ComputeHeads(
        ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int numHeads, int nQ, int nK, int dK, int dV, bool isCausal, int maxDegreeOfParallelism = -1)
    {
        Compute(q, k, v, output, nQ, nK, dK, dV, isCausal, MatrixLayout.RowMajor, KernelPath.Auto, maxDegreeOfParallelism, numHeads);
    }

    /// <summary>
    /// As the public overloads, with a choice of layout (shared by all four buffers), path, parallelism and heads.
    /// <paramref name="valuesChecked"/> says the caller has already applied the value rules of
    /// <see cref="AttentionInputs"/> (finite, no overflow) to the same numbers, so they are not applied twice.
    /// </summary>
    internal static unsafe void Compute(
        ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        int nQ, int nK, int dK, int dV, bool isCausal, MatrixLayout layout,
        KernelPath path = KernelPath.Auto, int maxDegreeOfParallelism = -1, int numHeads = 1, bool valuesChecked = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numHeads);
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "Use -1 for all cores or a positive core count.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nQ);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dK);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dV);
        CheckLength(q.Length, numHeads, nQ, dK, nameof(q), "dK");
        CheckLength(k.Length, numHeads, nK, dK, nameof(k), "dK");
        CheckLength(v.Length, numHeads, nK, dV, nameof(v), "dV");
        CheckLength(output.Length, numHeads, nQ, dV, nameof(output), "dV");
        if (output.Overlaps(q) || output.Overlaps(k) || output.Overlaps(v))
        {
            throw new ArgumentException("output overlaps q, k or v; the kernel never writes into its inputs.", nameof(output));
        }

        if (!valuesChecked)
        {
            CheckValues(q, k, v, numHeads, nQ, nK, dK, dV, layout == MatrixLayout.RowMajor);
        }

        fixed (float* qData = q, kData = k, vData = v, oData = output)
        {
            var heads = new Head[numHeads];
            for (int h = 0; h < numHeads; h++)
            {
                heads[h] = new Head(
                    StridedMatrix.Create(qData + ((long)h * nQ * dK), nQ, dK, layout),
                    StridedMatrix.Create(kData + ((long)h * nK * dK), nK, dK, layout),
                    StridedMatrix.Create(vData + ((long)h * nK * dV), nK, dV, layout),
                    StridedMatrix.Create(oData + ((long)h * nQ * dV), nQ, dV, layout));
            }

            Run(heads, isCausal, path, maxDegreeOfParallelism);
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

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this processor.</summary>
    internal static KernelPath AutoPath =>
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    private static void Run(Head[] heads, bool isCausal, KernelPath path, int maxDegreeOfParallelism)
    {
        using var pass = new Pass(heads, isCausal, path == KernelPath.Auto ? AutoPath : path);
        int cores = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        int workers = Math.Min(cores, pass.Tasks);
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

    private static int PaddedValueDim(int dV) => RoundUp(dV, AttentionTile512.ColsPerStep);

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

    private static void CheckLength(int length, int numHeads, int rows, int cols, string name, string colName)
    {
        if (length != (long)numHeads * rows * cols)
        {
            string shape = numHeads == 1
                ? string.Create(CultureInfo.InvariantCulture, $"({(name == "k" || name == "v" ? "nK" : "nQ")}, {colName}) = ({rows}, {cols})")
                : string.Create(CultureInfo.InvariantCulture, $"(numHeads, {(name == "k" || name == "v" ? "nK" : "nQ")}, {colName}) = ({numHeads}, {rows}, {cols})");
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{name} has {length} elements but {shape} needs {(long)numHeads * rows * cols}."),
                name);
        }
    }

    // The value rules of every engine (finite; q · k and the weighted sums fit a float), head by head: a head's
    // scores are bounded by its own largest q and k, so one head of large numbers cannot hide behind the others.
    private static void CheckValues(
        ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, int numHeads, int nQ, int nK, int dK, int dV, bool rowMajor)
    {
        for (int h = 0; h < numHeads; h++)
        {
            Arg qArg = numHeads == 1 ? new(nameof(q)) : new(nameof(q), $"q (head {h})");
            Arg kArg = numHeads == 1 ? new(nameof(k)) : new(nameof(k), $"k (head {h})");
            Arg vArg = numHeads == 1 ? new(nameof(v)) : new(nameof(v), $"v (head {h})");
            double maxQ = AttentionInputs.MaxMagnitude(q.Slice(h * nQ * dK, nQ * dK), nQ, dK, rowMajor, qArg);
            double maxK = AttentionInputs.MaxMagnitude(k.Slice(h * nK * dK, nK * dK), nK, dK, rowMajor, kArg);
            double maxV = AttentionInputs.MaxMagnitude(v.Slice(h * nK * dV, nK * dV), nK, dV, rowMajor, vArg);
            AttentionInputs.ScoresFit(maxQ, maxK, dK, qArg, kArg);
            AttentionInputs.ValuesFit(maxV, nK, vArg);
        }
    }

    /// <summary>One head's inputs and output, viewed in their own layout.</summary>
    private readonly record struct Head(StridedMatrix Q, StridedMatrix K, StridedMatrix V, StridedMatrix Output);

    /// <summary>
    /// One call's shared state: the packed keys and values of every head, the inputs and output, and a counter
    /// that hands (head, query block) tasks to workers.
    /// </summary>
    private sealed unsafe class Pass : IDisposable
    {
        private readonly Head[] heads;
        private readonly bool isCausal;
        private readonly KernelPath path;
        private readonly int nQ;
        private readonly int dK;
        private readonly int dVPad;
        private readonly int nK;
        private readonly int keyBlocks;
        private readonly int queryBlocks;
        private readonly float scale;
        private readonly float* kPacked; // (numHeads, keyBlocks, dK, KeyBlockSize): each block is K^T of 64 keys
        private readonly float* vPacked; // (numHeads, keyBlocks * KeyBlockSize, dVPad)
        private readonly long kFloats;
        private readonly long vFloats;
        private int nextTask;

        public Pass(Head[] heads, bool isCausal, KernelPath path)
        {
            this.heads = heads;
            this.isCausal = isCausal;
            this.path = path;
            nQ = heads[0].Q.Rows;
            dK = heads[0].Q.Cols;
            dVPad = PaddedValueDim(heads[0].V.Cols);
            nK = heads[0].K.Rows;
            keyBlocks = KeyBlocks(nK);
            queryBlocks = (nQ + QueryBlockSize - 1) / QueryBlockSize;
            Tasks = heads.Length * queryBlocks;

            // Dividing by sqrt(dK) keeps the scores at unit variance when q and k entries are; it is folded
            // into the packed queries, so it costs nothing per score.
            scale = 1f / MathF.Sqrt(dK);

            long keyFloats = PackedKeyFloats(nK, dK), valueFloats = PackedValueFloats(nK, heads[0].V.Cols);
            kFloats = heads.Length * keyFloats;
            vFloats = heads.Length * valueFloats;
            kPacked = NativeBuffers.Shared.Rent(kFloats);
            vPacked = NativeBuffers.Shared.Rent(vFloats);
            for (int h = 0; h < heads.Length; h++)
            {
                PackKeys(heads[h].K, kPacked + (h * keyFloats));
                PackValues(heads[h].V, vPacked + (h * valueFloats));
            }
        }

        /// <summary>Number of (head, query block) tasks.</summary>
        public int Tasks { get; }

        public void Dispose()
        {
            NativeBuffers.Shared.Return(kPacked, kFloats);
            NativeBuffers.Shared.Return(vPacked, vFloats);
        }

        /// <summary>Takes tasks until none is left. Causal blocks go largest first, to balance the cores.</summary>
        public void Work()
        {
            long workspaceFloats = WorkspaceFloats(dK, heads[0].V.Cols);
            float* workspace = NativeBuffers.Shared.Rent(workspaceFloats);
            try
            {
                var tiles = new Tiles(workspace, dK, dVPad);
                while (true)
                {
                    int task = Interlocked.Increment(ref nextTask) - 1;
                    if (task >= Tasks)
                    {
                        return;
                    }

                    // Consecutive tasks take the same block of different heads, so the largest blocks of all heads come first.
                    int head = task % heads.Length, order = task / heads.Length;
                    ProcessQueryBlock(head, isCausal ? queryBlocks - 1 - order : order, tiles);
                }
            }
            finally
            {
                NativeBuffers.Shared.Return(workspace, workspaceFloats);
            }
        }

        /// <summary>Each block of 64 keys becomes one K^T tile (dK, 64); keys past nK are zero.</summary>
        private void PackKeys(StridedMatrix k, float* packed)
        {
            NativeMemory.Clear(packed, (nuint)(PackedKeyFloats(nK, dK) * sizeof(float)));
            for (int block = 0; block < keyBlocks; block++)
            {
                int j0 = block * KeyBlockSize;
                k.ReadRowsTransposed(j0, Math.Min(KeyBlockSize, nK - j0), packed + ((long)block * dK * KeyBlockSize), KeyBlockSize);
            }
        }

        /// <summary>V as rows of dVPad floats; padding columns and keys past nK are zero.</summary>
        private void PackValues(StridedMatrix v, float* packed)
        {
            NativeMemory.Clear(packed, (nuint)(PackedValueFloats(nK, v.Cols) * sizeof(float)));
            for (int block = 0; block < keyBlocks; block++)
            {
                int j0 = block * KeyBlockSize;
                v.ReadRows(j0, Math.Min(KeyBlockSize, nK - j0), packed + ((long)j0 * dVPad), dVPad, 1f);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ProcessQueryBlock(int head, int block, Tiles t)
        {
            int i0 = block * QueryBlockSize;
            int rowsValid = Math.Min(QueryBlockSize, nQ - i0);
            int rows = RoundUp(rowsValid, AttentionTile512.RowsPerStep);

            new Span<float>(t.Q, rows * dK).Clear(); // padding rows are zero queries
            heads[head].Q.ReadRows(i0, rowsValid, t.Q, dK, scale);
            for (int r = 0; r < rows; r++)
            {
                t.RowMax[r] = float.NegativeInfinity;
                t.RowSum[r] = 0f;
            }

            new Span<float>(t.O, rows * dVPad).Clear();
            float* kHead = kPacked + (head * PackedKeyFloats(nK, dK));
            float* vHead = vPacked + (head * PackedValueFloats(nK, heads[0].V.Cols));

            // Causal: key blocks that start after this block's last query are never visited.
            int lastQuery = i0 + rowsValid - 1;
            int blocksToVisit = isCausal ? Math.Min(keyBlocks, (lastQuery / KeyBlockSize) + 1) : keyBlocks;
            for (int kb = 0; kb < blocksToVisit; kb++)
            {
                int j0 = kb * KeyBlockSize;
                int keysValid = Math.Min(KeyBlockSize, nK - j0);
                int cols = RoundUp(keysValid, AttentionTile512.ColsPerStep);
                float* kTile = kHead + ((long)kb * dK * KeyBlockSize); // (dK, 64)
                float* vTile = vHead + ((long)j0 * dVPad);             // (64, dVPad)

                Scores(t.Q, kTile, t.S, rows, cols);
                bool crossesDiagonal = isCausal && j0 + cols - 1 > i0;
                if (keysValid < cols || crossesDiagonal)
                {
                    Mask(t.S, rows, cols, i0, j0, keysValid);
                }

                SoftmaxAndValues(t, vTile, rows, cols, keysValid);
            }

            for (int r = 0; r < rowsValid; r++)
            {
                // rowSum >= 1 whenever a key is visible (the max contributes exp(0)); a row with no visible key gives zeros.
                t.Correction[r] = t.RowSum[r] > 0f ? 1f / t.RowSum[r] : 0f;
            }

            heads[head].Output.WriteRows(i0, rowsValid, t.O, dVPad, t.Correction);
        }

        private void Scores(float* q, float* kTile, float* s, int rows, int cols)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    AttentionTile512.Scores(q, dK, kTile, KeyBlockSize, s, KeyBlockSize, rows, cols);
                    break;
                case KernelPath.Vector256:
                    AttentionTile.ScoresVector(q, dK, kTile, KeyBlockSize, s, KeyBlockSize, rows, cols);
                    break;
                default:
                    AttentionTile.ScoresScalar(q, dK, kTile, KeyBlockSize, s, KeyBlockSize, rows, cols);
                    break;
            }
        }

        private void SoftmaxAndValues(Tiles t, float* vTile, int rows, int cols, int keysValid)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    AttentionTile512.SoftmaxUpdate(t.S, KeyBlockSize, rows, cols, t.RowMax, t.RowSum, t.Correction);
                    AttentionTile512.AccumulateValues(t.S, KeyBlockSize, vTile, t.O, dVPad, t.Correction, rows, keysValid);
                    break;
                case KernelPath.Vector256:
                    AttentionTile.SoftmaxUpdateVector(t.S, KeyBlockSize, rows, cols, t.RowMax, t.RowSum, t.Correction);
                    AttentionTile.AccumulateValuesVector(t.S, KeyBlockSize, vTile, t.O, dVPad, t.Correction, rows, keysValid);
                    break;
                default:
                    AttentionTile.SoftmaxUpdateScalar(t.S, KeyBlockSize, rows, cols, t.RowMax, t.RowSum, t.Correction);
                    AttentionTile.AccumulateValuesScalar(t.S, KeyBlockSize, vTile, t.O, dVPad, t.Correction, rows, keysValid);
                    break;
            }
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
