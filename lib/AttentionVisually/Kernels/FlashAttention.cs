using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using AttentionVisually.Checks;

namespace AttentionVisually.Kernels;

/// <summary>
/// Fast CPU attention, O = softmax(Q K^T / sqrt(dK) + causal mask) V, by the online-softmax (flash-style)
/// algorithm of FlashAttention (Dao et al. 2022, Algorithm 1): blocks of queries against blocks of keys,
/// a running max and running sum per query, so the (nQ, nK) pattern never exists. Keys and values are read in
/// place; working memory is a few tiles per core (plus a padded copy of V when its rows cannot be read as
/// whole vectors), independent of nQ.
/// </summary>
/// <remarks>
/// <para>Causal masking is top-left aligned: query i sees key j iff j &lt;= i. Tiles entirely above the
/// diagonal are skipped; tiles crossing it are masked exactly with -infinity, so they contribute exp(-inf) = 0.</para>
/// <para>Work is split over queries, as in FlashAttention-2 (Dao 2023): each (head, query block) is one task
/// that streams over every key block, so no two workers ever write the same output rows and nothing is
/// reduced across workers; causal tasks go largest first to balance the cores. Normalization is deferred to
/// the end (one division per output row, not per tile). A task packs its own queries, transposed and scaled,
/// so the scores come out as S^T = K Q^T, (keys, queries): K needs no packed copy (its entries are broadcast
/// from where they lie), each query's running max and sum is one vector lane, and P V reads P^T with unit row
/// stride. Both products are one register-blocked micro-kernel: 8 x 32 of Vector512 where the processor has
/// AVX-512 (<see cref="AttentionTile512"/>), 4 x 16 of Vector256 where it has 256-bit vectors, and scalar code
/// otherwise (<see cref="AttentionTile"/>).</para>
/// </remarks>
public static class FlashAttention
{
    /// <summary>Queries per block: the unit of parallel work.</summary>
    public const int QueryBlockSize = 64;

    /// <summary>Keys per block: one score tile of (64 keys, 64 queries) per step.</summary>
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

