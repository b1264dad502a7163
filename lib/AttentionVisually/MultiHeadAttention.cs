using MathNet.Numerics.LinearAlgebra;
using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>
/// Multi-head attention: several heads run in parallel on the same embeddings, each with its own
/// W_Q, W_K, value-down and value-up maps; every head proposes a change Δe and the proposals are summed.
/// </summary>
/// <remarks>
/// In practice the value-up maps of all heads are stapled side by side into one output matrix
/// W_O of shape (dModel, numHeads · dK); what papers call a head's "value matrix" is then only its
/// value-down map. <see cref="DeltaEViaOutputMatrix(Matrix{float}, Mask?)"/> computes the block that way and equals
/// the sum of the per-head proposals.
/// </remarks>
public sealed class MultiHeadAttention
{
    private readonly AttentionHead[] heads;

    /// <summary>Creates a block from its heads.</summary>
    /// <param name="heads">At least one head; all with the same dModel (their dK may differ).</param>
    /// <exception cref="ArgumentNullException">The list or one of its heads is null (the message gives the index).</exception>
    /// <exception cref="ArgumentException">No heads, or heads of different dModel.</exception>
    public MultiHeadAttention(IReadOnlyList<AttentionHead> heads)
    {
        ArgumentNullException.ThrowIfNull(heads);
        if (heads.Count == 0) throw new ArgumentException("heads is empty: a block needs at least one head.", nameof(heads));
        for (int h = 0; h < heads.Count; h++)
        {
            if (heads[h] is null) throw new ArgumentNullException(nameof(heads), $"heads[{h}] is null; every head of a block must be an AttentionHead.");
        }
        for (int h = 1; h < heads.Count; h++)
        {
            if (heads[h].DModel != heads[0].DModel)
                throw new ArgumentException($"head {h} has dModel = {heads[h].DModel} but head 0 has dModel = {heads[0].DModel}.", nameof(heads));
        }
        this.heads = heads.ToArray();
    }

    /// <summary>The heads.</summary>
    public IReadOnlyList<AttentionHead> Heads => heads;

    /// <summary>Number of heads.</summary>
    public int NumHeads => heads.Length;

    /// <summary>Embedding width.</summary>
    public int DModel => heads[0].DModel;

    /// <summary>Total width of the heads' value spaces, Σ_h dK_h (numHeads · dK when all heads share dK).</summary>
    public int ConcatWidth => heads.Sum(h => h.DK);

    /// <summary>Parameters of the block: numHeads × 4 × dK × dModel (no biases).</summary>
    public long ParameterCount => heads.Sum(h => h.ParameterCount);

    /// <summary>The output matrix: the heads' value-up maps stapled side by side, shape (dModel, numHeads · dK).</summary>
    public Matrix<float> WO
    {
        get
        {
            var wO = Matrix<float>.Build.Dense(DModel, ConcatWidth);
            for (int h = 0, col = 0; h < NumHeads; col += heads[h].DK, h++) wO.SetSubMatrix(0, col, heads[h].WValueUp);
            return wO;
        }
    }

    /// <summary>A block whose heads split dModel evenly: dK = dModel / numHeads, as in GPT-2 and GPT-3.</summary>
    /// <param name="dModel">Embedding width; must be divisible by <paramref name="numHeads"/>.</param>
    /// <param name="numHeads">Number of heads, at least 1.</param>
    /// <param name="seed">Seed; head h uses seed + 10·h.</param>
    /// <exception cref="ArgumentException">numHeads does not divide dModel.</exception>
    public static MultiHeadAttention Random(int dModel, int numHeads, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        if (dModel % numHeads != 0)
            throw new ArgumentException($"numHeads = {numHeads} does not divide dModel = {dModel}; each head needs dK = dModel / numHeads.", nameof(numHeads));
        return Random(dModel, numHeads, dModel / numHeads, seed);
    }

