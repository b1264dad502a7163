using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.RealModel;

/// <summary>
/// BERT's multi-head self-attention through the course's attention: every token makes a query, key and
/// value (<c>Q = E W_Qᵀ + b_Q</c>, …), each head takes its headDim-wide slice and runs
/// <see cref="Attention.ScaledDotProduct"/> (or an <see cref="IAttentionEngine"/>), the heads' outputs are
/// laid side by side and W_O maps them back to dModel (Vaswani et al. 2017, section 3.2.2).
/// </summary>
/// <remarks>
/// An encoder sees the whole sentence: no causal mask, every token may attend to every token.
/// Laying the heads side by side and multiplying by W_O is the same as the per-head value-up maps of 3Blue1Brown's chapter
/// summed: column block h of W_O is head h's (dModel, headDim) value-up matrix.
/// </remarks>
public static class MultiHeadSelfAttention
{
    /// <summary>Runs self-attention over a sequence.</summary>
    /// <param name="h">Hidden states, shape (seqLen, dModel). Not modified.</param>
    /// <param name="weights">The layer's W_Q, W_K, W_V, W_O and biases.</param>
    /// <param name="engine">
    /// Null: the course's <see cref="Attention.ScaledDotProduct"/>, which also returns every head's pattern.
    /// Otherwise the engine computes each head's output and no patterns are returned.
    /// </param>
    /// <returns>The attention output (seqLen, dModel), before the residual, and the patterns if computed.</returns>
    /// <exception cref="ArgumentException">h is empty or its width is not dModel, or the weights' shapes disagree.</exception>
    /// <exception cref="InvalidOperationException">The engine returned an output of the wrong shape.</exception>
    public static SelfAttentionResult Apply(Matrix<float> h, AttentionWeights weights, IAttentionEngine? engine = null)
    {
        Shape.NotEmpty(h, nameof(h));
        ArgumentNullException.ThrowIfNull(weights);
        CheckWeights(weights);
        Shape.Check(h, -1, weights.WQ.ColumnCount, nameof(h));
        return Forward(h, weights, engine);
    }

    private static void CheckWeights(AttentionWeights w)
    {
        if (w.NumHeads < 1 || w.WQ.RowCount % w.NumHeads != 0)
            throw new ArgumentException($"weights has numHeads = {w.NumHeads}, which does not divide the {w.WQ.RowCount} rows of WQ.", "weights");
        int dOut = w.WQ.RowCount, dModel = w.WQ.ColumnCount;
        Shape.Check(w.WK, dOut, dModel, "weights.WK");
        Shape.Check(w.WV, dOut, dModel, "weights.WV");
        Shape.Check(w.WO, dModel, dOut, "weights.WO");
        foreach (var (bias, length, name) in new[] { (w.BQ, dOut, "BQ"), (w.BK, dOut, "BK"), (w.BV, dOut, "BV"), (w.BO, dModel, "BO") })
            if (bias.Count != length) throw new ArgumentException($"weights.{name} has length {bias.Count} but {length} was expected.", "weights");
    }

    internal static SelfAttentionResult Forward(Matrix<float> h, AttentionWeights weights, IAttentionEngine? engine)
    {
        int seqLen = h.RowCount, numHeads = weights.NumHeads, headDim = weights.HeadDim;
        var q = Linear.Affine(h, weights.WQ, weights.BQ); // (seqLen, dModel) = numHeads blocks of (seqLen, headDim)
        var k = Linear.Affine(h, weights.WK, weights.BK); // (seqLen, dModel)
        var v = Linear.Affine(h, weights.WV, weights.BV); // (seqLen, dModel)
        Matrix<float> heads;
        Matrix<float>[]? patterns = null;
        if (engine is not null)
        {
            heads = engine.AttendHeads(q, k, v, numHeads, isCausal: false); // (seqLen, dModel): every head at once
            if (heads.RowCount != seqLen || heads.ColumnCount != numHeads * headDim)
                throw new InvalidOperationException($"engine '{engine.Name}' returned shape ({heads.RowCount}, {heads.ColumnCount}) for {numHeads} heads; ({seqLen}, {numHeads * headDim}) was expected.");
        }
        else
        {
            heads = Matrix<float>.Build.Dense(seqLen, numHeads * headDim);
            patterns = new Matrix<float>[numHeads];
            for (int head = 0; head < numHeads; head++)
            {
                int from = head * headDim;
                var qh = q.SubMatrix(0, seqLen, from, headDim); // (seqLen, headDim)
                var kh = k.SubMatrix(0, seqLen, from, headDim); // (seqLen, headDim)
                var vh = v.SubMatrix(0, seqLen, from, headDim); // (seqLen, headDim)
                var result = Attention.ScaledDotProduct(qh, kh, vh);
                patterns[head] = result.Pattern; // (seqLen, seqLen)
                heads.SetSubMatrix(0, from, result.Output);
            }
        }
        var o = Linear.Affine(heads, weights.WO, weights.BO); // (seqLen, dModel)
        return new SelfAttentionResult(o, patterns);
    }
}

/// <summary>The result of one layer's self-attention.</summary>
/// <param name="Output">W_O applied to the heads' outputs, shape (seqLen, dModel), before the residual.</param>
/// <param name="Patterns">One (seqLen, seqLen) pattern per head (rows are queries and sum to 1), or null when an engine computed the outputs.</param>
public sealed record SelfAttentionResult(Matrix<float> Output, IReadOnlyList<Matrix<float>>? Patterns);
