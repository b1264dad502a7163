using AttentionVisually.Checks;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>
/// Scaled dot-product attention over TorchSharp tensors, one named step per method with the names of the
/// core's <see cref="Attention"/> (projections, scores, scaling, mask, softmax, <see cref="Apply"/> for mixing
/// values), so each step can be held against the core's in the tests; then the two ways of running the whole thing: <see cref="Explicit"/>, which keeps the attention pattern for plotting, and
/// <see cref="Fused"/>, TorchSharp's <c>scaled_dot_product_attention</c>, which never materialises it.
/// Reference: Vaswani et al. 2017, eq. 1; PyTorch's <c>scaled_dot_product_attention</c> documentation.
/// </summary>
/// <remarks>
/// Tensors follow the library's convention of one token per row: q (..., nQ, dK), k (..., nK, dK),
/// v (..., nK, dV), where "..." is any number of leading dimensions shared by all three (e.g. heads).
/// No method changes its inputs; every returned tensor is new and belongs to the caller (or to the
/// caller's dispose scope).
/// </remarks>
public static class TorchAttention
{
    /// <summary>Projects a sequence through a weight matrix: e w^T, e.g. Q = E wQ^T.</summary>
    /// <param name="e">The sequence, one token per row: (seqLen, dModel), or (..., seqLen, dModel).</param>
    /// <param name="w">The weights as in 3Blue1Brown's chapter, (dK, dModel), or a stack (numHeads, dK, dModel) for every head at once.</param>
    /// <returns>(seqLen, dK), or (numHeads, seqLen, dK) for stacked weights.</returns>
    /// <exception cref="ArgumentException">dModel of <paramref name="e"/> and <paramref name="w"/> differ.</exception>
    public static Tensor Project(Tensor e, Tensor w)
    {
        CheckRank(e, 2, nameof(e));
        CheckRank(w, 2, nameof(w));
        if (e.shape[^1] != w.shape[^1])
        {
            throw new ArgumentException(
                $"w has shape {TensorConvert.ShapeOf(w)} (dModel = {w.shape[^1]}) but e has shape {TensorConvert.ShapeOf(e)} (dModel = {e.shape[^1]}).", nameof(w));
        }
        MaxMagnitude(e, new(nameof(e)));
        MaxMagnitude(w, new(nameof(w)));
        return ProjectChecked(e, w, new(nameof(e)));
    }

    /// <summary>e w^T of finite inputs, refused when the product overflows (naming <paramref name="from"/>).</summary>
    internal static Tensor ProjectChecked(Tensor e, Tensor w, Arg from)
    {
        using var scope = NewDisposeScope();
        Tensor projected = e.matmul(w.transpose(-2, -1)); // (..., seqLen, dModel) x (..., dModel, dK) -> (..., seqLen, dK)
        if (!double.IsFinite(MaxAbs(projected)))
        {
            throw new ArgumentException($"{from.Label} is too large: its projection e w^T overflows float; scale {from.Label} down.", from.Param);
        }
        return projected.MoveToOuterDisposeScope();
    }

    /// <summary>Raw attention scores: every query dotted with every key, Q K^T.</summary>
    /// <param name="q">Queries (..., nQ, dK).</param>
    /// <param name="k">Keys (..., nK, dK).</param>
    /// <returns>Scores (..., nQ, nK): row i holds query i's dot product with each key.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit, an entry is not finite, or q · k could overflow float.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The scores would not fit in memory.</exception>
    public static Tensor Scores(Tensor q, Tensor k)
    {
        CheckQueriesKeys(q, k);
        AttentionInputs.ScoresFit(MaxMagnitude(q, new(nameof(q))), MaxMagnitude(k, new(nameof(k))), q.shape[^1], new(nameof(q)), new(nameof(k)));
        PatternFits(q, k, copies: 1, new(nameof(k)));
        return q.matmul(k.transpose(-2, -1)); // (..., nQ, dK) x (..., dK, nK) -> (..., nQ, nK)
    }