    /// <summary>A block of seeded random heads with a chosen dK.</summary>
    /// <param name="dModel">Embedding width, at least 1.</param>
    /// <param name="numHeads">Number of heads, at least 1.</param>
    /// <param name="dK">Query/key width of each head, at least 1.</param>
    /// <param name="seed">Seed; head h uses seed + 10·h.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    public static MultiHeadAttention Random(int dModel, int numHeads, int dK, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        return new MultiHeadAttention(Enumerable.Range(0, numHeads).Select(h => AttentionHead.Random(dModel, dK, seed + 10 * h)).ToArray());
    }

    /// <summary>Runs every head and sums their proposals: Δe = Σ_h Δe_h, e' = e + Δe.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <param name="mask">Optional mask, shape (seqLen, seqLen), shared by all heads.</param>
    /// <returns>Each head's output, the summed Δe and e'.</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or a mask of the wrong size.</exception>
    public MultiHeadOutput Forward(Matrix<float> e, Mask? mask = null) => Forward(e, e, mask, new(nameof(e)), new(nameof(e)));

    /// <summary>Cross-attention with every head: queries from one sequence, keys and values from another.</summary>
    /// <param name="queriesFrom">Shape (numQueries, dModel).</param>
    /// <param name="keysFrom">Shape (numKeys, dModel).</param>
    /// <param name="mask">Optional mask, shape (numQueries, numKeys).</param>
    /// <returns>Each head's output, the summed Δe (numQueries, dModel) and e' = queriesFrom + Δe.</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or a mask of the wrong size.</exception>
    public MultiHeadOutput Forward(Matrix<float> queriesFrom, Matrix<float> keysFrom, Mask? mask) =>
        Forward(queriesFrom, keysFrom, mask, new(nameof(queriesFrom)), new(nameof(keysFrom)));

    private MultiHeadOutput Forward(Matrix<float> queriesFrom, Matrix<float> keysFrom, Mask? mask, Arg qFrom, Arg kFrom)
    {
        var perHead = heads.Select(h => h.Forward(queriesFrom, keysFrom, mask, qFrom, kFrom)).ToArray();
        var deltaE = Matrix<float>.Build.Dense(queriesFrom.RowCount, DModel);
        foreach (var o in perHead) deltaE += o.DeltaE; // (numQueries, dModel)
        AttentionInputs.ResultFits(deltaE, "the sum of the heads' proposals Δe would", kFrom);
        var output = queriesFrom + deltaE;
        AttentionInputs.ResultFits(output, "e + Δe would", qFrom);
        return new MultiHeadOutput(perHead, deltaE, output);
    }

    /// <summary>
    /// The same Δe computed the way implementations do: concatenate each head's weighted value-down
    /// vectors, then apply the stapled output matrix once, Δe = concat_h(A_h V_down,h) W_Oᵀ.
    /// </summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel).</param>
    /// <param name="mask">Optional mask, shape (seqLen, seqLen).</param>
    /// <returns>Δe, shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or a mask of the wrong size.</exception>
    public Matrix<float> DeltaEViaOutputMatrix(Matrix<float> e, Mask? mask = null)
    {
        AttentionInputs.NotEmpty(e, new(nameof(e)));
        var concat = Matrix<float>.Build.Dense(e.RowCount, ConcatWidth); // (seqLen, numHeads·dK)
        for (int h = 0, col = 0; h < NumHeads; col += heads[h].DK, h++)
        {
            var o = heads[h].Forward(e, mask);
            concat.SetSubMatrix(0, col, o.Pattern * o.ValuesDown); // (seqLen, dK_h)
        }
        var deltaE = concat.TransposeAndMultiply(WO); // (seqLen, dModel)
        AttentionInputs.ResultFits(deltaE, "Δe would", new(nameof(e)));
        return deltaE;
    }
}

/// <summary>The result of a multi-head block.</summary>
/// <param name="Heads">Each head's intermediates and proposal.</param>
/// <param name="DeltaE">The sum of the heads' proposals, shape (numQueries, dModel).</param>
/// <param name="Output">The updated embeddings e' = e + Δe, shape (numQueries, dModel).</param>
public sealed record MultiHeadOutput(IReadOnlyList<HeadOutput> Heads, Matrix<float> DeltaE, Matrix<float> Output);
