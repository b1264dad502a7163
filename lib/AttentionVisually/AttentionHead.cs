using MathNet.Numerics.LinearAlgebra;
using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>
/// One head of attention, parameterized as in 3Blue1Brown's "Attention in transformers":
/// a query map W_Q and a key map W_K (dModel → dK), and a value map factored into a value-down
/// map (dModel → dK) followed by a value-up map (dK → dModel).
/// </summary>
/// <remarks>
/// Each token's embedding e_i (a row of E) yields a query q_i = W_Q e_i, a key k_i = W_K e_i and a value
/// v_i = W_up (W_down e_i). The pattern weighs how relevant key j is to query i; the head's proposed change
/// to embedding i is Δe_i = Σ_j A[i, j] v_j, and the updated embedding is e'_i = e_i + Δe_i.
/// The value map is factored because a full dModel × dModel matrix would hold far more parameters than
/// W_Q and W_K together; the factored map is a low-rank matrix W_V = W_up · W_down of rank at most dK.
/// </remarks>
public sealed class AttentionHead
{
    /// <summary>Creates a head from its four matrices (they are copied).</summary>
    /// <param name="wQ">Query map, shape (dK, dModel).</param>
    /// <param name="wK">Key map, shape (dK, dModel).</param>
    /// <param name="wValueDown">Value-down map, shape (dK, dModel).</param>
    /// <param name="wValueUp">Value-up map, shape (dModel, dK).</param>
    /// <exception cref="ArgumentException">The shapes do not agree, or an entry is not finite.</exception>
    public AttentionHead(Matrix<float> wQ, Matrix<float> wK, Matrix<float> wValueDown, Matrix<float> wValueUp)
    {
        Shape.NotEmpty(wQ, nameof(wQ));
        int dK = wQ.RowCount, dModel = wQ.ColumnCount;
        Shape.Check(wK, dK, dModel, nameof(wK));
        Shape.Check(wValueDown, dK, dModel, nameof(wValueDown));
        Shape.Check(wValueUp, dModel, dK, nameof(wValueUp));
        foreach (var (m, name) in new[] { (wQ, nameof(wQ)), (wK, nameof(wK)), (wValueDown, nameof(wValueDown)), (wValueUp, nameof(wValueUp)) })
            Shape.Finite(m, name);
        this.wQ = wQ.Clone();
        this.wK = wK.Clone();
        this.wValueDown = wValueDown.Clone();
        this.wValueUp = wValueUp.Clone();
    }

    // The head owns its weights: the properties hand out copies, so no caller can change a head in place.
    private readonly Matrix<float> wQ, wK, wValueDown, wValueUp;

    /// <summary>The query map W_Q, shape (dK, dModel) (a copy).</summary>
    public Matrix<float> WQ => wQ.Clone();

    /// <summary>The key map W_K, shape (dK, dModel) (a copy).</summary>
    public Matrix<float> WK => wK.Clone();

    /// <summary>The value-down map, shape (dK, dModel) (a copy).</summary>
    public Matrix<float> WValueDown => wValueDown.Clone();

    /// <summary>The value-up map, shape (dModel, dK) (a copy). In a multi-head block these are stapled into W_O.</summary>
    public Matrix<float> WValueUp => wValueUp.Clone();

    /// <summary>Embedding width.</summary>
    public int DModel => wQ.ColumnCount;

    /// <summary>Query/key (and value-down) width.</summary>
    public int DK => wQ.RowCount;

    /// <summary>Parameters in this head: four dK × dModel matrices.</summary>
    public long ParameterCount => 4L * DK * DModel;

    /// <summary>The full-rank view of the value map, W_V = W_up · W_down, shape (dModel, dModel), rank ≤ dK.</summary>
    public Matrix<float> ValueMatrix => wValueUp * wValueDown;

