using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// An independent, deliberately naive attention for cross-checks: softmax(Q K^T / sqrt(dK) + mask) V in double
/// precision with the whole (nQ, nK) pattern held explicitly, written from the formula and sharing no code
/// with the library.
/// </summary>
internal static class ExplicitReference
{
    public static double[,] Attention(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount, dV = v.ColumnCount;
        var pattern = new double[nQ, nK]; // (nQ, nK)
        for (int i = 0; i < nQ; i++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < nK; j++)
            {
                double dot = 0;
                for (int p = 0; p < dK; p++)
                {
                    dot += (double)q[i, p] * k[j, p];
                }

                pattern[i, j] = isCausal && j > i ? double.NegativeInfinity : dot / Math.Sqrt(dK);
                max = Math.Max(max, pattern[i, j]);
            }

            double sum = 0;
            for (int j = 0; j < nK; j++)
            {
                pattern[i, j] = Math.Exp(pattern[i, j] - max);
                sum += pattern[i, j];
            }

            for (int j = 0; j < nK; j++)
            {
                pattern[i, j] /= sum;
            }
        }

        var output = new double[nQ, dV]; // (nQ, nK) (nK, dV)
        for (int i = 0; i < nQ; i++)
        {
            for (int c = 0; c < dV; c++)
            {
                double sum = 0;
                for (int j = 0; j < nK; j++)
                {
                    sum += pattern[i, j] * v[j, c];
                }

                output[i, c] = sum;
            }
        }

        return output;
    }

    /// <summary>A seeded matrix of independent normal entries.</summary>
    public static Matrix<float> Random(int rows, int cols, int seed, double scale = 1)
    {
        var normal = new Normal(0, scale, new Random(seed));
        return Matrix<float>.Build.Dense(rows, cols, (_, _) => (float)normal.Sample());
    }

    /// <summary>
    /// Asserts the shape, then that max |actual - expected| &lt;= relative * max |expected| over the whole output:
    /// the error is measured against the output's largest entry, so entries near zero (sums of values of
    /// both signs) are not held to an unreachable relative accuracy of their own.
    /// </summary>
    public static void AssertClose(double[,] expected, Matrix<float> actual, double relative = 1e-5)
    {
        Assert.Equal((expected.GetLength(0), expected.GetLength(1)), (actual.RowCount, actual.ColumnCount));
        double scale = 0, worst = 0;
        for (int i = 0; i < actual.RowCount; i++)
        {
            for (int c = 0; c < actual.ColumnCount; c++)
            {
                scale = Math.Max(scale, Math.Abs(expected[i, c]));
                worst = Math.Max(worst, Math.Abs(actual[i, c] - expected[i, c]));
            }
        }

        Assert.True(worst <= relative * scale, $"max |actual - expected| = {worst:E3} exceeds {relative:E0} * max |expected| = {relative * scale:E3}");
    }

    /// <summary>The same measure between two float results.</summary>
    public static void AssertClose(Matrix<float> expected, Matrix<float> actual, double relative)
    {
        var widened = new double[expected.RowCount, expected.ColumnCount];
        for (int i = 0; i < expected.RowCount; i++)
        {
            for (int c = 0; c < expected.ColumnCount; c++)
            {
                widened[i, c] = expected[i, c];
            }
        }

        AssertClose(widened, actual, relative);
    }
}
