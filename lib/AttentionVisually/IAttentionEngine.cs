using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// An implementation of scaled dot-product attention, softmax(Q K^T / sqrt(dK) + mask) V: the managed
/// engine, the TorchSharp engines and the kernels all answer the same question, so they can be compared.
/// </summary>
public interface IAttentionEngine
{
    /// <summary>A short name for tables and charts.</summary>
    string Name { get; }

    /// <summary>Attends every query to the keys and mixes the values with the resulting weights.</summary>
    /// <param name="q">Queries, one per row: (nQ, dK).</param>
    /// <param name="k">Keys, one per row: (nK, dK).</param>
    /// <param name="v">Values, one per key: (nK, dV).</param>
    /// <param name="isCausal">When true, query i may attend key j only if j &lt;= i (top-left aligned).</param>
    /// <returns>The mixed values: (nQ, dV).</returns>
    Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal);
}
