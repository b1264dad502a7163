using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// Scaled dot-product attention step by step, the explicit way: the whole grid of query–key scores is
/// built, scaled, masked and normalized, so every intermediate can be looked at and plotted.
/// Vaswani et al. 2017, "Attention Is All You Need", eq. 1: <c>softmax(Q Kᵀ / √d_k) V</c>.
/// </summary>
/// <remarks>
/// Orientation: sequences have one token per row, so Q is (numQueries, dK) and K is (numKeys, dK).
/// The score grid and the attention pattern are (numQueries, numKeys): row i holds what query i gives
/// to every key, and each row sums to 1. 3Blue1Brown's chapter draws the transpose (keys as rows, queries as columns,
/// each column normalized); <see cref="KeysByQueries"/> returns that view for plots.
/// </remarks>
public static class Attention
{
    /// <summary>The grid of every query–key dot product, <c>Q Kᵀ</c>.</summary>
    /// <param name="q">Queries, shape (numQueries, dK).</param>
    /// <param name="k">Keys, shape (numKeys, dK).</param>
    /// <returns>Scores, shape (numQueries, numKeys); entry (i, j) is q_i · k_j.</returns>
    /// <exception cref="ArgumentException">Empty input, non-finite values, or different dK.</exception>
    public static Matrix<float> Scores(Matrix<float> q, Matrix<float> k)
    {
        CheckQueriesKeys(q, k);
        return q.TransposeAndMultiply(k); // (numQueries, numKeys)
    }

