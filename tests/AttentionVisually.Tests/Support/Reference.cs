using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>Independent, naive double-precision reference used to check the library.</summary>
internal static class Reference
{
    public static double[,] Attention(Matrix<float> q, Matrix<float> k, Matrix<float> v, Func<int, int, bool>? allowed = null)
    {
        int nQ = q.RowCount, nK = k.RowCount, d = q.ColumnCount, dV = v.ColumnCount;
        var o = new double[nQ, dV];
        for (int i = 0; i < nQ; i++)
        {
            var s = new double[nK];
            double max = double.NegativeInfinity;
            for (int j = 0; j < nK; j++)
            {
                if (allowed is not null && !allowed(i, j)) { s[j] = double.NegativeInfinity; continue; }
                double dot = 0;
                for (int t = 0; t < d; t++) dot += (double)q[i, t] * k[j, t];
                s[j] = dot / Math.Sqrt(d);
                max = Math.Max(max, s[j]);
            }
            if (double.IsNegativeInfinity(max)) continue;
            double sum = 0;
            for (int j = 0; j < nK; j++) { s[j] = Math.Exp(s[j] - max); sum += s[j]; }
            for (int j = 0; j < nK; j++)
                for (int c = 0; c < dV; c++)
                    o[i, c] += s[j] / sum * v[j, c];
        }
        return o;
    }

    /// <summary>max |a - b| / max(max |b|, 1e-6): the error relative to the size of the reference output.</summary>
    public static double RelativeError(Matrix<float> actual, double[,] expected)
    {
        double maxDiff = 0, maxRef = 1e-6;
        for (int i = 0; i < actual.RowCount; i++)
            for (int j = 0; j < actual.ColumnCount; j++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[i, j] - expected[i, j]));
                maxRef = Math.Max(maxRef, Math.Abs(expected[i, j]));
            }
        return maxDiff / maxRef;
    }

    public static double RelativeError(Matrix<float> actual, Matrix<float> expected)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        var e = new double[expected.RowCount, expected.ColumnCount];
        for (int i = 0; i < expected.RowCount; i++)
            for (int j = 0; j < expected.ColumnCount; j++) e[i, j] = expected[i, j];
        return RelativeError(actual, e);
    }
}
