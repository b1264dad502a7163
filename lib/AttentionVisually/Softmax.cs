using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// Numerically stable softmax: turns one query's scores in (−∞, ∞) into weights in [0, 1] that sum to 1.
/// </summary>
/// <remarks>
/// Subtracting the row's maximum before exponentiating changes nothing mathematically
/// (softmax is shift-invariant) but keeps exp from overflowing for large scores.
/// A row whose entries are all −∞ (a query with every key masked) has no defined distribution;
/// this library returns a row of zeros for it, so the query receives no update instead of NaN.
/// </remarks>
public static class Softmax
{
    /// <summary>
    /// Softmax over the keys, for each query: each query's scores become weights that sum to 1. The stored
    /// matrix is (queries, keys), so this normalizes each stored row; a chart (keys down the side, queries
    /// across) shows it as each column summing to 1, as in the video.
    /// </summary>
    /// <param name="scores">Scores, shape (numQueries, numKeys); −∞ marks a masked entry. Not modified.</param>
    /// <param name="temperature">T &gt; 0: weights are softmax(x / T). Large T flattens, small T sharpens.</param>
    /// <returns>Weights of the same shape; each query's weights sum to 1 (or are all zeros when fully masked).</returns>
    /// <exception cref="ArgumentException">The scores are empty, contain NaN or +∞, or T is not positive and finite.</exception>
    public static Matrix<float> OverKeys(Matrix<float> scores, float temperature = 1f)
    {
        Shape.NotEmpty(scores, nameof(scores));
        CheckTemperature(temperature);
        var result = Matrix<float>.Build.Dense(scores.RowCount, scores.ColumnCount);
        var row = new float[scores.ColumnCount];
        for (int i = 0; i < scores.RowCount; i++)
        {
            for (int j = 0; j < row.Length; j++)
            {
                float x = scores[i, j];
                if (float.IsNaN(x) || float.IsPositiveInfinity(x))
                    throw new ArgumentException($"scores contains {x} at ({i}, {j}); only finite values and −∞ (masked) are allowed.", nameof(scores));
                row[j] = x;
            }
            InPlace(row, temperature);
            for (int j = 0; j < row.Length; j++) result[i, j] = row[j];
        }
        return result;
    }

    /// <summary>Softmax of one vector of scores.</summary>
    /// <param name="scores">Scores; −∞ marks a masked entry. Not modified.</param>
    /// <param name="temperature">T &gt; 0: weights are softmax(x / T).</param>
    /// <returns>Weights that sum to 1 (or all zeros when every entry is −∞).</returns>
    /// <exception cref="ArgumentException">The vector is empty, contains NaN or +∞, or T is not positive and finite.</exception>
    public static float[] Apply(IReadOnlyList<float> scores, float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count == 0) throw new ArgumentException("scores is empty.", nameof(scores));
        CheckTemperature(temperature);
        var row = scores.ToArray();
        for (int j = 0; j < row.Length; j++)
            if (float.IsNaN(row[j]) || float.IsPositiveInfinity(row[j]))
                throw new ArgumentException($"scores contains {row[j]} at {j}; only finite values and −∞ (masked) are allowed.", nameof(scores));
        InPlace(row, temperature);
        return row;
    }

    /// <summary>Softmax in place over a span (no checks: callers validate). Fully masked rows become zeros.</summary>
    internal static void InPlace(Span<float> row, float temperature)
    {
        float max = float.NegativeInfinity;
        foreach (float x in row) if (x > max) max = x;
        if (float.IsNegativeInfinity(max))
        {
            row.Clear();
            return;
        }
        double sum = 0;
        for (int j = 0; j < row.Length; j++)
        {
            float w = MathF.Exp((row[j] - max) / temperature);
            row[j] = w;
            sum += w;
        }
        float inv = (float)(1.0 / sum);
        for (int j = 0; j < row.Length; j++) row[j] *= inv;
    }

    private static void CheckTemperature(float temperature)
    {
        if (!(temperature > 0) || !float.IsFinite(temperature))
            throw new ArgumentException($"temperature is {temperature}; it must be positive and finite.", nameof(temperature));
    }
}
