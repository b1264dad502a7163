using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Layers;

/// <summary>
/// An affine map applied to every token: <c>y_i = W x_i + b</c>, i.e. <c>Y = X Wᵀ + b</c> with one token
/// per row. This is PyTorch's <c>nn.Linear</c>; the weight is stored (dOut, dIn), the course's orientation.
/// </summary>
public static class Linear
{
    /// <summary>Applies <c>Y = X Wᵀ + b</c>.</summary>
    /// <param name="x">Inputs, shape (seqLen, dIn). Not modified.</param>
    /// <param name="w">Weight, shape (dOut, dIn).</param>
    /// <param name="b">Bias, length dOut.</param>
    /// <returns>A new matrix, shape (seqLen, dOut).</returns>
    /// <exception cref="ArgumentException">x is empty, or dIn or dOut disagree between the arguments.</exception>
    public static Matrix<float> Apply(Matrix<float> x, Matrix<float> w, Vector<float> b)
    {
        Shape.NotEmpty(x, nameof(x));
        Shape.Check(w, -1, x.ColumnCount, nameof(w));
        ArgumentNullException.ThrowIfNull(b);
        if (b.Count != w.RowCount)
            throw new ArgumentException($"b has length {b.Count} but w has shape ({w.RowCount}, {w.ColumnCount}): the bias needs one entry per output.", nameof(b));
        return Affine(x, w, b);
    }

    internal static Matrix<float> Affine(Matrix<float> x, Matrix<float> w, Vector<float> b) => MatrixProducts.Affine(x, w, b);
}
