using MathNet.Numerics.LinearAlgebra;
using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>
/// The embedding lookup table: one learned vector per token of the vocabulary. Looking a token up
/// involves no context at all, so "mole" starts from the same vector in every sentence; giving it a
/// context-specific meaning is the job of attention.
/// </summary>
public sealed class TokenEmbedding
{
    private readonly Dictionary<string, int> index;

    /// <summary>Creates a table (the matrix is copied).</summary>
    /// <param name="vocabulary">The tokens, one per row of <paramref name="weights"/>; no duplicates.</param>
    /// <param name="weights">The table, shape (vocabSize, dModel).</param>
    /// <exception cref="ArgumentException">Sizes disagree, a token repeats, or an entry is not finite.</exception>
    public TokenEmbedding(IReadOnlyList<string> vocabulary, Matrix<float> weights)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        Shape.NotEmpty(weights, nameof(weights));
        if (vocabulary.Count != weights.RowCount)
            throw new ArgumentException($"vocabulary has {vocabulary.Count} tokens but weights has {weights.RowCount} rows (shape ({weights.RowCount}, {weights.ColumnCount})).", nameof(vocabulary));
        Shape.Finite(weights, nameof(weights));
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Count; i++)
        {
            if (!index.TryAdd(vocabulary[i], i))
                throw new ArgumentException($"vocabulary lists \"{vocabulary[i]}\" twice (rows {index[vocabulary[i]]} and {i}).", nameof(vocabulary));
        }
        Vocabulary = vocabulary.ToArray();
        this.weights = weights.Clone();
    }

    // The table owns its matrix: Weights hands out a copy, so no caller can change the table in place.
    private readonly Matrix<float> weights;

    /// <summary>The tokens, in row order.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>The table W_E, shape (vocabSize, dModel) (a copy: changing it does not change the table).</summary>
    public Matrix<float> Weights => weights.Clone();

    /// <summary>Embedding width.</summary>
    public int DModel => weights.ColumnCount;

    /// <summary>A table of seeded random vectors for the given tokens.</summary>
    /// <param name="vocabulary">The tokens; no duplicates.</param>
    /// <param name="dModel">Embedding width, at least 1.</param>
    /// <param name="seed">Seed of the random source.</param>
    /// <exception cref="ArgumentException">The vocabulary is empty or repeats a token.</exception>
    public static TokenEmbedding Random(IReadOnlyList<string> vocabulary, int dModel, int seed)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count == 0) throw new ArgumentException("vocabulary is empty.", nameof(vocabulary));
        return new TokenEmbedding(vocabulary, Init.Normal(vocabulary.Count, dModel, seed));
    }

    /// <summary>The row of a token.</summary>
    /// <param name="token">A token of the vocabulary.</param>
    /// <exception cref="KeyNotFoundException">The token is not in the vocabulary.</exception>
    public int IndexOf(string token) =>
        index.TryGetValue(token, out int i) ? i : throw new KeyNotFoundException($"token \"{token}\" is not in the vocabulary of {Vocabulary.Count} tokens.");

    /// <summary>The embedding of one token (a copy).</summary>
    /// <param name="token">A token of the vocabulary.</param>
    /// <exception cref="KeyNotFoundException">The token is not in the vocabulary.</exception>
    public Vector<float> this[string token] => weights.Row(IndexOf(token));

    /// <summary>Looks up a sequence of tokens: row i is the embedding of tokens[i].</summary>
    /// <param name="tokens">The sequence; at least one token.</param>
    /// <returns>Shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">The sequence is empty.</exception>
    /// <exception cref="KeyNotFoundException">A token is not in the vocabulary.</exception>
    public Matrix<float> Embed(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("tokens is empty: a sequence needs at least one token.", nameof(tokens));
        var e = Matrix<float>.Build.Dense(tokens.Count, DModel);
        for (int i = 0; i < tokens.Count; i++) e.SetRow(i, weights.Row(IndexOf(tokens[i])));
        return e; // (seqLen, dModel)
    }
}

/// <summary>Position information added to token embeddings, so that order is visible to attention.</summary>
public static class PositionalEncoding
{
    /// <summary>
    /// The sinusoidal encoding of Vaswani et al. 2017: PE[p, 2i] = sin(p / 10000^(2i/dModel)),
    /// PE[p, 2i+1] = cos(p / 10000^(2i/dModel)). (GPT-2 and GPT-3 learn this table instead.)
    /// </summary>
    /// <param name="seqLen">Number of positions, at least 1.</param>
    /// <param name="dModel">Embedding width, at least 1.</param>
    /// <returns>Shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the table would not fit in memory.</exception>
    public static Matrix<float> Sinusoidal(int seqLen, int dModel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        MemoryCheck.DenseFits(seqLen, dModel, "the positional encoding", nameof(seqLen), "use a shorter sequence");
        var pe = Matrix<float>.Build.Dense(seqLen, dModel);
        for (int p = 0; p < seqLen; p++)
        {
            for (int d = 0; d < dModel; d++)
            {
                double angle = p / Math.Pow(10000, 2 * (d / 2) / (double)dModel);
                pe[p, d] = (float)(d % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        }
        return pe;
    }

    /// <summary>The initial embeddings of a sequence: token embedding plus position encoding, e_i = W_E[t_i] + PE[i].</summary>
    /// <param name="table">The token table.</param>
    /// <param name="tokens">The sequence; at least one token.</param>
    /// <returns>Shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">The sequence is empty.</exception>
    public static Matrix<float> Embed(TokenEmbedding table, IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(table);
        var e = table.Embed(tokens);
        return e + Sinusoidal(e.RowCount, e.ColumnCount);
    }
}
