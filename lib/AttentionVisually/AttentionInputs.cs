using System.Globalization;
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// The boundary checks shared by every attention entry point that takes q (nQ, dK), k (nK, dK) and
/// v (nK, dV): nothing empty, matching dK, one value per key, every entry finite.
/// </summary>
internal static class AttentionInputs
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the argument and the shapes when q, k, v do not fit together.</summary>
    public static void Check(Matrix<float> q, Matrix<float> k, Matrix<float> v)
    {
        Shape.NotEmpty(q, nameof(q));
        Shape.NotEmpty(k, nameof(k));
        Shape.NotEmpty(v, nameof(v));
        if (k.ColumnCount != q.ColumnCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"k has dK = {k.ColumnCount} but q has dK = {q.ColumnCount}: q is ({q.RowCount}, {q.ColumnCount}), k is ({k.RowCount}, {k.ColumnCount})."),
                nameof(k));
        }

        if (v.RowCount != k.RowCount)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"v has {v.RowCount} rows but k has {k.RowCount}: one value per key; k is ({k.RowCount}, {k.ColumnCount}), v is ({v.RowCount}, {v.ColumnCount})."),
                nameof(v));
        }

        Finite(q, nameof(q));
        Finite(k, nameof(k));
        Finite(v, nameof(v));
        ScoresFit(q, k);
    }

    /// <summary>
    /// Throws when finite q and k are so large that a dot product q · k could overflow float: the scores would be
    /// ±∞ and softmax would return NaN. The bound max|q| · max|k| · dK is conservative.
    /// </summary>
    public static void ScoresFit(Matrix<float> q, Matrix<float> k)
    {
        double maxQ = MaxMagnitude(q), maxK = MaxMagnitude(k);
        if (maxQ * maxK * q.ColumnCount > float.MaxValue)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"q and k are too large: max |q| = {maxQ:G3}, max |k| = {maxK:G3}, dK = {q.ColumnCount}, so q · k could overflow float; scale the inputs down."),
                nameof(q));
        }
    }

    private static double MaxMagnitude(Matrix<float> m)
    {
        float[]? data = m.AsColumnMajorArray();
        return data is not null ? Math.Abs(TensorPrimitives.MaxMagnitude<float>(data)) : Compare.MaxAbs(m);
    }

    /// <summary>A vectorized pass over dense storage; <see cref="Shape.Finite"/> locates the entry only when one is bad.</summary>
    private static void Finite(Matrix<float> m, string name)
    {
        float[]? data = m.AsColumnMajorArray();
        if (data is null || !TensorPrimitives.IsFiniteAll<float>(data))
        {
            Shape.Finite(m, name);
        }
    }
}
