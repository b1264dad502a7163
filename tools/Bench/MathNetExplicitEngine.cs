using AttentionVisually;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Bench;

/// <summary>
/// The baseline: explicit attention with MathNet's dense products, materializing the whole (nK, nQ)
/// pattern. Scores are formed transposed, S^T = K Q^T, so that each query's scores are one contiguous
/// column of MathNet's column-major storage and the softmax runs down contiguous memory.
/// </summary>
internal sealed class MathNetExplicitEngine : IAttentionEngine
{
    public string Name => "MathNet explicit";

    public Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        int nQ = q.RowCount, nK = k.RowCount;
        var scoresT = k.TransposeAndMultiply(q); // (nK, nQ): column i holds query i's scores
        float scale = 1f / MathF.Sqrt(q.ColumnCount);
        float[] s = scoresT.AsColumnMajorArray();
        for (int i = 0; i < nQ; i++)
        {
            Span<float> column = s.AsSpan(i * nK, nK);
            int visible = isCausal ? Math.Min(i + 1, nK) : nK;
            float max = float.NegativeInfinity;
            for (int j = 0; j < visible; j++)
            {
                column[j] *= scale;
                max = Math.Max(max, column[j]);
            }

            float sum = 0f;
            for (int j = 0; j < visible; j++)
            {
                column[j] = MathF.Exp(column[j] - max);
                sum += column[j];
            }

            for (int j = 0; j < visible; j++)
            {
                column[j] /= sum;
            }

            column[visible..].Clear(); // masked keys: weight exactly 0
        }

        return scoresT.TransposeThisAndMultiply(v); // (nQ, nK) (nK, dV) = (nQ, dV)
    }
}
