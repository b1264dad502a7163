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

    /// <summary>
    /// Every head of a layer at once: q, k and v hold the heads side by side, head h in columns h·d to (h + 1)·d − 1
    /// (as a projection E W_Qᵀ gives them), and the result holds each head's output in the same columns. By default
    /// one <see cref="Attend"/> call per head; an engine can do them in one pass (the managed engine does).
    /// </summary>
    /// <param name="q">Queries, shape (numQueries, numHeads · dK).</param>
    /// <param name="k">Keys, shape (numKeys, numHeads · dK).</param>
    /// <param name="v">Values, shape (numKeys, numHeads · dV).</param>
    /// <param name="numHeads">Number of heads.</param>
    /// <param name="isCausal">When true, query i attends only to keys j ≤ i (top-left aligned).</param>
    /// <returns>The heads' outputs side by side, shape (numQueries, numHeads · dV).</returns>
    /// <exception cref="ArgumentException">A shape does not match or does not split into <paramref name="numHeads"/> heads, a sequence is empty, or an input is not finite.</exception>
    /// <exception cref="InvalidOperationException">The engine's <see cref="Attend"/> returned a head of the wrong shape.</exception>
    Matrix<float> AttendHeads(Matrix<float> q, Matrix<float> k, Matrix<float> v, int numHeads, bool isCausal)
    {
        (int dK, int dV) = Checks.AttentionInputs.HeadWidths(q, k, v, numHeads);
        var heads = Matrix<float>.Build.Dense(q.RowCount, numHeads * dV);
        for (int h = 0; h < numHeads; h++)
        {
            var output = Attend(q.SubMatrix(0, q.RowCount, h * dK, dK), k.SubMatrix(0, k.RowCount, h * dK, dK), v.SubMatrix(0, v.RowCount, h * dV, dV), isCausal);
            if (output.RowCount != q.RowCount || output.ColumnCount != dV)
            {
                throw new InvalidOperationException(
                    $"engine '{Name}' returned shape ({output.RowCount}, {output.ColumnCount}) for head {h}; ({q.RowCount}, {dV}) was expected.");
            }

            heads.SetSubMatrix(0, h * dV, output);
        }

        return heads;
    }
}
