using CsCheck;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// The property every attention entry point must have, for random shapes and values including non-finite and
/// extreme ones: either a finite output equal to the double-precision reference (within what float rounding
/// allows, see <see cref="Bound"/>) or an ArgumentException naming one of the entry point's own arguments; never
/// NaN or infinity out, never another exception type. Shared by the core's and the TorchSharp engines' tests.
/// </summary>
internal static class AttentionFuzz
{
    /// <summary>A random case: shapes, a magnitude per input, and at most one special value planted somewhere.</summary>
    public sealed record Case(int NQ, int NK, int DK, int DV, bool IsCausal, float ScaleQ, float ScaleK, float ScaleV, int Seed, int Target, float Special)
    {
        public Matrix<float> Q() => Make(NQ, DK, ScaleQ, 0);

        public Matrix<float> K() => Make(NK, DK, ScaleK, 1);

        public Matrix<float> V() => Make(NK, DV, ScaleV, 2);

        /// <summary>An arbitrary (nQ, nK) weight grid for mixing (not a softmax: any weights are allowed).</summary>
        public Matrix<float> Weights() => Make(NQ, NK, ScaleQ, 3);

        // Entries are scale * N(0, 1), rounded to float (which may overflow to infinity: that is input too); the
        // special value, if any, replaces one entry of input number Target.
        private Matrix<float> Make(int rows, int cols, float scale, int which)
        {
            var m = Matrix<float>.Build.Dense(rows, cols, (_, _) => 0f);
            var random = new Random((Seed * 4) + which);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    m[r, c] = (float)(scale * Gaussian(random));
            if (Target == which) m[Seed % rows, Seed / rows % cols] = Special;
            return m;
        }

        private static double Gaussian(Random random) =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    private static readonly float[] Scales = [0f, 1e-30f, 1e-3f, 1f, 30f, 1e3f, 1e10f, 1e18f, 1e19f, 1e20f, 1e37f, float.MaxValue];

    private static readonly float[] Specials =
        [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, float.Epsilon, 1e-40f, 0f, 1e30f];

    public static readonly Gen<Case> Cases =
        from nQ in Gen.Int[1, 12]
        from nK in Gen.Int[1, 12]
        from dK in Gen.Int[1, 8]
        from dV in Gen.Int[1, 6]
        from isCausal in Gen.Bool
        from scaleQ in Gen.OneOf(Scales)
        from scaleK in Gen.OneOf(Scales)
        from scaleV in Gen.OneOf(Scales)
        from seed in Gen.Int[0, 1_000_000]
        from target in Gen.Int[-2, 3] // -2..-1: no special value
        from special in Gen.OneOf(Specials)
        select new Case(nQ, nK, dK, dV, isCausal, scaleQ, scaleK, scaleV, seed, target, special);

    /// <summary>Null when the entry point behaved (a finite result close to the reference, or a named ArgumentException); else what went wrong.</summary>
    public static string? Judge(Func<Matrix<float>, Matrix<float>, Matrix<float>, bool, Matrix<float>> attend, string[] parameters, Case c)
    {
        Matrix<float> q = c.Q(), k = c.K(), v = c.V();
        Matrix<float> output;
        try
        {
            output = attend(q, k, v, c.IsCausal);
        }
        catch (ArgumentException e)
        {
            return parameters.Contains(e.ParamName) ? null : $"ArgumentException names '{e.ParamName}': {e.Message}";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }

        if (!AllFinite(q) || !AllFinite(k) || !AllFinite(v)) return "non-finite input accepted";
        if (!AllFinite(output)) return "non-finite output";
        double error = MaxDifference(output, AttentionReference.Attend(q, k, v, c.IsCausal));
        double bound = Bound(q, k, v);
        return error <= bound ? null : $"max |output - reference| = {error:G3} > {bound:G3}";
    }

    public const double Eps = 1.2e-7; // float's unit roundoff, with a little room

    /// <summary>
    /// How far a correct float engine may be from the double reference. Each score q · k / sqrt(dK) carries a rounding
    /// error of at most delta = dK eps max|q| max|k| / sqrt(dK) (plus the exp's own few ulp); softmax turns score errors
    /// of delta into relative weight errors of at most exp(2 delta) - 1, and the output, a weighted mean of values, then
    /// moves by at most that times 2 max|v|, never more than 2 max|v| (any two means of the same values are that close).
    /// The sums over keys add nK eps max|v|. Where the scores are ill-conditioned the bound says only "finite and
    /// within the values' range"; where they are well conditioned it is about 1e-6 relative.
    /// </summary>
    public static double Bound(Matrix<float> q, Matrix<float> k, Matrix<float> v)
    {
        int dK = q.ColumnCount, nK = k.RowCount;
        double maxV = MaxAbs(v);
        double delta = (2 * dK * Eps * MaxAbs(q) * MaxAbs(k) / Math.Sqrt(dK)) + (8 * Eps);
        double weights = Math.Min(1, Math.Exp(2 * delta) - 1);
        return (2 * maxV * weights) + (4 * (nK + dK) * Eps * maxV) + 1e-35;
    }

    public static bool AllFinite(Matrix<float> m) => m.Enumerate().All(float.IsFinite);

    public static double MaxAbs(Matrix<float> m) => m.Enumerate().Max(x => Math.Abs((double)x));

    public static double MaxDifference(Matrix<float> actual, double[,] expected)
    {
        Assert.Equal((expected.GetLength(0), expected.GetLength(1)), (actual.RowCount, actual.ColumnCount));
        double worst = 0;
        for (int i = 0; i < actual.RowCount; i++)
            for (int j = 0; j < actual.ColumnCount; j++)
                worst = Math.Max(worst, Math.Abs(actual[i, j] - expected[i, j]));
        return worst;
    }
}
