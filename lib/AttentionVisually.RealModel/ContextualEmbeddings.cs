using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.RealModel;

/// <summary>
/// Measurements on a word's vector as it moves through the layers: its contextual embedding after each
/// layer, cosine similarity, and the nearest of some candidate words (the "mole" and "Eiffel tower"
/// examples of 3Blue1Brown's chapter; Ethayarajh 2019 measures contextuality the same way).
/// </summary>
/// <remarks>
/// A word split into several WordPiece tokens ("verdant" = <c>ve ##rdan ##t</c>) is represented by the
/// mean of its tokens' vectors. Layer 0 is the embedding layer's output (word + position, normalized);
/// layer l ≥ 1 is the output of encoder layer l.
/// </remarks>
public static class ContextualEmbeddings
{
    /// <summary>The vector of a word after a layer: the mean of its tokens' hidden states.</summary>
    /// <param name="output">A forward pass.</param>
    /// <param name="word">Word index in <c>output.Tokens.Words</c> (see <see cref="TokenizedText.IndexOfWord"/>).</param>
    /// <param name="layer">0 for the embedding layer, 1 … numLayers for the encoder layers.</param>
    /// <returns>A vector of length dModel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The word or layer does not exist.</exception>
    public static Vector<float> WordVector(MiniLmOutput output, int word, int layer)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, output.HiddenStates.Count);
        return MeanOfRows(output.HiddenStates[layer], output.Tokens.TokensOfWord(word));
    }

    /// <summary>The word's vector after every layer, from the embedding layer (index 0) to the last.</summary>
    /// <param name="output">A forward pass.</param>
    /// <param name="word">Word index.</param>
    /// <returns>numLayers + 1 vectors of length dModel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The word does not exist.</exception>
    public static IReadOnlyList<Vector<float>> WordVectorsByLayer(MiniLmOutput output, int word)
    {
        ArgumentNullException.ThrowIfNull(output);
        var tokens = output.Tokens.TokensOfWord(word);
        return output.HiddenStates.Select(h => MeanOfRows(h, tokens)).ToArray();
    }

    /// <summary>
    /// The word's input embedding: the mean of its tokens' rows of the word table, before position and
    /// context. A word has the same one in every sentence.
    /// </summary>
    /// <param name="output">A forward pass.</param>
    /// <param name="word">Word index.</param>
    /// <returns>A vector of length dModel.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The word does not exist.</exception>
    public static Vector<float> InputVector(MiniLmOutput output, int word)
    {
        ArgumentNullException.ThrowIfNull(output);
        return MeanOfRows(output.TokenEmbeddings, output.Tokens.TokensOfWord(word));
    }

    /// <summary>Cosine similarity, <c>a · b / (|a| |b|)</c>, computed in double.</summary>
    /// <param name="a">A vector.</param>
    /// <param name="b">A vector of the same length.</param>
    /// <returns>A number in [−1, 1].</returns>
    /// <exception cref="ArgumentException">The lengths differ, or a vector is zero.</exception>
    public static double Cosine(Vector<float> a, Vector<float> b) => WordVectors.Cosine(a, b);

    /// <summary>Cosine similarity of two words' vectors after every layer (index 0 = embedding layer).</summary>
    /// <param name="a">One forward pass.</param>
    /// <param name="wordA">A word of <paramref name="a"/>.</param>
    /// <param name="b">Another forward pass (or the same).</param>
    /// <param name="wordB">A word of <paramref name="b"/>.</param>
    /// <returns>numLayers + 1 similarities.</returns>
    /// <exception cref="ArgumentException">The passes come from models with different layer counts.</exception>
    public static IReadOnlyList<double> CosineByLayer(MiniLmOutput a, int wordA, MiniLmOutput b, int wordB)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.HiddenStates.Count != b.HiddenStates.Count)
            throw new ArgumentException($"b has {b.HiddenStates.Count} hidden states but a has {a.HiddenStates.Count}.", nameof(b));
        var va = WordVectorsByLayer(a, wordA);
        var vb = WordVectorsByLayer(b, wordB);
        return va.Zip(vb, Cosine).ToArray();
    }

    /// <summary>
    /// Ranks candidate words by cosine similarity to a vector. Each candidate is embedded alone
    /// (<c>[CLS] candidate [SEP]</c>) and read at the same layer, so both sides went through the same layers.
    /// </summary>
    /// <param name="model">The model that produced <paramref name="vector"/>.</param>
    /// <param name="vector">A word vector after <paramref name="layer"/>, length dModel.</param>
    /// <param name="layer">0 … numLayers.</param>
    /// <param name="candidates">Words or short phrases (a phrase is the mean over all its words' tokens).</param>
    /// <returns>Every candidate with its similarity, most similar first.</returns>
    /// <exception cref="ArgumentException">The vector has the wrong length, or a candidate has no tokens.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The layer does not exist.</exception>
    public static IReadOnlyList<WordSimilarity> NearestWords(MiniLm model, Vector<float> vector, int layer, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vector);
        ArgumentNullException.ThrowIfNull(candidates);
        if (vector.Count != model.Config.Transformer.DModel)
            throw new ArgumentException($"vector has length {vector.Count} but the model's dModel is {model.Config.Transformer.DModel}.", nameof(vector));
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(layer, model.Config.Transformer.NumLayers);
        var scored = new List<WordSimilarity>();
        foreach (string candidate in candidates)
        {
            var output = model.Forward(candidate);
            var content = Enumerable.Range(0, output.Tokens.Count).Where(i => output.Tokens.WordOfToken[i] >= 0).ToArray();
            if (content.Length == 0) throw new ArgumentException($"candidate '{candidate}' has no tokens.", nameof(candidates));
            scored.Add(new WordSimilarity(candidate, Cosine(vector, MeanOfRows(output.HiddenStates[layer], content))));
        }
        return scored.OrderByDescending(s => s.Cosine).ToArray();
    }

    private static Vector<float> MeanOfRows(Matrix<float> m, IReadOnlyList<int> rows)
    {
        var sum = Vector<float>.Build.Dense(m.ColumnCount);
        foreach (int r in rows) sum += m.Row(r);
        return sum / rows.Count;
    }
}

/// <summary>A candidate word and its cosine similarity to a vector.</summary>
/// <param name="Word">The candidate.</param>
/// <param name="Cosine">Cosine similarity in [−1, 1].</param>
public sealed record WordSimilarity(string Word, double Cosine);
