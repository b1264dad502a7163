using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionVisually.Kernels;

/// <summary>
/// The three tile steps of <see cref="AttentionTile"/> (scores, running-softmax update, value accumulation) for
/// processors with AVX-512: 8 x 32 register blocks of <see cref="Vector512{T}"/>, sixteen accumulators that
/// use half of the 32 vector registers AVX-512 provides, so each loaded key or value row feeds sixteen fused
/// multiply-adds (the 256-bit path feeds eight). Same quantities, same order of summation per entry as the
/// other paths, so results agree to rounding.
/// </summary>
/// <remarks>
/// Row counts are multiples of <see cref="RowsPerStep"/> and column counts of <see cref="ColsPerStep"/>; the
/// caller pads with zero rows and masked (-infinity) columns, exactly as for <see cref="AttentionTile"/>.
/// </remarks>
internal static unsafe class AttentionTile512
{
    /// <summary>Queries one micro-kernel call handles together (rows of the register block).</summary>
    public const int RowsPerStep = 8;

    /// <summary>Columns one micro-kernel call handles together: two 512-bit vectors of floats.</summary>
    public const int ColsPerStep = 32;

    /// <summary>S = Q K^T for one tile. q: (rows, dK) stride dK; kT: packed (dK, cols) stride kStride; s: (rows, cols).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void Scores(float* q, int dK, float* kT, int kStride, float* s, int sStride, int rows, int cols)
    {
        for (int r = 0; r < rows; r += RowsPerStep)
        {
            float* a = q + (r * dK);
            for (int c = 0; c < cols; c += ColsPerStep)
            {
                var acc = default(Block);
                float* b = kT + c;
                for (int p = 0; p < dK; p++, b += kStride)
                {
                    acc.MultiplyAdd(a + p, dK, Vector512.Load(b), Vector512.Load(b + 16));
                }

                acc.Store(s + (r * sStride) + c, sStride);
            }
        }
    }

    /// <summary>
    /// The online-softmax step of <see cref="AttentionTile.SoftmaxUpdateVector"/> on 512-bit vectors: raise each
    /// row's running max over the tile, turn the scores into exp(score - max) in place, update the running sum,
    /// and give in <paramref name="correction"/> the factor exp(oldMax - newMax) for what was accumulated before.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void SoftmaxUpdate(float* s, int sStride, int rows, int cols, float* rowMax, float* rowSum, float* correction)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = s + (r * sStride);
            Vector512<float> vMax = Vector512.Create(float.NegativeInfinity);
            for (int c = 0; c < cols; c += 16)
            {
                vMax = Vector512.MaxNative(vMax, Vector512.Load(row + c)); // scores are never NaN
            }

            float newMax = MathF.Max(rowMax[r], AttentionTile.HorizontalMax(Vector256.MaxNative(vMax.GetLower(), vMax.GetUpper())));
            if (float.IsNegativeInfinity(newMax))
            {
                // Every key so far is masked for this row: nothing to add, and exp(-inf - -inf) would be NaN.
                new Span<float>(row, cols).Clear();
                correction[r] = 1f;
                continue;
            }

            float shrink = MathF.Exp(rowMax[r] - newMax); // 0 on the first visible tile: exp(-inf)
            Vector512<float> vNewMax = Vector512.Create(newMax);
            Vector512<float> vSum = Vector512<float>.Zero;
            for (int c = 0; c < cols; c += 16)
            {
                Vector512<float> x = Vector512.Load(row + c) - vNewMax;
                Vector512<float> p = Vector512.Create(
                    AttentionTile.ExpNonPositive(x.GetLower()), AttentionTile.ExpNonPositive(x.GetUpper())); // masked: exp(-inf) = 0
                p.Store(row + c);
                vSum += p;
            }

