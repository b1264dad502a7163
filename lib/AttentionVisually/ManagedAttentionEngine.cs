using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;
using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>
/// The fast managed engine: flash-style online-softmax attention (<see cref="FlashAttention"/>) with
/// Vector512 or Vector256 micro-kernels on all cores. It reads MathNet's column-major storage in place, so
/// beyond q, k, v and the output it needs only a packed copy of V and a few tiles per core; the (nQ, nK)
/// pattern is never formed.
/// </summary>
public sealed class ManagedAttentionEngine : IAttentionEngine
{
    /// <inheritdoc />
    public string Name => "managed flash (SIMD)";

    /// <inheritdoc />
    public Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        AttentionInputs.Check(q, k, v);
        return Attend(q, k, v, isCausal, KernelPath.Auto, maxDegreeOfParallelism: -1, valuesChecked: true);
    }

    /// <summary>
    /// Every head in one pass of the kernel: in MathNet's column-major storage each head's columns are one contiguous
    /// block, so the heads are read and written in place, and the (head, query block) tasks share the cores (with few
    /// tokens a head is a single task, so one call per head would keep a single core busy).
    /// </summary>
    /// <inheritdoc cref="IAttentionEngine.AttendHeads"/>
    public Matrix<float> AttendHeads(Matrix<float> q, Matrix<float> k, Matrix<float> v, int numHeads, bool isCausal)
    {
        AttentionInputs.HeadWidths(q, k, v, numHeads);
        return Attend(q, k, v, isCausal, KernelPath.Auto, maxDegreeOfParallelism: -1, numHeads: numHeads); // values checked per head
    }

    /// <summary>
    /// Attention on an explicitly chosen instruction path and core count (for tests and benches), over
    /// <paramref name="numHeads"/> heads side by side in the columns.
    /// </summary>
    internal static Matrix<float> Attend(
        Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal, KernelPath path, int maxDegreeOfParallelism, bool valuesChecked = false, int numHeads = 1)
    {
        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount / numHeads, dV = v.ColumnCount / numHeads;
        var output = Matrix<float>.Build.Dense(nQ, v.ColumnCount); // (nQ, numHeads * dV)
        FlashAttention.Compute(
            ColumnMajor(q), ColumnMajor(k), ColumnMajor(v), output.AsColumnMajorArray(),
            nQ, nK, dK, dV, isCausal, MatrixLayout.ColumnMajor, path, maxDegreeOfParallelism, numHeads, valuesChecked);
        return output;
    }

    /// <summary>A dense matrix's own storage (no copy); other storage kinds are copied once, O(rows * cols).</summary>
    private static float[] ColumnMajor(Matrix<float> m) => m.AsColumnMajorArray() ?? m.ToColumnMajorArray();
}
