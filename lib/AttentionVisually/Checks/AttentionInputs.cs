using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Checks;

/// <summary>
/// The one set of rules every attention entry point applies to q (nQ, dK), k (nK, dK) and v (nK, dV), whatever
/// holds them (MathNet matrices, spans, TorchSharp tensors): nothing empty, matching dK, one value per key, every
/// entry finite, scores and weighted sums that cannot overflow float. Each rule is written once, here, with its
/// message; the entry points only say where their numbers live and which of the caller's arguments they came from.
/// </summary>
/// <remarks>
/// Why the two overflow bounds are enough: a score is a dot product of dK terms, so |q · k| ≤ max|q| · max|k| · dK;
/// an output is a sum of at most nK values with weights in [0, 1] (the online engines sum before they normalize), so
/// every partial sum is at most max|v| · nK. Half of float's range is kept as a margin for rounding.
/// </remarks>
internal static class AttentionInputs
{
    /// <summary>The largest magnitude a score bound or a weighted sum may reach: half of float's range.</summary>
    private const double Limit = float.MaxValue / 2.0;

    /// <summary>Checks q, k and v of one attention call; <paramref name="qArg"/> etc. say which caller argument each came from.</summary>
    public static void Check(Matrix<float> q, Matrix<float> k, Matrix<float> v, Arg? qArg = null, Arg? kArg = null, Arg? vArg = null)
    {
        Arg qa = qArg ?? new("q"), ka = kArg ?? new("k"), va = vArg ?? new("v");
        NotEmpty(q, qa);
        NotEmpty(k, ka);
        NotEmpty(v, va);
        SameDk(q.RowCount, q.ColumnCount, k.RowCount, k.ColumnCount, qa, ka);
        OneValuePerKey(k.RowCount, k.ColumnCount, v.RowCount, v.ColumnCount, va);
        double maxQ = MaxMagnitude(q, qa), maxK = MaxMagnitude(k, ka), maxV = MaxMagnitude(v, va);
        ScoresFit(maxQ, maxK, q.ColumnCount, qa, ka);
        ValuesFit(maxV, k.RowCount, va);
    }

    /// <summary>
    /// The shape rules of a many-heads call (heads side by side in the columns): the one-call rules on the whole
    /// matrices, and columns that split into <paramref name="numHeads"/> equal heads. Values are checked head by head
    /// by the engine.
    /// </summary>
    /// <returns>Each head's dK and dV.</returns>
    public static (int DK, int DV) HeadWidths(Matrix<float> q, Matrix<float> k, Matrix<float> v, int numHeads)
    {
        Arg qa = new("q"), ka = new("k"), va = new("v");
        NotEmpty(q, qa);
        NotEmpty(k, ka);
        NotEmpty(v, va);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numHeads);
        SameDk(q.RowCount, q.ColumnCount, k.RowCount, k.ColumnCount, qa, ka);
        OneValuePerKey(k.RowCount, k.ColumnCount, v.RowCount, v.ColumnCount, va);
        foreach ((Matrix<float> m, Arg arg) in new[] { (q, qa), (v, va) })
        {
            if (m.ColumnCount % numHeads != 0)
            {
                throw new ArgumentException(
                    Text($"{arg.Label} has {m.ColumnCount} columns, which do not split into {numHeads} heads of equal width."), arg.Param);
            }
        }