    /// <summary>Divides scores by √dK.</summary>
    /// <remarks>
    /// Why: if the entries of q and k are independent with variance 1, q · k is a sum of dK such products
    /// and has variance dK. Without the scale, scores grow like √dK and softmax saturates into a one-hot
    /// pattern whose gradients vanish; after it, the scores have variance about 1 whatever dK is.
    /// </remarks>
    /// <param name="scores">Scores, any shape. Not modified.</param>
    /// <param name="dK">The query/key dimension, at least 1.</param>
    /// <returns>A new matrix, <paramref name="scores"/> / √dK.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dK"/> is less than 1.</exception>
    public static Matrix<float> Scale(Matrix<float> scores, int dK)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(dK, 1);
        return scores / MathF.Sqrt(dK);
    }

    /// <summary>Sets the disallowed scores to −∞ (returns a new matrix).</summary>
    /// <param name="scores">Scores, shape (numQueries, numKeys). Not modified.</param>
    /// <param name="mask">A mask of the same shape.</param>
    /// <returns>The masked scores.</returns>
    /// <exception cref="ArgumentException">The mask's shape differs from the scores'.</exception>
    public static Matrix<float> ApplyMask(Matrix<float> scores, Mask mask)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(mask);
        mask.CheckFits(scores.RowCount, scores.ColumnCount, nameof(mask));
        var masked = scores.Clone();
        for (int i = 0; i < masked.RowCount; i++)
            for (int j = 0; j < masked.ColumnCount; j++)
                if (!mask[i, j]) masked[i, j] = float.NegativeInfinity;
        return masked;
    }

    /// <summary>The attention pattern <c>softmax(Q Kᵀ / √dK + mask)</c>, normalized along each query's row.</summary>
    /// <param name="q">Queries, shape (numQueries, dK).</param>
    /// <param name="k">Keys, shape (numKeys, dK).</param>
    /// <param name="mask">Optional mask, shape (numQueries, numKeys).</param>
    /// <param name="temperature">Softmax temperature, 1 by default.</param>
    /// <returns>The pattern, shape (numQueries, numKeys); rows sum to 1 (all zeros for a fully masked query).</returns>
    /// <exception cref="ArgumentException">Shapes do not match, an input is empty or not finite.</exception>
    public static Matrix<float> Pattern(Matrix<float> q, Matrix<float> k, Mask? mask = null, float temperature = 1f)
    {
        var scores = Scale(Scores(q, k), q.ColumnCount); // (numQueries, numKeys)
        if (mask is not null) scores = ApplyMask(scores, mask);
        return Softmax.OverKeys(scores, temperature);
    }

    /// <summary>The weighted sum of values: row i of the result is Σ_j pattern[i, j] · v_j.</summary>
    /// <param name="pattern">Weights, shape (numQueries, numKeys).</param>
    /// <param name="v">Values, shape (numKeys, dV).</param>
    /// <returns>Shape (numQueries, dV).</returns>
    /// <exception cref="ArgumentException">numKeys differs between the pattern and the values.</exception>
    public static Matrix<float> Apply(Matrix<float> pattern, Matrix<float> v)
    {
        Shape.NotEmpty(pattern, nameof(pattern));
        Shape.NotEmpty(v, nameof(v));
        if (pattern.ColumnCount != v.RowCount)
            throw new ArgumentException($"pattern has {pattern.ColumnCount} keys (shape ({pattern.RowCount}, {pattern.ColumnCount})) but v has {v.RowCount} rows (shape ({v.RowCount}, {v.ColumnCount})).", nameof(v));
        return pattern * v; // (numQueries, dV)
    }

    /// <summary>The whole formula, <c>softmax(Q Kᵀ / √dK + mask) V</c>, keeping the pattern for plots.</summary>
    /// <param name="q">Queries, shape (numQueries, dK).</param>
    /// <param name="k">Keys, shape (numKeys, dK).</param>
    /// <param name="v">Values, shape (numKeys, dV).</param>
    /// <param name="mask">Optional mask, shape (numQueries, numKeys).</param>
    /// <returns>The output (numQueries, dV) and the pattern (numQueries, numKeys).</returns>
    /// <exception cref="ArgumentException">Shapes do not match, an input is empty or not finite.</exception>
    public static AttentionResult ScaledDotProduct(Matrix<float> q, Matrix<float> k, Matrix<float> v, Mask? mask = null)
    {
        AttentionInputs.Check(q, k, v);
        var pattern = Pattern(q, k, mask);
        return new AttentionResult(pattern * v, pattern);
    }

    /// <summary>The video's view of a pattern: keys as rows, queries as columns (each column sums to 1).</summary>
    /// <param name="pattern">A pattern, shape (numQueries, numKeys).</param>
    /// <returns>Its transpose, shape (numKeys, numQueries).</returns>
    public static Matrix<float> KeysByQueries(Matrix<float> pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.Transpose();
    }

    internal static void CheckQueriesKeys(Matrix<float> q, Matrix<float> k)
    {
        Shape.NotEmpty(q, nameof(q));
        Shape.NotEmpty(k, nameof(k));
        if (q.ColumnCount != k.ColumnCount)
            throw new ArgumentException($"k has dK = {k.ColumnCount} (shape ({k.RowCount}, {k.ColumnCount})) but q has dK = {q.ColumnCount} (shape ({q.RowCount}, {q.ColumnCount})).", nameof(k));
        Shape.Finite(q, nameof(q));
        Shape.Finite(k, nameof(k));
        AttentionInputs.ScoresFit(q, k);
    }
}

/// <summary>The result of scaled dot-product attention.</summary>
/// <param name="Output">The weighted sums of values, shape (numQueries, dV).</param>
/// <param name="Pattern">The attention pattern, shape (numQueries, numKeys); rows sum to 1.</param>
public sealed record AttentionResult(Matrix<float> Output, Matrix<float> Pattern);

/// <summary>The explicit managed path as an <see cref="IAttentionEngine"/>: builds the full pattern.</summary>
public sealed class ExplicitAttentionEngine : IAttentionEngine
{
    /// <inheritdoc />
    public string Name => "managed explicit";

    /// <inheritdoc />
    public Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal) =>
        Attention.ScaledDotProduct(q, k, v, isCausal ? Mask.Causal(q.RowCount, k.RowCount) : null).Output;
}