    /// <summary>A head with seeded normal weights of standard deviation 1/√dModel.</summary>
    /// <param name="dModel">Embedding width, at least 1.</param>
    /// <param name="dK">Query/key width, at least 1.</param>
    /// <param name="seed">Seed; the four matrices use seed, seed+1, seed+2, seed+3.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    public static AttentionHead Random(int dModel, int dK, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dK, 1);
        double std = 1.0 / Math.Sqrt(dModel);
        return new AttentionHead(
            Init.Normal(dK, dModel, seed, std),
            Init.Normal(dK, dModel, seed + 1, std),
            Init.Normal(dK, dModel, seed + 2, std),
            Init.Normal(dModel, dK, seed + 3, 1.0 / Math.Sqrt(dK)));
    }

    /// <summary>Queries for a sequence, Q = E W_Qᵀ.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <returns>Shape (seqLen, dK).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or so large that the queries overflow.</exception>
    public Matrix<float> Queries(Matrix<float> e) => Project(CheckEmbeddings(e, new(nameof(e))), wQ, "its queries", new(nameof(e)));

    /// <summary>Keys for a sequence, K = E W_Kᵀ.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <returns>Shape (seqLen, dK).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or so large that the keys overflow.</exception>
    public Matrix<float> Keys(Matrix<float> e) => Project(CheckEmbeddings(e, new(nameof(e))), wK, "its keys", new(nameof(e)));

    /// <summary>Values for a sequence, V = E W_downᵀ W_upᵀ: each row lives in embedding space.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <returns>Shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or so large that the values overflow.</exception>
    public Matrix<float> Values(Matrix<float> e) =>
        Project(Project(CheckEmbeddings(e, new(nameof(e))), wValueDown, "its values", new(nameof(e))), wValueUp, "its values", new(nameof(e)));

    /// <summary>Self-attention: queries, keys and values all come from the same sequence.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <param name="mask">Optional mask, shape (seqLen, seqLen).</param>
    /// <returns>Every intermediate and the proposed change Δe, shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, too large, or a mask of the wrong size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The pattern would not fit in memory (use the flash engine).</exception>
    public HeadOutput Forward(Matrix<float> e, Mask? mask = null) => Forward(e, e, mask, new(nameof(e)), new(nameof(e)));

    /// <summary>Self-attention with or without the causal mask.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <param name="isCausal">When true, token i attends only to tokens j ≤ i.</param>
    /// <returns>Every intermediate and the proposed change Δe.</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite or too large.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The pattern would not fit in memory (use the flash engine).</exception>
    public HeadOutput Forward(Matrix<float> e, bool isCausal)
    {
        CheckEmbeddings(e, new(nameof(e)));
        Attention.PatternFits(e.RowCount, e.RowCount, new(nameof(e)));
        return Forward(e, e, isCausal ? Mask.Causal(e.RowCount) : null, new(nameof(e)), new(nameof(e)));
    }

    /// <summary>
    /// The forward pass: queries, keys and values, the pattern, and Δe as one matrix product. Errors name the caller's
    /// arguments (<paramref name="qFrom"/>, <paramref name="kFrom"/>), e.g. <c>e</c> for self-attention.
    /// </summary>
    internal HeadOutput Forward(Matrix<float> queriesFrom, Matrix<float> keysFrom, Mask? mask, Arg qFrom, Arg kFrom)
    {
        CheckEmbeddings(queriesFrom, qFrom);
        if (!ReferenceEquals(queriesFrom, keysFrom)) CheckEmbeddings(keysFrom, kFrom);
        mask?.CheckFits(queriesFrom.RowCount, keysFrom.RowCount, nameof(mask));
        Attention.PatternFits(queriesFrom.RowCount, keysFrom.RowCount, kFrom);
        var q = Project(queriesFrom, wQ, "its queries", qFrom);   // (numQueries, dK)
        var k = Project(keysFrom, wK, "its keys", kFrom);         // (numKeys, dK)
        var vDown = Project(keysFrom, wValueDown, "its values", kFrom); // (numKeys, dK)
        var v = Project(vDown, wValueUp, "its values", kFrom);    // (numKeys, dModel)
        AttentionInputs.ScoresFit(Compare.MaxAbs(q), Compare.MaxAbs(k), DK, qFrom, kFrom);
        AttentionInputs.ValuesFit(Compare.MaxAbs(v), keysFrom.RowCount, kFrom);
        var pattern = Attention.CheckedPattern(q, k, mask);      // (numQueries, numKeys)
        var deltaE = pattern * v;                                 // (numQueries, dModel)
        return new HeadOutput(q, k, vDown, v, pattern, deltaE);
    }

    /// <summary>
    /// Cross-attention: queries come from one sequence (for example the text being written), keys and
    /// values from another (for example the text being translated), possibly of a different length.
    /// </summary>
    /// <param name="queriesFrom">Embeddings that ask, shape (numQueries, dModel).</param>
    /// <param name="keysFrom">Embeddings that answer, shape (numKeys, dModel).</param>
    /// <param name="mask">Optional mask, shape (numQueries, numKeys).</param>
    /// <returns>Every intermediate; Δe has shape (numQueries, dModel).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, too large, or a mask of the wrong size.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The pattern would not fit in memory (use the flash engine).</exception>
    public HeadOutput Forward(Matrix<float> queriesFrom, Matrix<float> keysFrom, Mask? mask) =>
        Forward(queriesFrom, keysFrom, mask, new(nameof(queriesFrom)), new(nameof(keysFrom)));

    /// <summary>x wᵀ, refused when finite x is so large that the product overflows.</summary>
    private static Matrix<float> Project(Matrix<float> x, Matrix<float> w, string what, Arg from)
    {
        var result = x.TransposeAndMultiply(w);
        AttentionInputs.ResultFits(result, what, from);
        return result;
    }

    private Matrix<float> CheckEmbeddings(Matrix<float> e, Arg arg)
    {
        AttentionInputs.NotEmpty(e, arg);
        if (e.ColumnCount != DModel)
            throw new ArgumentException($"{arg.Label} has dModel = {e.ColumnCount} (shape ({e.RowCount}, {e.ColumnCount})) but this head expects dModel = {DModel}.", arg.Param);
        AttentionInputs.MaxMagnitude(e, arg);
        return e;
    }
}

/// <summary>Everything one head computes for a sequence.</summary>
/// <param name="Q">Queries, shape (numQueries, dK).</param>
/// <param name="K">Keys, shape (numKeys, dK).</param>
/// <param name="ValuesDown">Values after the value-down map, shape (numKeys, dK).</param>
/// <param name="V">Values in embedding space, shape (numKeys, dModel).</param>
/// <param name="Pattern">Attention pattern, shape (numQueries, numKeys); rows sum to 1.</param>
/// <param name="DeltaE">The proposed change to each query's embedding, shape (numQueries, dModel).</param>
public sealed record HeadOutput(Matrix<float> Q, Matrix<float> K, Matrix<float> ValuesDown, Matrix<float> V, Matrix<float> Pattern, Matrix<float> DeltaE);
