using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// An independent, deliberately plain reference for the engine tests: loops in double precision, written
/// from the formula softmax(Q K^T / sqrt(dK) + mask) V, sharing no code with the library.
/// </summary>
internal static class NaiveAttention
{
    /// <summary>Seeded standard-normal matrix (Box-Muller), scaled by <paramref name="scale"/>.</summary>
    public static Matrix<float> Random(int seed, int rows, int cols, double scale = 1.0)
    {
        var random = new Random(seed);
        return Matrix<float>.Build.Dense(rows, cols, (_, _) =>
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            return (float)(scale * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
        });
    }

    /// <summary>The attention pattern (nQ, nK) in double: causal means key j is visible to query i iff j &lt;= i.</summary>
    public static double[,] Pattern(Matrix<float> q, Matrix<float> k, bool isCausal)
    {
        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount;
        float[,] qa = q.ToArray(), ka = k.ToArray();
        var pattern = new double[nQ, nK];
        for (int i = 0; i < nQ; i++)
        {
            double max = double.NegativeInfinity;
            var scores = new double[nK];
            for (int j = 0; j < nK; j++)
            {
                if (isCausal && j > i)
                {
                    scores[j] = double.NegativeInfinity;
                    continue;
                }
                double dot = 0;
                for (int c = 0; c < dK; c++)
                {
                    dot += (double)qa[i, c] * ka[j, c];
                }
                scores[j] = dot / Math.Sqrt(dK);
                max = Math.Max(max, scores[j]);
            }
            double sum = 0;
            for (int j = 0; j < nK; j++)
            {
                pattern[i, j] = double.IsNegativeInfinity(scores[j]) ? 0 : Math.Exp(scores[j] - max);
                sum += pattern[i, j];
            }
            for (int j = 0; j < nK; j++)
            {
                pattern[i, j] = sum == 0 ? 0 : pattern[i, j] / sum;
            }
        }
        return pattern;
    }

    /// <summary>softmax(Q K^T / sqrt(dK) + mask) V in double: (nQ, dV).</summary>
    public static double[,] Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        double[,] pattern = Pattern(q, k, isCausal);
        float[,] va = v.ToArray();
        var output = new double[q.RowCount, v.ColumnCount];
        for (int i = 0; i < q.RowCount; i++)
        {
            for (int j = 0; j < k.RowCount; j++)
            {
                double w = pattern[i, j];
                if (w == 0)
                {
                    continue;
                }
                for (int c = 0; c < v.ColumnCount; c++)
                {
                    output[i, c] += w * va[j, c];
                }
            }
        }
        return output;
    }

    /// <summary>e w^T in double: (seqLen, rows of w).</summary>
    public static Matrix<float> Project(Matrix<float> e, Matrix<float> w)
    {
        float[,] ea = e.ToArray(), wa = w.ToArray();
        var result = new float[e.RowCount, w.RowCount];
        for (int i = 0; i < e.RowCount; i++)
        {
            for (int r = 0; r < w.RowCount; r++)
            {
                double dot = 0;
                for (int c = 0; c < e.ColumnCount; c++)
                {
                    dot += (double)ea[i, c] * wa[r, c];
                }
                result[i, r] = (float)dot;
            }
        }
        return Matrix<float>.Build.DenseOfArray(result);
    }

    /// <summary>Widens a float array to double.</summary>
    public static double[,] ToDouble(this float[,] a)
    {
        var d = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                d[i, j] = a[i, j];
            }
        }
        return d;
    }

    /// <summary>Narrows a double array to float.</summary>
    public static float[,] ToSingle(this double[,] a)
    {
        var f = new float[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                f[i, j] = (float)a[i, j];
            }
        }
        return f;
    }

    /// <summary>
    /// Relative error in the max norm: max |actual - expected| over all entries, divided by max |expected|
    /// (or by 1 when every expected entry is below 1 in magnitude, so tiny outputs are compared absolutely).
    /// </summary>
    public static double RelativeError(Matrix<float> actual, double[,] expected)
    {
        Assert.Equal(expected.GetLength(0), actual.RowCount);
        Assert.Equal(expected.GetLength(1), actual.ColumnCount);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < actual.RowCount; i++)
        {
            for (int j = 0; j < actual.ColumnCount; j++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[i, j] - expected[i, j]));
                maxRef = Math.Max(maxRef, Math.Abs(expected[i, j]));
            }
        }
        return maxDiff / Math.Max(1.0, maxRef);
    }
}
