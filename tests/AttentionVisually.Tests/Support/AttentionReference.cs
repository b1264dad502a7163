using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// The one reference every engine test checks against: softmax(Q K^T / sqrt(dK) + mask) V with deliberately plain
/// loops in double precision, written from the formula and sharing no code with the library, and one error measure
/// (<see cref="RelativeError(Matrix{float}, double[,])"/>) that checks the shape first. A query whose keys are all
/// masked gets a row of zeros, as the library defines it.
/// </summary>
internal static class AttentionReference
{
    /// <summary>The attention pattern (nQ, nK) in double; causal means key j is visible to query i iff j &lt;= i.</summary>
    public static double[,] Pattern(Matrix<float> q, Matrix<float> k, bool isCausal) =>
        Pattern(q, k, isCausal ? (i, j) => j <= i : null);

    /// <summary>The attention pattern (nQ, nK) in double; <paramref name="allowed"/> says which keys a query sees (all when null).</summary>
    public static double[,] Pattern(Matrix<float> q, Matrix<float> k, Func<int, int, bool>? allowed)
    {
        Assert.Equal(q.ColumnCount, k.ColumnCount);
        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount;
        var pattern = new double[nQ, nK];
        for (int i = 0; i < nQ; i++)
        {
            var scores = new double[nK];
            double max = double.NegativeInfinity;
            for (int j = 0; j < nK; j++)
            {
                if (allowed is not null && !allowed(i, j))
                {
                    scores[j] = double.NegativeInfinity;
                    continue;
                }
                double dot = 0;
                for (int c = 0; c < dK; c++) dot += (double)q[i, c] * k[j, c];
                scores[j] = dot / Math.Sqrt(dK);
                max = Math.Max(max, scores[j]);
            }
            if (double.IsNegativeInfinity(max)) continue; // every key masked: zeros
            double sum = 0;
            for (int j = 0; j < nK; j++)
            {
                pattern[i, j] = Math.Exp(scores[j] - max);
                sum += pattern[i, j];
            }
            for (int j = 0; j < nK; j++) pattern[i, j] /= sum;
        }
        return pattern;
    }

    /// <summary>softmax(Q K^T / sqrt(dK) + causal mask) V in double: (nQ, dV).</summary>
    public static double[,] Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal) =>
        Attend(q, k, v, isCausal ? (i, j) => j <= i : null);

    /// <summary>softmax(Q K^T / sqrt(dK) + mask) V in double: (nQ, dV); <paramref name="allowed"/> is the mask (none when null).</summary>
    public static double[,] Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, Func<int, int, bool>? allowed = null)
    {
        Assert.Equal(k.RowCount, v.RowCount);
        double[,] pattern = Pattern(q, k, allowed);
        var output = new double[q.RowCount, v.ColumnCount]; // (nQ, nK) (nK, dV)
        for (int i = 0; i < q.RowCount; i++)
            for (int j = 0; j < k.RowCount; j++)
                for (int c = 0; c < v.ColumnCount; c++)
                    output[i, c] += pattern[i, j] * v[j, c];
        return output;
    }

    /// <summary>e w^T in double, rounded once to float: (seqLen, rows of w).</summary>
    public static Matrix<float> Project(Matrix<float> e, Matrix<float> w)
    {
        Assert.Equal(e.ColumnCount, w.ColumnCount);
        var result = Matrix<float>.Build.Dense(e.RowCount, w.RowCount);
        for (int i = 0; i < e.RowCount; i++)
            for (int r = 0; r < w.RowCount; r++)
            {
                double dot = 0;
                for (int c = 0; c < e.ColumnCount; c++) dot += (double)e[i, c] * w[r, c];
                result[i, r] = (float)dot;
            }
        return result;
    }

    /// <summary>A seeded matrix of independent normal entries with mean 0 and standard deviation <paramref name="scale"/>.</summary>
    public static Matrix<float> Random(int rows, int cols, int seed, double scale = 1)
    {
        var normal = new Normal(0, scale, new Random(seed));
        return Matrix<float>.Build.Dense(rows, cols, (_, _) => (float)normal.Sample());
    }

    /// <summary>
    /// The error measure of every engine test: the shape must match, then max |actual - expected| / max |expected|
    /// over the whole output. Measured against the output's largest entry, so entries near zero (sums of values of
    /// both signs) are not held to an unreachable relative accuracy of their own. NaN in actual gives NaN (fails).
    /// </summary>
    public static double RelativeError(Matrix<float> actual, double[,] expected)
    {
        Assert.Equal((expected.GetLength(0), expected.GetLength(1)), (actual.RowCount, actual.ColumnCount));
        double worst = 0, scale = 0;
        for (int i = 0; i < actual.RowCount; i++)
            for (int j = 0; j < actual.ColumnCount; j++)
            {
                double diff = Math.Abs(actual[i, j] - expected[i, j]);
                if (double.IsNaN(diff)) return double.NaN;
                worst = Math.Max(worst, diff);
                scale = Math.Max(scale, Math.Abs(expected[i, j]));
            }
        return worst == 0 ? 0 : worst / Math.Max(scale, double.Epsilon);
    }

    /// <summary>The same measure against a float result.</summary>
    public static double RelativeError(Matrix<float> actual, Matrix<float> expected) => RelativeError(actual, expected.ToArray().ToDouble());

    /// <summary>Asserts <see cref="RelativeError(Matrix{float}, double[,])"/> &lt;= <paramref name="relative"/>, with the figures in the message.</summary>
    public static void AssertClose(double[,] expected, Matrix<float> actual, double relative = 1e-5)
    {
        double error = RelativeError(actual, expected);
        Assert.True(error <= relative, $"max |actual - expected| / max |expected| = {error:E3} exceeds {relative:E0}");
    }

    /// <summary>The same assertion against a float result.</summary>
    public static void AssertClose(Matrix<float> expected, Matrix<float> actual, double relative) =>
        AssertClose(expected.ToArray().ToDouble(), actual, relative);

    /// <summary>Widens a float array to double.</summary>
    public static double[,] ToDouble(this float[,] a)
    {
        var d = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                d[i, j] = a[i, j];
        return d;
    }

    /// <summary>Narrows a double array to float.</summary>
    public static float[,] ToSingle(this double[,] a)
    {
        var f = new float[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                f[i, j] = (float)a[i, j];
        return f;
    }
}
