using MathNet.Numerics.LinearAlgebra;
using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>
/// Online-softmax attention, the lesson version: softmax(Q K^T / sqrt(dK) + mask) V computed one query
/// at a time over blocks of keys, keeping only a running max and a running sum, so the (nQ, nK) attention
/// pattern is never stored. The running max and sum come from Milakov and Gimelshein (2018), "Online
/// normalizer calculation for softmax"; FlashAttention (Dao et al. 2022) tiles the same idea for speed,
/// as <see cref="ManagedAttentionEngine"/> does. This class is written to be read, not to be fast.
/// </summary>
public static class OnlineSoftmaxAttention
{
    /// <summary>
    /// Computes softmax(Q K^T / sqrt(dK) + mask) V with the online softmax. With <paramref name="isCausal"/>,
    /// query i sees key j iff j &lt;= i (top-left aligned); the keys after i are simply never visited, which
    /// is exactly what a -infinity mask would do. Inputs are not modified.
    /// </summary>
    /// <param name="q">Queries, shape (nQ, dK), one per row.</param>
    /// <param name="k">Keys, shape (nK, dK), one per row.</param>
    /// <param name="v">Values, shape (nK, dV), one per row (row j belongs to key j).</param>
    /// <param name="isCausal">Whether each query sees only the keys at or before its own position.</param>
    /// <param name="blockSize">How many keys are scored together before the running max and sum are updated.</param>
    /// <returns>The attention output, shape (nQ, dV).</returns>
    /// <exception cref="ArgumentNullException">A matrix is null.</exception>
    /// <exception cref="ArgumentException">A matrix is empty, k and q disagree on dK, v and k disagree on the
    /// number of keys, or an entry is NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="blockSize"/> is less than 1.</exception>
    public static Matrix<float> Compute(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal, int blockSize = 64)
    {
        AttentionInputs.Check(q, k, v);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);

        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount, dV = v.ColumnCount;
        float scale = 1f / MathF.Sqrt(dK); // unit-variance q and k give unit-variance scores
        var output = Matrix<float>.Build.Dense(nQ, dV); // (nQ, dV)
        var scores = new float[blockSize];              // (blockSize) one block of one query's scores
        var weightedSum = new float[dV];                // (dV) sum of exp(score - runningMax) * v_j so far

        for (int i = 0; i < nQ; i++)
        {
            int visibleKeys = isCausal ? Math.Min(i + 1, nK) : nK; // at least key 0 is always visible
            float runningMax = float.NegativeInfinity;
            float runningSum = 0f;                                  // sum of exp(score - runningMax) so far
            Array.Clear(weightedSum);

            for (int start = 0; start < visibleKeys; start += blockSize)
            {
                int end = Math.Min(start + blockSize, visibleKeys);

                // 1. Score query i against this block of keys, and find the block's largest score.
                float blockMax = float.NegativeInfinity;
                for (int j = start; j < end; j++)
                {
                    float dot = 0f;
                    for (int p = 0; p < dK; p++)
                    {
                        dot += q[i, p] * k[j, p];
                    }

                    scores[j - start] = dot * scale;
                    blockMax = Math.Max(blockMax, scores[j - start]);
                }

                // 2. Subtracting the max keeps every exp <= 1 (no overflow). When the max grows, everything
                //    summed under the old max shrinks by exp(oldMax - newMax); on the first block that is exp(-inf) = 0.
                float newMax = Math.Max(runningMax, blockMax);
                float shrink = MathF.Exp(runningMax - newMax);
                runningSum *= shrink;
                for (int c = 0; c < dV; c++)
                {
                    weightedSum[c] *= shrink;
                }

                // 3. Add this block's weights and weighted values.
                for (int j = start; j < end; j++)
                {
                    float weight = MathF.Exp(scores[j - start] - newMax);
                    runningSum += weight;
                    for (int c = 0; c < dV; c++)
                    {
                        weightedSum[c] += weight * v[j, c];
                    }
                }

                runningMax = newMax;
            }

            // 4. Normalize once at the end: runningSum >= 1, since the largest score contributes exp(0).
            for (int c = 0; c < dV; c++)
            {
                output[i, c] = weightedSum[c] / runningSum;
            }
        }

        return output;
    }
}
