using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// An engine that computes scaled dot-product attention, <c>softmax(Q Kᵀ / √d_k + mask) V</c>.
/// The managed engine and the TorchSharp engine implement it, so chapters and tests can compare them.
/// </summary>
public interface IAttentionEngine
{
    /// <summary>A short name for tables and charts, such as "managed" or "torch fused (cpu)".</summary>
    string Name { get; }

    /// <summary>Computes <c>softmax(Q Kᵀ / √d_k + mask) V</c>.</summary>
    /// <param name="q">Queries, shape (numQueries, dK).</param>
    /// <param name="k">Keys, shape (numKeys, dK).</param>
    /// <param name="v">Values, shape (numKeys, dV).</param>
    /// <param name="isCausal">When true, query i attends only to keys j ≤ i (top-left aligned).</param>
    /// <returns>The attention output, shape (numQueries, dV).</returns>
    /// <exception cref="ArgumentException">A shape does not match, a sequence is empty, or an input is not finite.</exception>
    Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal);
}
