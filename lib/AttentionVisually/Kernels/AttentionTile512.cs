using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AttentionVisually.Kernels;

/// <summary>
/// The two tile steps of <see cref="AttentionTile"/> (the register-blocked product and the running-softmax
/// update over a transposed score tile) for processors with AVX-512: 8 x 32 register blocks of
/// <see cref="Vector512{T}"/>, sixteen accumulators that use half of the 32 vector registers AVX-512 provides,
/// so each loaded row of B feeds sixteen fused multiply-adds (the 256-bit path feeds eight). Same quantities,
/// same order of summation per entry as the other paths, so results agree to rounding.
/// </summary>
/// <remarks>
/// Row counts are multiples of <see cref="RowsPerStep"/> and column counts of <see cref="ColsPerStep"/>; the
/// caller pads, exactly as for <see cref="AttentionTile"/>.
/// </remarks>
internal static unsafe class AttentionTile512
{
    /// <summary>Rows of C one micro-kernel call handles together (rows of the register block).</summary>
    public const int RowsPerStep = 8;

    /// <summary>Columns of C one micro-kernel call handles together: two 512-bit vectors of floats.</summary>
    public const int ColsPerStep = 32;

    /// <summary>Query lanes the softmax step handles together: one 512-bit vector.</summary>
    private const int Lanes = 16;

