using System.Runtime.Intrinsics;
using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Layers;

/// <summary>
/// BERT's position-wise feed-forward block: each token alone goes up to dFf dimensions, through GELU,
/// and back down, <c>FFN(x) = W_down GELU(W_up x + b_up) + b_down</c>
/// (Vaswani et al. 2017, section 3.3; Hendrycks and Gimpel 2016 for GELU).
/// </summary>
public static class FeedForward
{
    private static readonly double InverseSqrt2 = 1.0 / Math.Sqrt(2.0);

    /// <summary>Applies the block to every token of <paramref name="x"/>.</summary>
    /// <param name="x">A sequence, shape (seqLen, dModel). Not modified.</param>
    /// <param name="weights">The two matrices and biases.</param>
    /// <returns>A new matrix, shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">x is empty or its width is not the weights' dModel.</exception>
    public static Matrix<float> Apply(Matrix<float> x, FeedForwardWeights weights)
    {
        Shape.NotEmpty(x, nameof(x));
        ArgumentNullException.ThrowIfNull(weights);
        Shape.Check(x, -1, weights.WUp.ColumnCount, nameof(x));
        return Forward(x, weights);
    }

    /// <summary>
    /// The exact GELU, <c>x · Φ(x) = ½ x (1 + erf(x / √2))</c>, on every entry (a new matrix).
    /// The graph computes this erf form, not the tanh approximation, so this does too (erf itself to within 1.5e-7).
    /// </summary>
    /// <param name="x">Any matrix. Not modified.</param>
    /// <returns>A new matrix of the same shape.</returns>
    public static Matrix<float> Gelu(Matrix<float> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = Matrix<float>.Build.DenseOfMatrix(x); // a copy: x is not modified
        GeluInPlace(result.AsColumnMajorArray());
        return result;
    }

    /// <summary>The exact GELU of one number, <c>½ x (1 + erf(x / √2))</c>.</summary>
    /// <param name="x">Input.</param>
    /// <returns>GELU(x).</returns>
    public static float Gelu(float x) => (float)(0.5 * x * (1.0 + Erf(x * InverseSqrt2)));

    /// <summary>
    /// erf in double by Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7, an order of magnitude
    /// under float32's resolution near 1, and odd by construction. About ten times faster than a
    /// full-precision erf, which matters at numLayers · seqLen · dFf calls per sentence.
    /// </summary>
    internal static double Erf(double z)
    {
        double a = Math.Abs(z);
        double t = 1.0 / (1.0 + 0.3275911 * a);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double value = 1.0 - poly * Math.Exp(-a * a);
        return z < 0 ? -value : value;
    }

    internal static Matrix<float> Forward(Matrix<float> x, FeedForwardWeights weights)
    {
        var hidden = Linear.Affine(x, weights.WUp, weights.BUp); // (seqLen, dFf)
        GeluInPlace(hidden.AsColumnMajorArray());                  // a fresh matrix of ours: safe in place
        return Linear.Affine(hidden, weights.WDown, weights.BDown); // (seqLen, dModel)
    }

    /// <summary>
    /// <see cref="Gelu(float)"/> on every entry, eight at a time: the same Abramowitz and Stegun erf in float, with
    /// the kernels' exp (<see cref="AttentionTile.ExpNonPositive"/>, exp(-z²) has a non-positive argument). Float
    /// rounding adds about 1e-7 to the erf's own 1.5e-7; numLayers · seqLen · dFf entries per sentence made the
    /// scalar double version the slowest step of the real model's forward pass.
    /// </summary>
    internal static void GeluInPlace(Span<float> values)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> half = Vector256.Create(0.5f), one = Vector256<float>.One;
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.Create(values.Slice(i, Vector256<float>.Count));
                Vector256<float> a = Vector256.Abs(x * Vector256.Create((float)InverseSqrt2)); // |z|, z = x / √2
                Vector256<float> t = one / Vector256.MultiplyAddEstimate(a, Vector256.Create(0.3275911f), one);
                Vector256<float> poly = Vector256.MultiplyAddEstimate(t, Vector256.Create(1.061405429f), Vector256.Create(-1.453152027f));
                poly = Vector256.MultiplyAddEstimate(poly, t, Vector256.Create(1.421413741f));
                poly = Vector256.MultiplyAddEstimate(poly, t, Vector256.Create(-0.284496736f));
                poly = Vector256.MultiplyAddEstimate(poly, t, Vector256.Create(0.254829592f));
                Vector256<float> erfOfAbs = one - (poly * t * AttentionTile.ExpNonPositive(-(a * a)));

                // erf is odd: x Φ(x) = ½ x (1 + sign(x) erf(|z|)).
                Vector256<float> erf = Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -erfOfAbs, erfOfAbs);
                (half * x * (one + erf)).CopyTo(values.Slice(i, Vector256<float>.Count));
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = Gelu(values[i]);
        }
    }
}

/// <summary>The weights of one feed-forward block, in the course's (dOut, dIn) orientation.</summary>
public sealed record FeedForwardWeights
{
    /// <summary>Groups the two affine maps, checking that their shapes chain.</summary>
    /// <param name="wUp">Up-projection, shape (dFf, dModel).</param>
    /// <param name="bUp">Its bias, length dFf.</param>
    /// <param name="wDown">Down-projection, shape (dModel, dFf).</param>
    /// <param name="bDown">Its bias, length dModel.</param>
    /// <exception cref="ArgumentException">The shapes do not chain.</exception>
    public FeedForwardWeights(Matrix<float> wUp, Vector<float> bUp, Matrix<float> wDown, Vector<float> bDown)
    {
        ArgumentNullException.ThrowIfNull(wUp);
        ArgumentNullException.ThrowIfNull(bUp);
        ArgumentNullException.ThrowIfNull(bDown);
        Shape.Check(wDown, wUp.ColumnCount, wUp.RowCount, nameof(wDown));
        if (bUp.Count != wUp.RowCount)
            throw new ArgumentException($"bUp has length {bUp.Count} but wUp has shape ({wUp.RowCount}, {wUp.ColumnCount}).", nameof(bUp));
        if (bDown.Count != wDown.RowCount)
            throw new ArgumentException($"bDown has length {bDown.Count} but wDown has shape ({wDown.RowCount}, {wDown.ColumnCount}).", nameof(bDown));
        WUp = wUp;
        BUp = bUp;
        WDown = wDown;
        BDown = bDown;
    }

    /// <summary>Up-projection, shape (dFf, dModel).</summary>
    public Matrix<float> WUp { get; }

    /// <summary>Bias of the up-projection, length dFf.</summary>
    public Vector<float> BUp { get; }

    /// <summary>Down-projection, shape (dModel, dFf).</summary>
    public Matrix<float> WDown { get; }

    /// <summary>Bias of the down-projection, length dModel.</summary>
    public Vector<float> BDown { get; }

    /// <summary>Learned numbers: 2 · dModel · dFf + dFf + dModel.</summary>
    public long ParameterCount => (long)WUp.RowCount * WUp.ColumnCount + BUp.Count + (long)WDown.RowCount * WDown.ColumnCount + BDown.Count;
}
