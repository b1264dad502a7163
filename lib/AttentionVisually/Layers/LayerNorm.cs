using DoubleVector = System.Numerics.Vector<double>;
using FloatVector = System.Numerics.Vector<float>;
using SimdVector = System.Numerics.Vector;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Layers;

/// <summary>
/// Layer normalization over each token's vector: <c>γ ⊙ (x − mean(x)) / √(var(x) + ε) + β</c>
/// (Ba, Kiros and Hinton 2016, "Layer Normalization"; BERT applies it after each residual sum).
/// </summary>
/// <remarks>
/// Mean and variance are taken per row (per token) over the dModel features, with the biased variance
/// (divide by dModel, not dModel − 1), as PyTorch's <c>nn.LayerNorm</c> and the exported graph do.
/// They are accumulated in double so that a row with a large mean loses no precision.
/// </remarks>
public static class LayerNorm
{
    /// <summary>Normalizes every row of <paramref name="x"/> and applies the learned scale and shift.</summary>
    /// <param name="x">A sequence, shape (seqLen, dModel). Not modified.</param>
    /// <param name="weights">γ and β, each of length dModel.</param>
    /// <param name="epsilon">The ε added to the variance (1e-12 in MiniLM).</param>
    /// <returns>A new matrix, shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">The sequence is empty, or γ/β have another length than dModel.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epsilon"/> is negative or not finite.</exception>
    public static Matrix<float> Apply(Matrix<float> x, LayerNormWeights weights, float epsilon)
    {
        Shape.NotEmpty(x, nameof(x));
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Gamma.Count != x.ColumnCount)
            throw new ArgumentException($"weights has γ of length {weights.Gamma.Count} but x has shape ({x.RowCount}, {x.ColumnCount}).", nameof(weights));
        if (!(epsilon >= 0) || !float.IsFinite(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be finite and not negative.");
        return Normalize(x, weights, epsilon);
    }

    internal static Matrix<float> Normalize(Matrix<float> x, LayerNormWeights weights, float epsilon)
    {
        int seqLen = x.RowCount, dModel = x.ColumnCount;
        float[] gamma = weights.Gamma.AsArray() ?? weights.Gamma.ToArray();
        float[] beta = weights.Beta.AsArray() ?? weights.Beta.ToArray();
        float[] input = x.AsColumnMajorArray() ?? x.ToColumnMajorArray(); // x_ij at j * seqLen + i; x is untouched

        // Each token's mean and variance (in double), gathered column by column: every step is a contiguous run
        // over the tokens of one feature, as MathNet stores the matrix, so nothing is transposed.
        var mean = new double[seqLen];
        var variance = new double[seqLen];
        int floats = FloatVector.Count, doubles = DoubleVector.Count;
        int wholeRuns = seqLen - (seqLen % floats);
        for (int j = 0; j < dModel; j++)
        {
            var column = input.AsSpan(j * seqLen, seqLen);
            int i = 0;
            for (; i < wholeRuns; i += floats)
            {
                SimdVector.Widen(new FloatVector(column[i..]), out var low, out var high);
                (new DoubleVector(mean, i) + low).CopyTo(mean, i);
                (new DoubleVector(mean, i + doubles) + high).CopyTo(mean, i + doubles);
            }
            for (; i < seqLen; i++) mean[i] += column[i];
        }
        for (int i = 0; i < seqLen; i++) mean[i] /= dModel;
        for (int j = 0; j < dModel; j++)
        {
            var column = input.AsSpan(j * seqLen, seqLen);
            int i = 0;
            for (; i < wholeRuns; i += floats)
            {
                SimdVector.Widen(new FloatVector(column[i..]), out var low, out var high);
                var dLow = low - new DoubleVector(mean, i);
                var dHigh = high - new DoubleVector(mean, i + doubles);
                (new DoubleVector(variance, i) + (dLow * dLow)).CopyTo(variance, i);
                (new DoubleVector(variance, i + doubles) + (dHigh * dHigh)).CopyTo(variance, i + doubles);
            }
            for (; i < seqLen; i++) variance[i] += (column[i] - mean[i]) * (column[i] - mean[i]);
        }

        // y_ij = (x_ij - mean_i) / std_i · γ_j + β_j, one vectorized run per feature. The run is written out rather
        // than as four TensorPrimitives calls: with few tokens a run is one or two vectors, and the calls' own cost
        // was most of the time (16 tokens: 106 µs a LayerNorm, 13 of them per MiniLM forward pass).
        var center = new float[seqLen];
        var inverseStd = new float[seqLen];
        for (int i = 0; i < seqLen; i++)
        {
            center[i] = (float)mean[i];
            inverseStd[i] = (float)(1.0 / Math.Sqrt((variance[i] / dModel) + epsilon));
        }
        var output = new float[seqLen * dModel];
        for (int j = 0; j < dModel; j++)
        {
            ReadOnlySpan<float> xColumn = input.AsSpan(j * seqLen, seqLen);
            Span<float> yColumn = output.AsSpan(j * seqLen, seqLen);
            var g = new FloatVector(gamma[j]);
            var b = new FloatVector(beta[j]);
            int i = 0;
            for (; i < wholeRuns; i += floats)
            {
                var normalized = (new FloatVector(xColumn[i..]) - new FloatVector(center, i)) * new FloatVector(inverseStd, i);
                SimdVector.FusedMultiplyAdd(normalized, g, b).CopyTo(yColumn[i..]);
            }
            for (; i < seqLen; i++)
            {
                yColumn[i] = MathF.FusedMultiplyAdd((xColumn[i] - center[i]) * inverseStd[i], gamma[j], beta[j]);
            }
        }
        return Matrix<float>.Build.Dense(seqLen, dModel, output); // (seqLen, dModel), column-major
    }
}

/// <summary>The learned scale γ and shift β of one LayerNorm.</summary>
public sealed record LayerNormWeights
{
    /// <summary>Pairs a scale with a shift of the same length.</summary>
    /// <param name="gamma">Scale γ, length dModel.</param>
    /// <param name="beta">Shift β, length dModel.</param>
    /// <exception cref="ArgumentException">The lengths differ or are zero.</exception>
    public LayerNormWeights(Vector<float> gamma, Vector<float> beta)
    {
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        if (gamma.Count == 0 || gamma.Count != beta.Count)
            throw new ArgumentException($"beta has length {beta.Count} but gamma has length {gamma.Count}; both must be dModel > 0.", nameof(beta));
        Gamma = gamma;
        Beta = beta;
    }

    /// <summary>Scale γ, length dModel.</summary>
    public Vector<float> Gamma { get; }

    /// <summary>Shift β, length dModel.</summary>
    public Vector<float> Beta { get; }

    /// <summary>Learned numbers: 2 · dModel.</summary>
    public long ParameterCount => Gamma.Count + Beta.Count;
}
