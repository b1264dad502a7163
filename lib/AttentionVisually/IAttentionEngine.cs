using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// A way of computing scaled dot-product attention, softmax(Q K^T / sqrt(d_k) + mask) V
/// (Vaswani et al. 2017, eq. 1). Engines are interchangeable: they are tested against each other and
/// benchmarked side by side.
/// </summary>
public interface IAttentionEngine
{
    /// <summary>A short human-readable name, used in tables and benchmark rows.</summary>
    string Name { get; }

    /// <summary>
    /// Computes softmax(Q K^T / sqrt(d_k) + mask) V, one token per row. With <paramref name="isCausal"/>,
    /// query i attends key j iff j &lt;= i (top-left aligned, like PyTorch's <c>is_causal</c>); masked
    /// scores are -infinity before the softmax.
    /// </summary>
    /// <param name="q">Queries, shape (nQ, dK).</param>
    /// <param name="k">Keys, shape (nK, dK).</param>
    /// <param name="v">Values, shape (nK, dV).</param>
    /// <param name="isCausal">Whether to apply the causal mask.</param>
    /// <returns>The attention output, shape (nQ, dV).</returns>
    /// <exception cref="ArgumentException">Shapes disagree, a matrix is empty, or an entry is not finite.</exception>
    Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal);
}
