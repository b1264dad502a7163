using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionVisually.Kernels;

/// <summary>
/// The three steps applied to one tile (a block of queries against a block of keys) of online-softmax
/// attention, as in FlashAttention (Dao et al. 2022, Algorithm 1) with the running max and sum of
/// Milakov and Gimelshein (2018): scores S = Q K^T, the running-softmax update that turns S into
/// unnormalized weights P, and O = O * correction + P V. Each step has a register-blocked Vector256
/// version and a scalar fallback computing the same quantities (with the library exp and separate multiply-adds, so
/// the two agree to rounding, about 1e-6 relative).
/// </summary>
/// <remarks>
/// All tiles are row-major with explicit row strides. Row counts are multiples of
/// <see cref="RowsPerStep"/> and column counts of <see cref="ColsPerStep"/>; the caller pads with
/// zero rows and masked (-infinity) columns.
/// </remarks>
internal static unsafe class AttentionTile
{
    /// <summary>Queries one micro-kernel call handles together (rows of the register block).</summary>
    public const int RowsPerStep = 4;

    /// <summary>Columns one micro-kernel call handles together: two 256-bit vectors of floats.</summary>
    public const int ColsPerStep = 16;

    /// <summary>S = Q K^T for one tile. q: (rows, dK) stride dK; kT: packed (dK, cols) stride kStride; s: (rows, cols).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void ScoresVector(float* q, int dK, float* kT, int kStride, float* s, int sStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r += RowsPerStep)
        {
            float* a0 = q + (r * dK);
            float* a1 = a0 + dK;
            float* a2 = a1 + dK;
            float* a3 = a2 + dK;
            for (int c = 0; c < cols; c += ColsPerStep)
            {
                // 4 x 16 scores live in eight registers for the whole dot product over dK.
                Vector256<float> s00 = default, s01 = default, s10 = default, s11 = default;
                Vector256<float> s20 = default, s21 = default, s30 = default, s31 = default;
                float* b = kT + c;
                for (int p = 0; p < dK; p++, b += kStride)
                {
                    Vector256<float> b0 = Vector256.Load(b);
                    Vector256<float> b1 = Vector256.Load(b + 8);
                    Vector256<float> x = Vector256.Create(a0[p]);
                    s00 = Vector256.MultiplyAddEstimate(x, b0, s00);
                    s01 = Vector256.MultiplyAddEstimate(x, b1, s01);
                    x = Vector256.Create(a1[p]);
                    s10 = Vector256.MultiplyAddEstimate(x, b0, s10);
                    s11 = Vector256.MultiplyAddEstimate(x, b1, s11);
                    x = Vector256.Create(a2[p]);
                    s20 = Vector256.MultiplyAddEstimate(x, b0, s20);
                    s21 = Vector256.MultiplyAddEstimate(x, b1, s21);
                    x = Vector256.Create(a3[p]);
                    s30 = Vector256.MultiplyAddEstimate(x, b0, s30);
                    s31 = Vector256.MultiplyAddEstimate(x, b1, s31);
                }

                float* d = s + (r * sStride) + c;
                s00.Store(d);
                s01.Store(d + 8);
                d += sStride;
                s10.Store(d);
                s11.Store(d + 8);
                d += sStride;
                s20.Store(d);
                s21.Store(d + 8);
                d += sStride;
                s30.Store(d);
                s31.Store(d + 8);
            }
        }
    }

    /// <summary>Scalar twin of <see cref="ScoresVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void ScoresScalar(float* q, int dK, float* kT, int kStride, float* s, int sStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                float sum = 0f;
                for (int p = 0; p < dK; p++)
                {
                    sum += q[(r * dK) + p] * kT[(p * kStride) + c];
                }

                s[(r * sStride) + c] = sum;
            }
        }
    }

    /// <summary>
    /// The online-softmax step for each row of a tile: raise the running max to cover the tile, replace
    /// the scores in <paramref name="s"/> by exp(score - max) in place, update the running sum, and return
    /// in <paramref name="correction"/> the factor exp(oldMax - newMax) by which everything accumulated
    /// under the old max must shrink.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void SoftmaxUpdateVector(float* s, int sStride, int rows, int cols, float* rowMax, float* rowSum, float* correction)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = s + (r * sStride);
            Vector256<float> vMax = Vector256.Create(float.NegativeInfinity);
            for (int c = 0; c < cols; c += 8)
            {
                vMax = Vector256.MaxNative(vMax, Vector256.Load(row + c)); // scores are never NaN
            }

            float newMax = MathF.Max(rowMax[r], HorizontalMax(vMax));
            if (float.IsNegativeInfinity(newMax))
            {
                // Every key so far is masked for this row: nothing to add, and exp(-inf - -inf) would be NaN.
                ClearRow(row, cols);
                correction[r] = 1f;
                continue;
            }

            float shrink = MathF.Exp(rowMax[r] - newMax); // 0 on the first visible tile: exp(-inf)
            Vector256<float> vNewMax = Vector256.Create(newMax);
            Vector256<float> vSum = Vector256<float>.Zero;
            for (int c = 0; c < cols; c += 8)
            {
                Vector256<float> p = ExpNonPositive(Vector256.Load(row + c) - vNewMax); // masked: exp(-inf) = 0
                p.Store(row + c);
                vSum += p;
            }

            rowSum[r] = (rowSum[r] * shrink) + Vector256.Sum(vSum);
            rowMax[r] = newMax;
            correction[r] = shrink;
        }
    }

    /// <summary>Scalar twin of <see cref="SoftmaxUpdateVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void SoftmaxUpdateScalar(float* s, int sStride, int rows, int cols, float* rowMax, float* rowSum, float* correction)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = s + (r * sStride);
            float tileMax = float.NegativeInfinity;
            for (int c = 0; c < cols; c++)
            {
                tileMax = MathF.Max(tileMax, row[c]);
            }

            float newMax = MathF.Max(rowMax[r], tileMax);
            if (float.IsNegativeInfinity(newMax))
            {
                ClearRow(row, cols);
                correction[r] = 1f;
                continue;
            }

            float sum = 0f;
            for (int c = 0; c < cols; c++)
            {
                float p = MathF.Exp(row[c] - newMax);
                row[c] = p;
                sum += p;
            }

            float shrink = MathF.Exp(rowMax[r] - newMax);
            rowSum[r] = (rowSum[r] * shrink) + sum;
            rowMax[r] = newMax;
            correction[r] = shrink;
        }
    }

    /// <summary>
    /// O = O * correction + P V for one tile. p: (rows, keys) stride pStride; v: (keys, dVPad) stride dVPad;
    /// o: (rows, dVPad) stride dVPad; correction: one factor per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void AccumulateValuesVector(float* p, int pStride, float* v, float* o, int dVPad, float* correction, int rows, int keys)
    {
        for (int r = 0; r < rows; r += RowsPerStep)
        {
            float* p0 = p + (r * pStride);
            float* p1 = p0 + pStride;
            float* p2 = p1 + pStride;
            float* p3 = p2 + pStride;
            Vector256<float> c0 = Vector256.Create(correction[r]);
            Vector256<float> c1 = Vector256.Create(correction[r + 1]);
            Vector256<float> c2 = Vector256.Create(correction[r + 2]);
            Vector256<float> c3 = Vector256.Create(correction[r + 3]);
            for (int c = 0; c < dVPad; c += ColsPerStep)
            {
                // The running output is rescaled as it is loaded: the correction costs no extra pass.
                float* d = o + (r * dVPad) + c;
                Vector256<float> o00 = Vector256.Load(d) * c0, o01 = Vector256.Load(d + 8) * c0;
                Vector256<float> o10 = Vector256.Load(d + dVPad) * c1, o11 = Vector256.Load(d + dVPad + 8) * c1;
                Vector256<float> o20 = Vector256.Load(d + (2 * dVPad)) * c2, o21 = Vector256.Load(d + (2 * dVPad) + 8) * c2;
                Vector256<float> o30 = Vector256.Load(d + (3 * dVPad)) * c3, o31 = Vector256.Load(d + (3 * dVPad) + 8) * c3;
                float* b = v + c;
                for (int j = 0; j < keys; j++, b += dVPad)
                {
                    Vector256<float> b0 = Vector256.Load(b);
                    Vector256<float> b1 = Vector256.Load(b + 8);
                    Vector256<float> x = Vector256.Create(p0[j]);
                    o00 = Vector256.MultiplyAddEstimate(x, b0, o00);
                    o01 = Vector256.MultiplyAddEstimate(x, b1, o01);
                    x = Vector256.Create(p1[j]);
                    o10 = Vector256.MultiplyAddEstimate(x, b0, o10);
                    o11 = Vector256.MultiplyAddEstimate(x, b1, o11);
                    x = Vector256.Create(p2[j]);
                    o20 = Vector256.MultiplyAddEstimate(x, b0, o20);
                    o21 = Vector256.MultiplyAddEstimate(x, b1, o21);
                    x = Vector256.Create(p3[j]);
                    o30 = Vector256.MultiplyAddEstimate(x, b0, o30);
                    o31 = Vector256.MultiplyAddEstimate(x, b1, o31);
                }

                o00.Store(d);
                o01.Store(d + 8);
                d += dVPad;
                o10.Store(d);
                o11.Store(d + 8);
                d += dVPad;
                o20.Store(d);
                o21.Store(d + 8);
                d += dVPad;
                o30.Store(d);
                o31.Store(d + 8);
            }
        }
    }

    /// <summary>Scalar twin of <see cref="AccumulateValuesVector"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void AccumulateValuesScalar(float* p, int pStride, float* v, float* o, int dVPad, float* correction, int rows, int keys)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < dVPad; c++)
            {
                float sum = o[(r * dVPad) + c] * correction[r];
                for (int j = 0; j < keys; j++)
                {
                    sum += p[(r * pStride) + j] * v[(j * dVPad) + c];
                }

                o[(r * dVPad) + c] = sum;
            }
        }
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

    /// <summary>The largest of the eight lanes.</summary>
    internal static float HorizontalMax(Vector256<float> v)
    {
        Vector128<float> m = Vector128.MaxNative(v.GetLower(), v.GetUpper());
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(2, 3, 0, 1)));
        m = Vector128.MaxNative(m, Vector128.Shuffle(m, Vector128.Create(1, 0, 3, 2)));
        return m.ToScalar();
    }

    private static void ClearRow(float* row, int cols)
    {
        new Span<float>(row, cols).Clear();
    }
}
