using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AttentionVisually.Kernels;

/// <summary>
/// The steps applied to one tile (a block of queries against a block of keys) of online-softmax attention, as
/// in FlashAttention (Dao et al. 2022, Algorithm 1) with the running max and sum of Milakov and Gimelshein
/// (2018): one register-blocked product C = A B (optionally C = diag(scale) C + A B) that serves both the scores
/// and P V, and the running-softmax update that turns scores into unnormalized weights P. Each step has a
/// Vector256 version and a scalar fallback computing the same quantities (with the library exp and separate
/// multiply-adds, so the two agree to rounding, about 1e-6 relative).
/// </summary>
/// <remarks>
/// <para>Scores are kept transposed, as (keys, queries): S^T = K Q^T reads the keys in place (each entry of K is
/// broadcast, so any layout will do) against a packed Q^T, and every query's running max, sum and correction is
/// one vector lane. P V then reads P^T with a row stride of 1.</para>
/// <para>Row counts are multiples of <see cref="RowsPerStep"/> and column counts of <see cref="ColsPerStep"/>; the
/// caller pads (zero queries, a zero-padded copy of a last key block that is not a whole number of row steps).</para>
/// </remarks>
internal static unsafe class AttentionTile
{
    /// <summary>Rows of C one micro-kernel call handles together (rows of the register block).</summary>
    public const int RowsPerStep = 4;

    /// <summary>Columns of C one micro-kernel call handles together: two 256-bit vectors of floats.</summary>
    public const int ColsPerStep = 16;