        return (q.ColumnCount / numHeads, v.ColumnCount / numHeads);
    }

    /// <summary>Checks q and k of a score grid (no values yet).</summary>
    public static void CheckQueriesKeys(Matrix<float> q, Matrix<float> k, Arg? qArg = null, Arg? kArg = null)
    {
        Arg qa = qArg ?? new("q"), ka = kArg ?? new("k");
        NotEmpty(q, qa);
        NotEmpty(k, ka);
        SameDk(q.RowCount, q.ColumnCount, k.RowCount, k.ColumnCount, qa, ka);
        ScoresFit(MaxMagnitude(q, qa), MaxMagnitude(k, ka), q.ColumnCount, qa, ka);
    }

    /// <summary>Checks a pattern (any weights) and the values it mixes: Σ_j pattern[i, j] · v_j must not overflow.</summary>
    public static void CheckMix(Matrix<float> pattern, Matrix<float> v, Arg? patternArg = null, Arg? vArg = null)
    {
        Arg pa = patternArg ?? new("pattern"), va = vArg ?? new("v");
        NotEmpty(pattern, pa);
        NotEmpty(v, va);
        if (pattern.ColumnCount != v.RowCount)
        {
            throw new ArgumentException(
                Text($"{va.Label} has {v.RowCount} rows but {pa.Label} has {pattern.ColumnCount} keys: one value per key; {pa.Label} is ({pattern.RowCount}, {pattern.ColumnCount}), {va.Label} is ({v.RowCount}, {v.ColumnCount})."),
                va.Param);
        }
        double maxP = MaxMagnitude(pattern, pa), maxV = MaxMagnitude(v, va);
        if (maxP * maxV * pattern.ColumnCount > Limit)
        {
            throw new ArgumentException(
                Text($"{pa.Label} and {va.Label} are too large: max |weight| = {maxP:G3}, max |v| = {maxV:G3}, {pattern.ColumnCount} keys, so a weighted sum could overflow float; scale them down."),
                va.Param);
        }
    }

    /// <summary>The empty-sequence rule.</summary>
    public static void NotEmpty(Matrix<float> m, Arg arg)
    {
        ArgumentNullException.ThrowIfNull(m, arg.Param);
        NotEmpty(m.RowCount, m.ColumnCount, arg);
    }

    /// <summary>The empty-sequence rule on sizes.</summary>
    public static void NotEmpty(long rows, long cols, Arg arg)
    {
        if (rows == 0 || cols == 0)
        {
            throw new ArgumentException(Text($"{arg.Label} is empty: shape ({rows}, {cols}); a sequence needs at least one token."), arg.Param);
        }
    }

    /// <summary>The d_k rule: queries and keys must have the same width. One wording for every entry point.</summary>
    public static void SameDk(long qRows, long qDk, long kRows, long kDk, Arg qArg, Arg kArg)
    {
        if (qDk != kDk)
        {
            throw new ArgumentException(
                Text($"{kArg.Label} has dK = {kDk} but {qArg.Label} has dK = {qDk}: {qArg.Label} is ({qRows}, {qDk}), {kArg.Label} is ({kRows}, {kDk})."),
                kArg.Param);
        }
    }

    /// <summary>The one-value-per-key rule.</summary>
    public static void OneValuePerKey(long kRows, long kCols, long vRows, long vCols, Arg vArg, string kLabel = "k")
    {
        if (vRows != kRows)
        {
            throw new ArgumentException(
                Text($"{vArg.Label} has {vRows} rows but {kLabel} has {kRows}: one value per key; {kLabel} is ({kRows}, {kCols}), {vArg.Label} is ({vRows}, {vCols})."),
                vArg.Param);
        }
    }

    /// <summary>
    /// Throws when finite q and k are so large that a dot product q · k could overflow float: the scores would be
    /// ±∞ and softmax would return NaN. The bound max|q| · max|k| · dK is conservative. The exception names the
    /// larger of the two (q when they are alike), the one to scale down first.
    /// </summary>
    public static void ScoresFit(double maxQ, double maxK, long dK, Arg qArg, Arg kArg)
    {
        if (maxQ * maxK * dK > Limit)
        {
            throw new ArgumentException(
                Text($"{qArg.Label} and {kArg.Label} are too large: max |q| = {maxQ:G3}, max |k| = {maxK:G3}, dK = {dK}, so q · k could overflow float; scale the inputs down."),
                maxK > maxQ ? kArg.Param : qArg.Param);
        }
    }

    /// <summary>
    /// Throws when finite values are so large that a sum of up to nK of them could overflow float (the online
    /// engines add weighted values before they divide by the sum of the weights).
    /// </summary>
    public static void ValuesFit(double maxV, long nK, Arg vArg)
    {
        if (maxV * nK > Limit)
        {
            throw new ArgumentException(
                Text($"{vArg.Label} is too large: max |v| = {maxV:G3} over {nK} keys, so a weighted sum of values could overflow float; scale the values down."),
                vArg.Param);
        }
    }

    /// <summary>The finite rule on a span (row-major or column-major): returns the largest magnitude when every entry is finite.</summary>
    public static double MaxMagnitude(ReadOnlySpan<float> data, int rows, int cols, bool rowMajor, Arg arg)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        float max = MaxMagnitudeOrNonFinite(data);
        if (!float.IsFinite(max))
        {
            int index = 0;
            while (float.IsFinite(data[index]))
            {
                index++;
            }

            (int row, int col) = rowMajor ? (index / cols, index % cols) : (index % rows, index / rows);
            NotFinite(data[index], row, col, arg);
        }

        return max;
    }

    /// <summary>The finite rule on a matrix: returns the largest magnitude when every entry is finite.</summary>
    public static double MaxMagnitude(Matrix<float> m, Arg arg)
    {
        float[]? data = m.AsColumnMajorArray();
        if (data is not null)
        {
            return MaxMagnitude(data, m.RowCount, m.ColumnCount, rowMajor: false, arg);
        }

        double max = 0;
        for (int c = 0; c < m.ColumnCount; c++)
        {
            for (int r = 0; r < m.RowCount; r++)
            {
                float x = m[r, c];
                if (!float.IsFinite(x))
                {
                    NotFinite(x, r, c, arg);
                }

                max = Math.Max(max, Math.Abs(x));
            }
        }

        return max;
    }

    /// <summary>
    /// The overflow rule for a product computed from finite inputs (a projection such as e W_Qᵀ, or a sum of
    /// proposals): a non-finite entry means the caller's argument was too large, and the message says so.
    /// </summary>
    /// <returns>The largest magnitude of <paramref name="result"/>.</returns>
    public static double ResultFits(Matrix<float> result, string what, Arg from)
    {
        float[]? data = result.AsColumnMajorArray();
        float max = data is not null
            ? MaxMagnitudeOrNonFinite(data)
            : result.Enumerate().Aggregate(0f, (m, x) => float.IsFinite(x) ? MathF.Max(m, MathF.Abs(x)) : float.NaN);
        if (!float.IsFinite(max))
        {
            throw new ArgumentException(
                Text($"{from.Label} is too large: {what} overflow float; scale {from.Label} down."),
                from.Param);
        }

        return max;
    }

    /// <summary>
    /// max |x| over <paramref name="data"/> in one pass, or a non-finite float when an entry is NaN or infinite.
    /// With the sign bit cleared, the bits of floats ordered as unsigned integers are ordered by magnitude, and
    /// infinity and every NaN lie above every finite value; so one integer max finds both answers (the entry
    /// points check every input on every call, so this pass is part of each call's time).
    /// </summary>
    internal static float MaxMagnitudeOrNonFinite(ReadOnlySpan<float> data)
    {
        ReadOnlySpan<uint> bits = MemoryMarshal.Cast<float, uint>(data);
        const uint magnitude = 0x7FFF_FFFF;
        uint max = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated && bits.Length >= 4 * Vector256<uint>.Count)
        {
            // Four independent maxima, so the loop is limited by loads rather than by one dependency chain.
            ref uint start = ref MemoryMarshal.GetReference(bits);
            Vector256<uint> mask = Vector256.Create(magnitude), m0 = default, m1 = default, m2 = default, m3 = default;
            for (; i <= bits.Length - (4 * Vector256<uint>.Count); i += 4 * Vector256<uint>.Count)
            {
                m0 = Vector256.Max(m0, Vector256.LoadUnsafe(ref start, (nuint)i) & mask);
                m1 = Vector256.Max(m1, Vector256.LoadUnsafe(ref start, (nuint)(i + 8)) & mask);
                m2 = Vector256.Max(m2, Vector256.LoadUnsafe(ref start, (nuint)(i + 16)) & mask);
                m3 = Vector256.Max(m3, Vector256.LoadUnsafe(ref start, (nuint)(i + 24)) & mask);
            }

            Vector256<uint> m = Vector256.Max(Vector256.Max(m0, m1), Vector256.Max(m2, m3));
            for (int lane = 0; lane < Vector256<uint>.Count; lane++)
            {
                max = Math.Max(max, m[lane]);
            }
        }

        for (; i < bits.Length; i++)
        {
            max = Math.Max(max, bits[i] & magnitude);
        }

        return BitConverter.UInt32BitsToSingle(max);
    }

    /// <summary>The message for a non-finite entry, with its position.</summary>
    public static void NotFinite(float x, long row, long col, Arg arg) =>
        throw new ArgumentException(Text($"{arg.Label} contains {x} at ({row}, {col}); inputs must be finite."), arg.Param);

    /// <summary>The message for non-finite entries when their position is unknown (a tensor reduced on its device).</summary>
    public static void NotFinite(string shape, Arg arg) =>
        throw new ArgumentException(Text($"{arg.Label} (shape {shape}) contains NaN or infinity; inputs must be finite."), arg.Param);

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Which of the caller's arguments a checked value came from: <see cref="Param"/> becomes the exception's
/// ParamName, <see cref="Label"/> names the value in the message (for example "the queries of e").
/// </summary>
/// <param name="Param">The caller's parameter name.</param>
/// <param name="Described">How the message names the value; the parameter name when null.</param>
internal readonly record struct Arg(string Param, string? Described = null)
{
    /// <summary>How the message names the value.</summary>
    public string Label => Described ?? Param;
}