    /// <summary>
    /// C = A B, or C = diag(rowScale) C + A B when <paramref name="rowScale"/> is not null: the product of
    /// <see cref="AttentionTile.ProductVector"/> on 512-bit vectors. A (rows, depth) is read in place through its
    /// two strides; B is (depth, cols) with rows <paramref name="bStride"/> apart; C is (rows, cols).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void Product(
        float* a, nint aRowStride, nint aDepthStride, int depth, float* b, nint bStride, float* c, nint cStride, int rows, int cols, float* rowScale)
    {
        for (int r = 0; r < rows; r += RowsPerStep)
        {
            float* aRows = a + (r * aRowStride);
            for (int col = 0; col < cols; col += ColsPerStep)
            {
                // The running output is rescaled as it is loaded: the correction costs no extra pass.
                float* d = c + (r * cStride) + col;
                var acc = rowScale == null ? default : Block.LoadScaled(d, cStride, rowScale + r);
                // Rows 0-2, 3-5 and 6-7 of A from three pointers, each row at most two strides from one: every
                // address is then a single x86 operand (base + 4 or 8 x stride), with nothing recomputed per step.
                float* a0 = aRows, a3 = aRows + (3 * aRowStride), a6 = aRows + (6 * aRowStride);
                float* bp = b + col;
                for (int p = 0; p < depth; p++, a0 += aDepthStride, a3 += aDepthStride, a6 += aDepthStride, bp += bStride)
                {
                    acc.MultiplyAdd(a0, a3, a6, aRowStride, Vector512.Load(bp), Vector512.Load(bp + 16));
                }

                acc.Store(d, cStride);
            }
        }
    }

    /// <summary>
    /// The online-softmax step of <see cref="AttentionTile.SoftmaxUpdateVector"/> on 512-bit vectors: s holds
    /// scores as (keys, queries), so each query's running max, sum and correction are one lane and no step
    /// needs a horizontal reduction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loops: fully optimized from the first call
    public static void SoftmaxUpdate(float* s, nint sStride, int keys, int cols, float* colMax, float* colSum, float* correction)
    {
        Vector512<float> negativeInfinity = Vector512.Create(float.NegativeInfinity);
        for (int c = 0; c < cols; c += Lanes)
        {
            float* column = s + c;
            Vector512<float> oldMax = Vector512.Load(colMax + c);
            Vector512<float> max = oldMax;
            for (int j = 0; j < keys; j++)
            {
                max = Vector512.MaxNative(max, Vector512.Load(column + (j * sStride))); // scores are never NaN
            }

            // A query that sees no key yet keeps max = -inf; exp(-inf - -inf) would be NaN, so it subtracts 0.
            Vector512<float> subtract = Vector512.ConditionalSelect(Vector512.Equals(max, negativeInfinity), Vector512<float>.Zero, max);
            Vector512<float> shrink = ExpNonPositive(oldMax - subtract); // 0 on the first visible tile: exp(-inf)
            Vector512<float> sum = Vector512<float>.Zero;
            for (int j = 0; j < keys; j++)
            {
                float* x = column + (j * sStride);
                Vector512<float> p = ExpNonPositive(Vector512.Load(x) - subtract); // masked: exp(-inf) = 0
                p.Store(x);
                sum += p;
            }

            ((Vector512.Load(colSum + c) * shrink) + sum).Store(colSum + c);
            max.Store(colMax + c);
            shrink.Store(correction + c);
        }
    }

    /// <summary><see cref="AttentionTile.ExpNonPositive"/> on sixteen lanes: same steps, same constants, same results.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> ExpNonPositive(Vector512<float> x)
    {
        Vector512<float> underflows = Vector512.LessThan(x, Vector512.Create(-87f));
        x = Vector512.Max(x, Vector512.Create(-87f));
        Vector512<float> roundingShift = Vector512.Create(12582912f);
        Vector512<float> t = Vector512.MultiplyAddEstimate(x, Vector512.Create(1.44269504f), roundingShift);
        Vector512<float> n = t - roundingShift;
        Vector512<float> r = Vector512.MultiplyAddEstimate(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.MultiplyAddEstimate(n, Vector512.Create(2.12194440e-4f), r);

        Vector512<float> poly = Vector512.Create(1f / 5040f);
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512.Create(1f / 720f));
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512.Create(1f / 120f));
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512.Create(1f / 24f));
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512.Create(1f / 6f));
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512.Create(0.5f));
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512<float>.One);
        poly = Vector512.MultiplyAddEstimate(poly, r, Vector512<float>.One);

        Vector512<int> biased = t.AsInt32() - Vector512.Create(0x4B400000 - 127);
        Vector512<float> twoToN = Vector512.ShiftLeft(biased, 23).AsSingle();
        return Vector512.ConditionalSelect(underflows, Vector512<float>.Zero, poly * twoToN);
    }

    /// <summary>
    /// An 8 x 32 block of accumulators held in registers: row i is (Ri0, Ri1). A struct of locals, not an
    /// array, so that the JIT keeps every field in a register.
    /// </summary>
    private struct Block
    {
        private Vector512<float> r00, r01, r10, r11, r20, r21, r30, r31, r40, r41, r50, r51, r60, r61, r70, r71;

        /// <summary>Loads the block from c (row stride <paramref name="stride"/>), row i multiplied by scale[i].</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Block LoadScaled(float* c, nint stride, float* scale)
        {
            Block x;
            x.r00 = Vector512.Load(c) * scale[0];
            x.r01 = Vector512.Load(c + 16) * scale[0];
            x.r10 = Vector512.Load(c + stride) * scale[1];
            x.r11 = Vector512.Load(c + stride + 16) * scale[1];
            x.r20 = Vector512.Load(c + (2 * stride)) * scale[2];
            x.r21 = Vector512.Load(c + (2 * stride) + 16) * scale[2];
            x.r30 = Vector512.Load(c + (3 * stride)) * scale[3];
            x.r31 = Vector512.Load(c + (3 * stride) + 16) * scale[3];
            x.r40 = Vector512.Load(c + (4 * stride)) * scale[4];
            x.r41 = Vector512.Load(c + (4 * stride) + 16) * scale[4];
            x.r50 = Vector512.Load(c + (5 * stride)) * scale[5];
            x.r51 = Vector512.Load(c + (5 * stride) + 16) * scale[5];
            x.r60 = Vector512.Load(c + (6 * stride)) * scale[6];
            x.r61 = Vector512.Load(c + (6 * stride) + 16) * scale[6];
            x.r70 = Vector512.Load(c + (7 * stride)) * scale[7];
            x.r71 = Vector512.Load(c + (7 * stride) + 16) * scale[7];
            return x;
        }

        /// <summary>
        /// Row i += A[i] * (b0, b1): one rank-1 update of the block, where A[0..2] = a0[0, s, 2s], A[3..5] = a3[0, s, 2s]
        /// and A[6..7] = a6[0, s].
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void MultiplyAdd(float* a0, float* a3, float* a6, nint s, Vector512<float> b0, Vector512<float> b1)
        {
            Vector512<float> x = Vector512.Create(a0[0]);
            r00 = Vector512.MultiplyAddEstimate(x, b0, r00);
            r01 = Vector512.MultiplyAddEstimate(x, b1, r01);
            x = Vector512.Create(a0[s]);
            r10 = Vector512.MultiplyAddEstimate(x, b0, r10);
            r11 = Vector512.MultiplyAddEstimate(x, b1, r11);
            x = Vector512.Create(a0[2 * s]);
            r20 = Vector512.MultiplyAddEstimate(x, b0, r20);
            r21 = Vector512.MultiplyAddEstimate(x, b1, r21);
            x = Vector512.Create(a3[0]);
            r30 = Vector512.MultiplyAddEstimate(x, b0, r30);
            r31 = Vector512.MultiplyAddEstimate(x, b1, r31);
            x = Vector512.Create(a3[s]);
            r40 = Vector512.MultiplyAddEstimate(x, b0, r40);
            r41 = Vector512.MultiplyAddEstimate(x, b1, r41);
            x = Vector512.Create(a3[2 * s]);
            r50 = Vector512.MultiplyAddEstimate(x, b0, r50);
            r51 = Vector512.MultiplyAddEstimate(x, b1, r51);
            x = Vector512.Create(a6[0]);
            r60 = Vector512.MultiplyAddEstimate(x, b0, r60);
            r61 = Vector512.MultiplyAddEstimate(x, b1, r61);
            x = Vector512.Create(a6[s]);
            r70 = Vector512.MultiplyAddEstimate(x, b0, r70);
            r71 = Vector512.MultiplyAddEstimate(x, b1, r71);
        }

        /// <summary>Writes the block to d, row stride <paramref name="stride"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Store(float* d, nint stride)
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