    /// <summary>
    /// C = A B, or C = diag(rowScale) C + A B when <paramref name="rowScale"/> is not null. A (rows, depth):
    /// entry (i, p) at a[i * aRowStride + p * aDepthStride]; B (depth, cols): rows <paramref name="bStride"/>
    /// apart, columns contiguous; C (rows, cols): rows <paramref name="cStride"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void ProductVector(
        float* a, nint aRowStride, nint aDepthStride, int depth, float* b, nint bStride, float* c, nint cStride, int rows, int cols, float* rowScale)
    {
        for (int r = 0; r < rows; r += RowsPerStep)
        {
            float* a0 = a + (r * aRowStride);
            float* a1 = a0 + aRowStride;
            float* a2 = a1 + aRowStride;
            float* a3 = a2 + aRowStride;
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            if (rowScale != null)
            {
                c0 = Vector256.Create(rowScale[r]);
                c1 = Vector256.Create(rowScale[r + 1]);
                c2 = Vector256.Create(rowScale[r + 2]);
                c3 = Vector256.Create(rowScale[r + 3]);
            }

            for (int col = 0; col < cols; col += ColsPerStep)
            {
                // 4 x 16 entries of C live in eight registers for the whole sum over depth; the running output is
                // rescaled as it is loaded, so the correction costs no extra pass.
                float* d = c + (r * cStride) + col;
                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
                Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
                if (rowScale != null)
                {
                    s00 = Vector256.Load(d) * c0;
                    s01 = Vector256.Load(d + 8) * c0;
                    s10 = Vector256.Load(d + cStride) * c1;
                    s11 = Vector256.Load(d + cStride + 8) * c1;
                    s20 = Vector256.Load(d + (2 * cStride)) * c2;
                    s21 = Vector256.Load(d + (2 * cStride) + 8) * c2;
                    s30 = Vector256.Load(d + (3 * cStride)) * c3;
                    s31 = Vector256.Load(d + (3 * cStride) + 8) * c3;
                }

                float* bp = b + col;
                for (nint p = 0; p < depth; p++, bp += bStride)
                {
                    nint offset = p * aDepthStride;
                    Vector256<float> b0 = Vector256.Load(bp);
                    Vector256<float> b1 = Vector256.Load(bp + 8);
                    Vector256<float> x = Vector256.Create(a0[offset]);
                    s00 = Vector256.MultiplyAddEstimate(x, b0, s00);
                    s01 = Vector256.MultiplyAddEstimate(x, b1, s01);
                    x = Vector256.Create(a1[offset]);
                    s10 = Vector256.MultiplyAddEstimate(x, b0, s10);
                    s11 = Vector256.MultiplyAddEstimate(x, b1, s11);
                    x = Vector256.Create(a2[offset]);
                    s20 = Vector256.MultiplyAddEstimate(x, b0, s20);
                    s21 = Vector256.MultiplyAddEstimate(x, b1, s21);
                    x = Vector256.Create(a3[offset]);
                    s30 = Vector256.MultiplyAddEstimate(x, b0, s30);
                    s31 = Vector256.MultiplyAddEstimate(x, b1, s31);
                }

                s00.Store(d);
                s01.Store(d + 8);
                d += cStride;
                s10.Store(d);
                s11.Store(d + 8);
                d += cStride;
                s20.Store(d);
                s21.Store(d + 8);
                d += cStride;
                s30.Store(d);
                s31.Store(d + 8);
            }
        }
    }

    /// <summary>Scalar twin of <see cref="ProductVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void ProductScalar(
        float* a, nint aRowStride, nint aDepthStride, int depth, float* b, nint bStride, float* c, nint cStride, int rows, int cols, float* rowScale)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < cols; col++)
            {
                float sum = rowScale == null ? 0f : c[(r * cStride) + col] * rowScale[r];
                for (int p = 0; p < depth; p++)
                {
                    sum += a[(r * aRowStride) + (p * aDepthStride)] * b[(p * bStride) + col];
                }

                c[(r * cStride) + col] = sum;
            }
        }
    }

    /// <summary>
    /// The online-softmax step for a tile of scores held as (keys, queries): for each query (column) below
    /// <paramref name="cols"/>, raise its running max to cover the first <paramref name="keys"/> keys, replace
    /// those scores by exp(score - max) in place, update the running sum, and return in
    /// <paramref name="correction"/> the factor exp(oldMax - newMax) by which everything accumulated under the
    /// old max must shrink.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void SoftmaxUpdateVector(float* s, nint sStride, int keys, int cols, float* colMax, float* colSum, float* correction)
    {
        Vector256<float> negativeInfinity = Vector256.Create(float.NegativeInfinity);
        for (int c = 0; c < cols; c += 8)
        {
            float* column = s + c;
            Vector256<float> oldMax = Vector256.Load(colMax + c);
            Vector256<float> max = oldMax;
            for (int j = 0; j < keys; j++)
            {
                max = Vector256.MaxNative(max, Vector256.Load(column + (j * sStride))); // scores are never NaN
            }

            // A query that sees no key yet keeps max = -inf; exp(-inf - -inf) would be NaN, so it subtracts 0.
            Vector256<float> subtract = Vector256.ConditionalSelect(Vector256.Equals(max, negativeInfinity), Vector256<float>.Zero, max);
            Vector256<float> shrink = ExpNonPositive(oldMax - subtract); // 0 on the first visible tile: exp(-inf)
            Vector256<float> sum = Vector256<float>.Zero;
            for (int j = 0; j < keys; j++)
            {
                float* x = column + (j * sStride);
                Vector256<float> p = ExpNonPositive(Vector256.Load(x) - subtract); // masked: exp(-inf) = 0
                p.Store(x);
                sum += p;
            }

            ((Vector256.Load(colSum + c) * shrink) + sum).Store(colSum + c);
            max.Store(colMax + c);
            shrink.Store(correction + c);
        }
    }

    /// <summary>Scalar twin of <see cref="SoftmaxUpdateVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void SoftmaxUpdateScalar(float* s, nint sStride, int keys, int cols, float* colMax, float* colSum, float* correction)
    {
        for (int c = 0; c < cols; c++)
        {
            float max = colMax[c];
            for (int j = 0; j < keys; j++)
            {
                max = MathF.Max(max, s[(j * sStride) + c]);
            }

            float subtract = float.IsNegativeInfinity(max) ? 0f : max;
            float sum = 0f;
            for (int j = 0; j < keys; j++)
            {
                float p = MathF.Exp(s[(j * sStride) + c] - subtract);
                s[(j * sStride) + c] = p;
                sum += p;
            }

            float shrink = MathF.Exp(colMax[c] - subtract);
            colSum[c] = (colSum[c] * shrink) + sum;
            colMax[c] = max;
            correction[c] = shrink;
        }
    }

    /// <summary>
    /// tile[c * tileStride + r] = source[r * sourceStride + c] * scale for r &lt; rows, c &lt; cols: a block of
    /// row-major queries becomes Q^T. Whole 8 x 8 blocks are transposed in registers where the processor has AVX
    /// (a scalar transpose writes each float to a different cache line); the edges, and every block elsewhere,
    /// go one float at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per block: too rarely to tier up
    public static void TransposeScaled(float* source, nint sourceStride, int rows, int cols, float* tile, nint tileStride, float scale)
    {
        int fullRows = 0, fullCols = 0;
        if (Avx.IsSupported)
        {
            fullRows = rows & ~7;
            fullCols = cols & ~7;
            Vector256<float> s = Vector256.Create(scale);
            for (int r = 0; r < fullRows; r += 8)
            {
                for (int c = 0; c < fullCols; c += 8)
                {
                    Transpose8x8(source + (r * sourceStride) + c, sourceStride, tile + (c * tileStride) + r, tileStride, s);
                }
            }
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = r < fullRows ? fullCols : 0; c < cols; c++)
            {
                tile[(c * tileStride) + r] = source[(r * sourceStride) + c] * scale;
            }
        }
    }

    /// <summary>The 8 x 8 block at source, transposed and scaled, into destination: unpack, shuffle, swap halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, nint sourceStride, float* destination, nint destinationStride, Vector256<float> scale)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + sourceStride);
        Vector256<float> r2 = Avx.LoadVector256(source + (2 * sourceStride)), r3 = Avx.LoadVector256(source + (3 * sourceStride));
        Vector256<float> r4 = Avx.LoadVector256(source + (4 * sourceStride)), r5 = Avx.LoadVector256(source + (5 * sourceStride));
        Vector256<float> r6 = Avx.LoadVector256(source + (6 * sourceStride)), r7 = Avx.LoadVector256(source + (7 * sourceStride));

        // Pairs of rows interleaved, then pairs of pairs: each 128-bit half now holds four entries of one column.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

        // Rows 0-3 of a column sit in u's halves, rows 4-7 in the same halves of u4..u7.
        Avx.Store(destination, Avx.Permute2x128(u0, u4, 0x20) * scale);
        Avx.Store(destination + destinationStride, Avx.Permute2x128(u1, u5, 0x20) * scale);
        Avx.Store(destination + (2 * destinationStride), Avx.Permute2x128(u2, u6, 0x20) * scale);
        Avx.Store(destination + (3 * destinationStride), Avx.Permute2x128(u3, u7, 0x20) * scale);
        Avx.Store(destination + (4 * destinationStride), Avx.Permute2x128(u0, u4, 0x31) * scale);
        Avx.Store(destination + (5 * destinationStride), Avx.Permute2x128(u1, u5, 0x31) * scale);
        Avx.Store(destination + (6 * destinationStride), Avx.Permute2x128(u2, u6, 0x31) * scale);
        Avx.Store(destination + (7 * destinationStride), Avx.Permute2x128(u3, u7, 0x31) * scale);
    }

    /// <summary>
    /// exp(x) for x &lt;= 0, within about 2 ulp of the exact value, and exactly 0 below -87 (where the result
    /// would be subnormal) and at -infinity, so masked scores get exactly zero weight. About three times faster
    /// than <see cref="Vector256.Exp(Vector256{float})"/>, which matters because the softmax takes one exp per score.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        // exp(x) = 2^n exp(r), with n = round(x / ln 2) and |r| <= ln(2) / 2, where a degree-7 Taylor
        // polynomial is accurate to 5e-9 relative.
        Vector256<float> underflows = Vector256.LessThan(x, Vector256.Create(-87f));
        x = Vector256.Max(x, Vector256.Create(-87f));

        // Adding 1.5 * 2^23 rounds x / ln 2 to an integer held in the low mantissa bits of t.
        Vector256<float> roundingShift = Vector256.Create(12582912f);
        Vector256<float> t = Vector256.MultiplyAddEstimate(x, Vector256.Create(1.44269504f), roundingShift);
        Vector256<float> n = t - roundingShift;

        // r = x - n ln 2, with ln 2 split in two so that n * ln2High is exact.
        Vector256<float> r = Vector256.MultiplyAddEstimate(n, Vector256.Create(-0.693359375f), x);
        r = Vector256.MultiplyAddEstimate(n, Vector256.Create(2.12194440e-4f), r);

        Vector256<float> poly = Vector256.Create(1f / 5040f);
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256.Create(1f / 720f));
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256.Create(1f / 120f));
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256.Create(1f / 24f));
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256.Create(1f / 6f));
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256.Create(0.5f));
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256<float>.One);
        poly = Vector256.MultiplyAddEstimate(poly, r, Vector256<float>.One);

        // 2^n built directly in the exponent field: bits (n + 127) << 23, valid for -126 <= n <= 0.
        Vector256<int> biased = t.AsInt32() - Vector256.Create(0x4B400000 - 127);
        Vector256<float> twoToN = Vector256.ShiftLeft(biased, 23).AsSingle();
        return Vector256.ConditionalSelect(underflows.AsSingle(), Vector256<float>.Zero, poly * twoToN);
    }
}