    /// <summary>Divides scores by sqrt(dK).</summary>
    /// <param name="scores">Scores (..., nQ, nK).</param>
    /// <param name="dK">The query/key dimension.</param>
    /// <returns>Scaled scores, same shape.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dK"/> is not positive.</exception>
    /// <remarks>
    /// Why: for random unit-variance q and k, q.k has variance dK; dividing by sqrt(dK) brings it back to 1,
    /// so softmax stays out of its flat, one-hot saturated regime as dK grows.
    /// </remarks>
    public static Tensor Scale(Tensor scores, long dK)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentOutOfRangeException.ThrowIfLessThan(dK, 1);
        return scores.mul(1.0 / Math.Sqrt(dK));
    }

    /// <summary>The causal mask: query i may attend key j iff j &lt;= i (top-left aligned, like PyTorch's is_causal).</summary>
    /// <param name="nQ">Number of queries.</param>
    /// <param name="nK">Number of keys.</param>
    /// <param name="device">Where the mask lives.</param>
    /// <returns>A boolean tensor (nQ, nK), true where attention is allowed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is not positive.</exception>
    public static Tensor CausalMask(long nQ, long nK, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nQ, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nK, 1);
        using var scope = NewDisposeScope();
        return ones(nQ, nK, ScalarType.Bool, device).tril().MoveToOuterDisposeScope(); // (nQ, nK)
    }

    /// <summary>Sets the scores of forbidden query/key pairs to -infinity.</summary>
    /// <param name="scores">Scores (..., nQ, nK).</param>
    /// <param name="allowed">A boolean mask (nQ, nK) or (..., nQ, nK), true where attention is allowed.</param>
    /// <returns>Masked scores, same shape as <paramref name="scores"/>.</returns>
    /// <exception cref="ArgumentException">The mask is not boolean or its last two sizes differ from the scores'.</exception>
    /// <remarks>
    /// Why -infinity and not a large negative number: exp(-inf) is exactly 0, so a forbidden key gets exactly
    /// zero weight whatever the other scores are; -1e9 only works while real scores stay far above it.
    /// </remarks>
    public static Tensor ApplyMask(Tensor scores, Tensor allowed)
    {
        CheckRank(scores, 2, nameof(scores));
        CheckRank(allowed, 2, nameof(allowed));
        if (allowed.dtype != ScalarType.Bool)
        {
            throw new ArgumentException($"allowed has type {allowed.dtype} but a boolean mask was expected.", nameof(allowed));
        }
        if (allowed.shape[^1] != scores.shape[^1] || allowed.shape[^2] != scores.shape[^2])
        {
            throw new ArgumentException(
                $"allowed has shape {TensorConvert.ShapeOf(allowed)} but scores has shape {TensorConvert.ShapeOf(scores)}; the last two sizes must match.", nameof(allowed));
        }
        using var scope = NewDisposeScope();
        return scores.masked_fill(allowed.logical_not(), float.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>Softmax over the keys of each query (the last dimension).</summary>
    /// <param name="maskedScores">Scores (..., nQ, nK), -infinity where masked.</param>
    /// <returns>The attention pattern (..., nQ, nK): each row sums to 1, or is all zeros when every key of that query is masked.</returns>
    /// <remarks>
    /// A fully masked row would be 0/0 = NaN; the library defines its weights as zeros instead, so such a
    /// query receives a zero update rather than poisoning later sums.
    /// </remarks>
    /// <exception cref="ArgumentException">The scores contain NaN or +infinity (only finite values and -infinity are allowed).</exception>
    public static Tensor Softmax(Tensor maskedScores)
    {
        CheckRank(maskedScores, 1, nameof(maskedScores));
        using var scope = NewDisposeScope();
        if (maskedScores.isnan().any().item<bool>() || maskedScores.isposinf().any().item<bool>())
        {
            throw new ArgumentException(
                $"maskedScores (shape {TensorConvert.ShapeOf(maskedScores)}) contains NaN or +infinity; only finite values and -infinity (masked) are allowed.", nameof(maskedScores));
        }
        Tensor weights = maskedScores.softmax(-1);                      // (..., nQ, nK)
        Tensor fullyMasked = maskedScores.isneginf().all(-1, keepdim: true); // (..., nQ, 1)
        return weights.masked_fill(fullyMasked, 0f).MoveToOuterDisposeScope();
    }

    /// <summary>Applies the attention weights to the values (as <see cref="Attention.Apply"/>): each output row is a weighted sum of value rows.</summary>
    /// <param name="pattern">Attention weights (..., nQ, nK).</param>
    /// <param name="v">Values (..., nK, dV).</param>
    /// <returns>(..., nQ, dV).</returns>
    /// <exception cref="ArgumentException">The number of keys differs, an entry is not finite, or a weighted sum could overflow float.</exception>
    public static Tensor Apply(Tensor pattern, Tensor v)
    {
        CheckRank(pattern, 2, nameof(pattern));
        CheckRank(v, 2, nameof(v));
        AttentionInputs.OneValuePerKey(pattern.shape[^1], pattern.shape[^2], v.shape[^2], v.shape[^1], new(nameof(v)), "pattern");
        double maxP = MaxMagnitude(pattern, new(nameof(pattern))), maxV = MaxMagnitude(v, new(nameof(v)));
        AttentionInputs.ValuesFit(maxP * maxV, pattern.shape[^1], new(nameof(v)));
        return pattern.matmul(v); // (..., nQ, nK) x (..., nK, dV) -> (..., nQ, dV)
    }

    /// <summary>Attention step by step, keeping the pattern: softmax(Q K^T / sqrt(dK) + mask) V.</summary>
    /// <param name="q">Queries (..., nQ, dK).</param>
    /// <param name="k">Keys (..., nK, dK).</param>
    /// <param name="v">Values (..., nK, dV).</param>
    /// <param name="isCausal">Apply the causal mask (query i sees keys j &lt;= i).</param>
    /// <returns>The output (..., nQ, dV) and the pattern (..., nQ, nK); the caller owns both.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit, an entry is not finite, or a sum could overflow float.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The scores and the pattern would not fit in memory (use the fused mode or the flash engine).</exception>
    /// <remarks>
    /// The same steps as <see cref="Scores"/>, <see cref="Scale"/>, <see cref="ApplyMask"/> and <see cref="Softmax"/>,
    /// but scaling and masking the freshly made score tensor in place, which saves two passes over nQ x nK
    /// numbers. No row is ever fully masked here (key 0 is visible to every query), so the softmax needs no
    /// zero-row fix.
    /// </remarks>
    public static (Tensor Output, Tensor Pattern) Explicit(Tensor q, Tensor k, Tensor v, bool isCausal)
    {
        Check(q, k, v, new(nameof(q)), new(nameof(k)), new(nameof(v)));
        PatternFits(q, k, copies: 2, new(nameof(k)));
        return ExplicitChecked(q, k, v, isCausal);
    }

    /// <summary><see cref="Explicit"/> on inputs the caller has checked (shapes, values and the pattern's size).</summary>
    internal static (Tensor Output, Tensor Pattern) ExplicitChecked(Tensor q, Tensor k, Tensor v, bool isCausal)
    {
        using var scope = NewDisposeScope();
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul_(1.0 / Math.Sqrt(q.shape[^1])); // (..., nQ, nK), scaled in place
        if (isCausal)
        {
            Tensor forbidden = ones(q.shape[^2], k.shape[^2], ScalarType.Bool, q.device).triu(1); // (nQ, nK): keys j > i
            scores.masked_fill_(forbidden, float.NegativeInfinity);
        }
        Tensor pattern = scores.softmax(-1);                              // (..., nQ, nK)
        Tensor output = pattern.matmul(v);                                // (..., nQ, nK) x (..., nK, dV) -> (..., nQ, dV)
        return (output.MoveToOuterDisposeScope(), pattern.MoveToOuterDisposeScope());
    }

    /// <summary>Attention in one fused call to <c>torch.nn.functional.scaled_dot_product_attention</c>.</summary>
    /// <remarks>
    /// Inputs of fewer than four dimensions are viewed as (1, ..., n, d) first, because libtorch uses its CPU flash
    /// kernel only for four-dimensional inputs and otherwise builds the full pattern. Measured with
    /// <c>bench memory --engine torch-fused --n 30000</c> (causal, d = 64): peak resident growth 81 MiB and 4.3 s,
    /// where the same call on two-dimensional tensors grew by 11.0 GiB and took 143 s.
    /// </remarks>
    /// <param name="q">Queries (..., nQ, dK).</param>
    /// <param name="k">Keys (..., nK, dK).</param>
    /// <param name="v">Values (..., nK, dV).</param>
    /// <param name="isCausal">Apply the causal mask (query i sees keys j &lt;= i).</param>
    /// <returns>The output (..., nQ, dV); the caller owns it.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit, an entry is not finite, or a sum could overflow float.</exception>
    public static Tensor Fused(Tensor q, Tensor k, Tensor v, bool isCausal)
    {
        Check(q, k, v, new(nameof(q)), new(nameof(k)), new(nameof(v)));
        return FusedChecked(q, k, v, isCausal);
    }

    /// <summary><see cref="Fused"/> on inputs the caller has checked.</summary>
    internal static Tensor FusedChecked(Tensor q, Tensor k, Tensor v, bool isCausal)
    {
        // libtorch picks its CPU flash kernel (which never builds the pattern) only for (batch, heads, n, d)
        // inputs; for fewer dimensions it falls back to the explicit math path, which holds the whole pattern.
        // So inputs are viewed as four-dimensional and the result is viewed back.
        long extra = Math.Max(0, 4 - q.dim());
        if (extra == 0)
        {
            // TorchSharp 0.107 spells PyTorch's is_causal as is_casual; the scale defaults to 1/sqrt(dK).
            return nn.functional.scaled_dot_product_attention(q, k, v, is_casual: isCausal); // (..., nQ, dV)
        }
        using var scope = NewDisposeScope();
        Tensor Lift(Tensor t)
        {
            for (long i = 0; i < extra; i++) t = t.unsqueeze(0);
            return t; // (1, ..., 1, ..., n, d): four dimensions, no copy
        }
        Tensor output = nn.functional.scaled_dot_product_attention(Lift(q), Lift(k), Lift(v), is_casual: isCausal);
        return output.reshape([.. q.shape[..^1], v.shape[^1]]).MoveToOuterDisposeScope(); // (..., nQ, dV)
    }

    /// <summary>
    /// The rules of <see cref="AttentionInputs"/> for tensors q (..., nQ, dK), k (..., nK, dK), v (..., nK, dV):
    /// shapes that fit, nothing empty, every entry finite, no overflow of q · k or of a weighted sum of values.
    /// </summary>
    internal static void Check(Tensor q, Tensor k, Tensor v, Arg qArg, Arg kArg, Arg vArg)
    {
        CheckQueriesKeysValues(q, k, v);
        AttentionInputs.NotEmpty(q.shape[^2], q.shape[^1], qArg);
        AttentionInputs.NotEmpty(k.shape[^2], k.shape[^1], kArg);
        AttentionInputs.NotEmpty(v.shape[^2], v.shape[^1], vArg);
        double maxQ = MaxMagnitude(q, qArg), maxK = MaxMagnitude(k, kArg), maxV = MaxMagnitude(v, vArg);
        AttentionInputs.ScoresFit(maxQ, maxK, q.shape[^1], qArg, kArg);
        AttentionInputs.ValuesFit(maxV, k.shape[^2], vArg);
    }

    /// <summary>The finite rule for a tensor, in one reduction on its device: returns max |t| when every entry is finite.</summary>
    internal static double MaxMagnitude(Tensor t, Arg arg)
    {
        double max = MaxAbs(t);
        if (!double.IsFinite(max))
        {
            AttentionInputs.NotFinite(TensorConvert.ShapeOf(t), arg);
        }
        return max;
    }

    /// <summary>
    /// Refuses an explicit pattern (..., nQ, nK) that this machine cannot hold: libtorch aborts the whole process
    /// (and a notebook's kernel with it) when an allocation fails, so the size is checked before asking.
    /// </summary>
    internal static void PatternFits(Tensor q, Tensor k, int copies, Arg from)
    {
        long[] shape = [.. q.shape[..^1], k.shape[^2]];
        double entries = shape.Aggregate(1.0, (product, size) => product * size);
        MemoryCheck.TensorFits(entries, "(" + string.Join(", ", shape) + ")", $"the attention pattern of {from.Label}", from.Param,
            "use TorchAttentionMode.Fused or ManagedAttentionEngine (the flash engine), neither of which builds the pattern, or a shorter sequence", copies);
    }

    // max |t| as a double; NaN when t holds NaN (torch's max propagates it), +inf when it holds ±inf; 0 when empty.
    private static double MaxAbs(Tensor t)
    {
        if (t.numel() == 0)
        {
            return 0;
        }
        using var scope = NewDisposeScope();
        return t.detach().abs().max().to_type(ScalarType.Float64).cpu().item<double>();
    }

    private static void CheckRank(Tensor t, int minRank, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (t.dim() < minRank)
        {
            throw new ArgumentException($"{name} has shape {TensorConvert.ShapeOf(t)} but at least {minRank} dimensions were expected.", name);
        }
    }

    private static void CheckQueriesKeys(Tensor q, Tensor k)
    {
        CheckRank(q, 2, nameof(q));
        CheckRank(k, 2, nameof(k));
        AttentionInputs.SameDk(q.shape[^2], q.shape[^1], k.shape[^2], k.shape[^1], new(nameof(q)), new(nameof(k)));
        if (!q.shape[..^2].SequenceEqual(k.shape[..^2]))
        {
            throw new ArgumentException(
                $"k has shape {TensorConvert.ShapeOf(k)} but q has shape {TensorConvert.ShapeOf(q)}; their leading dimensions must match.", nameof(k));
        }
    }

    private static void CheckQueriesKeysValues(Tensor q, Tensor k, Tensor v)
    {
        CheckQueriesKeys(q, k);
        CheckRank(v, 2, nameof(v));
        AttentionInputs.OneValuePerKey(k.shape[^2], k.shape[^1], v.shape[^2], v.shape[^1], new(nameof(v)));
        if (!v.shape[..^2].SequenceEqual(k.shape[..^2]))
        {
            throw new ArgumentException(
                $"v has shape {TensorConvert.ShapeOf(v)} but k has shape {TensorConvert.ShapeOf(k)}; there must be one value per key.", nameof(v));
        }
    }
}