            rowSum[r] = (rowSum[r] * shrink) + Vector512.Sum(vSum);
            rowMax[r] = newMax;
            correction[r] = shrink;
        }
    }

    /// <summary>
    /// O = O * correction + P V for one tile. p: (rows, keys) stride pStride; v: (keys, dVPad) stride dVPad;
    /// o: (rows, dVPad) stride dVPad; correction: one factor per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void AccumulateValues(float* p, int pStride, float* v, float* o, int dVPad, float* correction, int rows, int keys)
    {
        for (int r = 0; r < rows; r += RowsPerStep)
        {
            float* a = p + (r * pStride);
            for (int c = 0; c < dVPad; c += ColsPerStep)
            {
                // The running output is rescaled as it is loaded: the correction costs no extra pass.
                float* d = o + (r * dVPad) + c;
                var acc = Block.LoadScaled(d, dVPad, correction + r);
                float* b = v + c;
                for (int j = 0; j < keys; j++, b += dVPad)
                {
                    acc.MultiplyAdd(a + j, pStride, Vector512.Load(b), Vector512.Load(b + 16));
                }

                acc.Store(d, dVPad);
            }
        }
    }

    /// <summary>
    /// An 8 x 32 block of accumulators held in registers: row i is (Ri0, Ri1). A struct of locals, not an
    /// array, so that the JIT keeps every field in a register.
    /// </summary>
    private struct Block
    {
        private Vector512<float> r00, r01, r10, r11, r20, r21, r30, r31, r40, r41, r50, r51, r60, r61, r70, r71;

        /// <summary>Loads the block from o (stride dVPad), row i multiplied by scale[i].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Block LoadScaled(float* o, int stride, float* scale)
        {
            Block x;
            x.r00 = Vector512.Load(o) * scale[0];
            x.r01 = Vector512.Load(o + 16) * scale[0];
            x.r10 = Vector512.Load(o + stride) * scale[1];
            x.r11 = Vector512.Load(o + stride + 16) * scale[1];
            x.r20 = Vector512.Load(o + (2 * stride)) * scale[2];
            x.r21 = Vector512.Load(o + (2 * stride) + 16) * scale[2];
            x.r30 = Vector512.Load(o + (3 * stride)) * scale[3];
            x.r31 = Vector512.Load(o + (3 * stride) + 16) * scale[3];
            x.r40 = Vector512.Load(o + (4 * stride)) * scale[4];
            x.r41 = Vector512.Load(o + (4 * stride) + 16) * scale[4];
            x.r50 = Vector512.Load(o + (5 * stride)) * scale[5];
            x.r51 = Vector512.Load(o + (5 * stride) + 16) * scale[5];
            x.r60 = Vector512.Load(o + (6 * stride)) * scale[6];
            x.r61 = Vector512.Load(o + (6 * stride) + 16) * scale[6];
            x.r70 = Vector512.Load(o + (7 * stride)) * scale[7];
            x.r71 = Vector512.Load(o + (7 * stride) + 16) * scale[7];
            return x;
        }

        /// <summary>Row i += a[i * aStride] * (b0, b1): one rank-1 update of the block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void MultiplyAdd(float* a, int aStride, Vector512<float> b0, Vector512<float> b1)
        {
            Vector512<float> x = Vector512.Create(a[0]);
            r00 = Vector512.MultiplyAddEstimate(x, b0, r00);
            r01 = Vector512.MultiplyAddEstimate(x, b1, r01);
            x = Vector512.Create(a[aStride]);
            r10 = Vector512.MultiplyAddEstimate(x, b0, r10);
            r11 = Vector512.MultiplyAddEstimate(x, b1, r11);
            x = Vector512.Create(a[2 * aStride]);
            r20 = Vector512.MultiplyAddEstimate(x, b0, r20);
            r21 = Vector512.MultiplyAddEstimate(x, b1, r21);
            x = Vector512.Create(a[3 * aStride]);
            r30 = Vector512.MultiplyAddEstimate(x, b0, r30);
            r31 = Vector512.MultiplyAddEstimate(x, b1, r31);
            x = Vector512.Create(a[4 * aStride]);
            r40 = Vector512.MultiplyAddEstimate(x, b0, r40);
            r41 = Vector512.MultiplyAddEstimate(x, b1, r41);
            x = Vector512.Create(a[5 * aStride]);
            r50 = Vector512.MultiplyAddEstimate(x, b0, r50);
            r51 = Vector512.MultiplyAddEstimate(x, b1, r51);
            x = Vector512.Create(a[6 * aStride]);
            r60 = Vector512.MultiplyAddEstimate(x, b0, r60);
            r61 = Vector512.MultiplyAddEstimate(x, b1, r61);
            x = Vector512.Create(a[7 * aStride]);
            r70 = Vector512.MultiplyAddEstimate(x, b0, r70);
            r71 = Vector512.MultiplyAddEstimate(x, b1, r71);
        }

        /// <summary>Writes the block to d, row stride <paramref name="stride"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store(float* d, int stride)
        {
            r00.Store(d);
            r01.Store(d + 16);
            r10.Store(d + stride);
            r11.Store(d + stride + 16);
            r20.Store(d + (2 * stride));
            r21.Store(d + (2 * stride) + 16);
            r30.Store(d + (3 * stride));
            r31.Store(d + (3 * stride) + 16);
            r40.Store(d + (4 * stride));
            r41.Store(d + (4 * stride) + 16);
            r50.Store(d + (5 * stride));
            r51.Store(d + (5 * stride) + 16);
            r60.Store(d + (6 * stride));
            r61.Store(d + (6 * stride) + 16);
            r70.Store(d + (7 * stride));
            r71.Store(d + (7 * stride) + 16);
        }
    }
}
