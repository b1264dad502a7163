using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>How far apart two results are: the measures the chapters and tests use to say "the same".</summary>
public static class Compare
{
    /// <summary>The largest absolute entry of a matrix; NaN when any entry is NaN (so a check on it fails).</summary>
    /// <param name="m">Any matrix.</param>
    public static double MaxAbs(Matrix<float> m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double max = 0;
        foreach (float x in m.Enumerate())
        {
            if (float.IsNaN(x)) return double.NaN; // LINQ's Max would skip it and report a finite number
            max = Math.Max(max, Math.Abs((double)x));
        }
        return max;
    }

    /// <summary>The largest absolute difference between matching entries, max |a − b|.</summary>
    /// <param name="a">A matrix.</param>
    /// <param name="b">A matrix of the same shape.</param>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static double MaxAbsDifference(Matrix<float> a, Matrix<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        Shape.Check(b, a.RowCount, a.ColumnCount, nameof(b));
        return MaxAbs(a - b);
    }

    /// <summary>The difference relative to the size of the reference: max |a − b| / max |b|.</summary>
    /// <param name="a">A matrix.</param>
    /// <param name="reference">The reference, of the same shape and not all zero.</param>
    /// <exception cref="ArgumentException">The shapes differ, or the reference is all zero.</exception>
    public static double RelativeDifference(Matrix<float> a, Matrix<float> reference)
    {
        double scale = MaxAbs(reference);
        if (scale == 0) throw new ArgumentException("reference is all zero; use MaxAbsDifference.", nameof(reference));
        return MaxAbsDifference(a, reference) / scale;
    }
}