            Run(heads, isCausal, path, maxDegreeOfParallelism, ValuesInPlace(layout, dV));
        }
    }

    /// <summary>
    /// Bytes of working memory one row-major call allocates besides its inputs and output: a zero-padded copy of
    /// the last key block when nK is not a multiple of 8, a padded copy of V when dV is not a multiple of 32 (its
    /// rows are read as whole 32-float steps), and one set of tiles per core in use. It does not grow with
    /// <paramref name="nQ"/>, and it is at most linear in <paramref name="nK"/> where the explicit pattern is nQ * nK.
    /// </summary>
    /// <param name="nQ">Number of queries.</param>
    /// <param name="nK">Number of keys and values.</param>
    /// <param name="dK">Query and key dimension.</param>
    /// <param name="dV">Value dimension.</param>
    /// <returns>The bytes one call allocates on this machine's core count.</returns>
    public static long WorkingMemoryBytes(int nQ, int nK, int dK, int dV) => WorkingMemoryBytes(nQ, nK, dK, dV, MatrixLayout.RowMajor);

    /// <summary>As the public overload, for buffers in <paramref name="layout"/> (column-major V is always packed).</summary>
    internal static long WorkingMemoryBytes(int nQ, int nK, int dK, int dV, MatrixLayout layout)
    {
        long copies = KeyTailFloats(nK, dK) + (ValuesInPlace(layout, dV) ? 0 : PackedValueFloats(nK, dV));
        long perWorker = WorkspaceFloats(dK, dV);
        long workers = Math.Min(Environment.ProcessorCount, (nQ + QueryBlockSize - 1) / QueryBlockSize);
        return sizeof(float) * (copies + (workers * perWorker));
    }

    /// <summary>The path <see cref="KernelPath.Auto"/> takes on this processor.</summary>
    internal static KernelPath AutoPath =>
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
        : KernelPath.Scalar;

    private static void Run(Head[] heads, bool isCausal, KernelPath path, int maxDegreeOfParallelism, bool valuesInPlace)
    {
        using var pass = new Pass(heads, isCausal, path == KernelPath.Auto ? AutoPath : path, valuesInPlace);
        int cores = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        int workers = Math.Min(cores, pass.Tasks);
        KernelWorkers.Shared.Run(workers, pass.Work); // on this thread alone when workers is 1
    }

    // The last key block is copied (zero-padded to 64 keys) when the micro-kernels, which take keys 8 at a time,
    // would otherwise read past the end of K.
    private static long KeyTailFloats(int nK, int dK) => nK % AttentionTile512.RowsPerStep == 0 ? 0 : (long)KeyBlockSize * dK;

    private static long PackedValueFloats(int nK, int dV) => (long)KeyBlocks(nK) * KeyBlockSize * PaddedValueDim(dV);

    // V is read in place when its rows are contiguous and a whole number of 32-float steps; otherwise it is packed.
    private static bool ValuesInPlace(MatrixLayout layout, int dV) => layout == MatrixLayout.RowMajor && dV % AttentionTile512.ColsPerStep == 0;

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
    /// One call's shared state: the inputs and output of every head, the copies some heads need (a padded last key
    /// block, padded values), and a counter that hands (head, query block) tasks to workers.
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
        private readonly float* kTail;   // (numHeads, 64, dK): each head's last key block, zero-padded; null when not needed
        private readonly float* vPacked; // (numHeads, keyBlocks * KeyBlockSize, dVPad); null when V is read in place
        private readonly long kTailFloats;
        private readonly long vFloats;
        private int nextTask;

        public Pass(Head[] heads, bool isCausal, KernelPath path, bool valuesInPlace)
        {
            this.heads = heads;
            this.isCausal = isCausal;
            this.path = path;
            nQ = heads[0].Q.Rows;
            dK = heads[0].Q.Cols;
            int dV = heads[0].V.Cols;
            dVPad = PaddedValueDim(dV);
            nK = heads[0].K.Rows;
            keyBlocks = KeyBlocks(nK);
            queryBlocks = (nQ + QueryBlockSize - 1) / QueryBlockSize;
            Tasks = heads.Length * queryBlocks;

            // Dividing by sqrt(dK) keeps the scores at unit variance when q and k entries are; it is folded
            // into the packed queries, so it costs nothing per score.
            scale = 1f / MathF.Sqrt(dK);

            kTailFloats = heads.Length * KeyTailFloats(nK, dK);
            if (kTailFloats > 0)
            {
                kTail = NativeBuffers.Shared.Rent(kTailFloats);
                NativeMemory.Clear(kTail, (nuint)(kTailFloats * sizeof(float)));
                int j0 = (keyBlocks - 1) * KeyBlockSize;
                for (int h = 0; h < heads.Length; h++)
                {
                    heads[h].K.ReadRows(j0, nK - j0, kTail + ((long)h * KeyBlockSize * dK), dK, 1f);
                }
            }

            if (!valuesInPlace)
            {
                long valueFloats = PackedValueFloats(nK, dV);
                vFloats = heads.Length * valueFloats;
                vPacked = NativeBuffers.Shared.Rent(vFloats);
                NativeMemory.Clear(vPacked, (nuint)(vFloats * sizeof(float)));
                for (int h = 0; h < heads.Length; h++)
                {
                    heads[h].V.ReadRows(0, nK, vPacked + (h * valueFloats), dVPad, 1f);
                }
            }
        }

        /// <summary>Number of (head, query block) tasks.</summary>
        public int Tasks { get; }

        public void Dispose()
        {
            if (kTail != null)
            {
                NativeBuffers.Shared.Return(kTail, kTailFloats);
            }

            if (vPacked != null)
            {
                NativeBuffers.Shared.Return(vPacked, vFloats);
            }
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ProcessQueryBlock(int head, int block, Tiles t)
        {
            int i0 = block * QueryBlockSize;
            int rowsValid = Math.Min(QueryBlockSize, nQ - i0);
            int cols = RoundUp(rowsValid, AttentionTile512.ColsPerStep); // queries: the columns of S^T
            int rows = RoundUp(rowsValid, AttentionTile512.RowsPerStep); // queries: the rows of O

            // Q^T (dK, 64), scaled; padding queries are zero.
            if (rowsValid < QueryBlockSize)
            {
                new Span<float>(t.QT, dK * QueryBlockSize).Clear();
            }

            StridedMatrix q = heads[head].Q;
            if (path != KernelPath.Scalar && q.ColStride == 1)
            {
                AttentionTile.TransposeScaled(q.Data + (i0 * q.RowStride), q.RowStride, rowsValid, dK, t.QT, QueryBlockSize, scale);
            }
            else
            {
                q.ReadRowsTransposed(i0, rowsValid, t.QT, QueryBlockSize, scale);
            }
            for (int c = 0; c < cols; c++)
            {
                t.ColMax[c] = float.NegativeInfinity;
                t.ColSum[c] = 0f;
            }

            StridedMatrix k = heads[head].K;
            float* vHead;
            nint vStride;
            if (vPacked != null)
            {
                vHead = vPacked + (head * PackedValueFloats(nK, heads[0].V.Cols));
                vStride = dVPad;
            }
            else
            {
                vHead = heads[head].V.Data;
                vStride = heads[head].V.RowStride;
            }

            // Causal: key blocks that start after this block's last query are never visited.
            int lastQuery = i0 + rowsValid - 1;
            int blocksToVisit = isCausal ? Math.Min(keyBlocks, (lastQuery / KeyBlockSize) + 1) : keyBlocks;
            for (int kb = 0; kb < blocksToVisit; kb++)
            {
                int j0 = kb * KeyBlockSize;
                int keysValid = Math.Min(KeyBlockSize, nK - j0);
                int keyRows = RoundUp(keysValid, AttentionTile512.RowsPerStep);

                // S^T (keys, queries) = K Q^T: K is read in place, except a last block that would be read past its end.
                float* kBlock = k.Data + (j0 * k.RowStride);
                nint kRowStride = k.RowStride, kColStride = k.ColStride;
                if (keyRows > keysValid)
                {
                    kBlock = kTail + ((long)head * KeyBlockSize * dK);
                    kRowStride = dK;
                    kColStride = 1;
                }

                float* vBlock = vHead + (j0 * vStride);
                float* shrink = kb == 0 ? null : t.Correction; // the first block writes O, the others rescale and add
                if (!isCausal || j0 + keysValid - 1 <= i0)
                {
                    Product(kBlock, kRowStride, kColStride, dK, t.QT, QueryBlockSize, t.S, QueryBlockSize, keyRows, cols, null);
                    SoftmaxUpdate(t.S, keysValid, cols, t);

                    // O = diag(correction) O + P V, P (queries, keys) read from S^T with unit row stride.
                    Product(t.S, 1, QueryBlockSize, keysValid, vBlock, vStride, t.O, dVPad, rows, dVPad, shrink);
                }
                else
                {
                    DiagonalTile(t, kBlock, kRowStride, kColStride, keyRows, keysValid, vBlock, vStride, i0, j0, rows, cols, shrink);
                }
            }

            for (int r = 0; r < rowsValid; r++)
            {
                // colSum >= 1 whenever a key is visible (the max contributes exp(0)); a query with no visible key gives zeros.
                t.Correction[r] = t.ColSum[r] > 0f ? 1f / t.ColSum[r] : 0f;
            }

            heads[head].Output.WriteRows(i0, rowsValid, t.O, dVPad, t.Correction);
        }

        /// <summary>
        /// The same three steps on a tile that crosses the diagonal, skipping what the mask would zero anyway: the
        /// scores of keys that come after every query of a 32-query step, and the products of weights that are
        /// exactly 0 (keys after every query of an 8-query step): about a third of such a tile, and at n = 256 such
        /// tiles are 4 of the 10 a causal head visits.
        /// </summary>
        private void DiagonalTile(
            Tiles t, float* kBlock, nint kRowStride, nint kColStride, int keyRows, int keysValid, float* vBlock, nint vStride, int i0, int j0, int rows, int cols,
            float* shrink)
        {
            const int columnStep = AttentionTile512.ColsPerStep, rowStep = AttentionTile512.RowsPerStep;
            for (int c = 0; c < cols; c += columnStep)
            {
                int needed = Math.Min(keyRows, RoundUp(Math.Max(i0 + c + columnStep - j0, 0), rowStep));
                Product(kBlock, kRowStride, kColStride, dK, t.QT + c, QueryBlockSize, t.S + c, QueryBlockSize, needed, columnStep, null);
            }

            MaskAboveDiagonal(t.S, keysValid, cols, i0, j0); // also covers every score left uncomputed above
            SoftmaxUpdate(t.S, keysValid, cols, t);
            for (int r = 0; r < rows; r += rowStep)
            {
                int visible = Math.Clamp(i0 + r + rowStep - j0, 0, keysValid);
                Product(t.S + r, 1, QueryBlockSize, visible, vBlock, vStride, t.O + (r * dVPad), dVPad, rowStep, dVPad, shrink == null ? null : shrink + r);
            }
        }

        private void Product(float* a, nint aRowStride, nint aDepthStride, int depth, float* b, nint bStride, float* c, nint cStride, int rows, int cols, float* rowScale)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    AttentionTile512.Product(a, aRowStride, aDepthStride, depth, b, bStride, c, cStride, rows, cols, rowScale);
                    break;
                case KernelPath.Vector256:
                    AttentionTile.ProductVector(a, aRowStride, aDepthStride, depth, b, bStride, c, cStride, rows, cols, rowScale);
                    break;
                default:
                    AttentionTile.ProductScalar(a, aRowStride, aDepthStride, depth, b, bStride, c, cStride, rows, cols, rowScale);
                    break;
            }
        }

        private void SoftmaxUpdate(float* s, int keys, int cols, Tiles t)
        {
            switch (path)
            {
                case KernelPath.Vector512:
                    AttentionTile512.SoftmaxUpdate(s, QueryBlockSize, keys, cols, t.ColMax, t.ColSum, t.Correction);
                    break;
                case KernelPath.Vector256:
                    AttentionTile.SoftmaxUpdateVector(s, QueryBlockSize, keys, cols, t.ColMax, t.ColSum, t.Correction);
                    break;
                default:
                    AttentionTile.SoftmaxUpdateScalar(s, QueryBlockSize, keys, cols, t.ColMax, t.ColSum, t.Correction);
                    break;
            }
        }

        /// <summary>
        /// Sets to -infinity the scores of keys after their query. -infinity and not a large negative number:
        /// exp gives exactly 0, so masked keys get exactly zero weight.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void MaskAboveDiagonal(float* sT, int keys, int cols, int i0, int j0)
        {
            for (int j = 0; j < keys; j++)
            {
                // Key j0 + j is hidden from queries i0 + c with c < j0 + j - i0.
                float* row = sT + (j * QueryBlockSize);
                for (int c = 0, hidden = Math.Min(cols, j0 + j - i0); c < hidden; c++)
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
            S = workspace;                                   // (64 keys, 64 queries) scores, then weights
            O = S + (QueryBlockSize * KeyBlockSize);         // (64, dVPad) running output
            QT = O + (QueryBlockSize * dVPad);               // (dK, 64) scaled queries, transposed
            ColMax = QT + (QueryBlockSize * dK);             // (64) running max per query
            ColSum = ColMax + QueryBlockSize;                // (64) running sum per query
            Correction = ColSum + QueryBlockSize;            // (64) exp(oldMax - newMax) of the last tile
        }

        public float* S { get; }

        public float* O { get; }

        public float* QT { get; }

        public float* ColMax { get; }

        public float* ColSum { get; }

        public float* Correction { get; }
    }
}
