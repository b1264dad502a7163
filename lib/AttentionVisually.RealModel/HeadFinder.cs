using System.Globalization;

namespace AttentionVisually.RealModel;

/// <summary>
/// Finds heads by measurement rather than by looking: given token pairs (a noun as query, its adjectives
/// as keys), scores every layer's every head by the attention mass the nouns give their adjectives,
/// against what uniform attention would give (Clark et al. 2019, "What Does BERT Look At?", do the same
/// for syntactic relations).
/// </summary>
/// <remarks>
/// For each query token f with key set T(f): mass(f) = Σ_{t ∈ T(f)} A[f, t], baseline(f) = |T(f)| / seqLen
/// (every key weighted equally). A head's <see cref="HeadScore.Mass"/> and <see cref="HeadScore.Baseline"/>
/// are the means over the query tokens, and <see cref="HeadScore.Lift"/> = mass / baseline: 1 means no
/// preference, 5 means five times the uniform share. BERT's heads often park attention on [CLS], [SEP]
/// or punctuation, so a lift below 1 is common; compare heads with each other, with the reversed pairs,
/// and with <see cref="PreviousTokenPairs"/>: in "a fluffy blue creature" the adjective "blue" is also simply
/// the previous token of "creature", and all-MiniLM-L6-v2's top-scoring head for these pairs (layer 0,
/// head 2) is a previous-token head.
/// </remarks>
public static class HeadFinder
{
    /// <summary>Token pairs linking every token of each <c>From</c> word to every token of its <c>To</c> words.</summary>
    /// <param name="tokens">The tokenized sentence.</param>
    /// <param name="links">Words by text, e.g. ("creature", ["fluffy", "blue"]), ("forest", ["verdant"]).</param>
    /// <returns>(query token, key token) pairs.</returns>
    /// <exception cref="ArgumentException">A word is not in the sentence, or there are no links.</exception>
    public static IReadOnlyList<(int From, int To)> WordPairs(TokenizedText tokens, params (string From, string[] To)[] links)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(links);
        if (links.Length == 0) throw new ArgumentException("links is empty.", nameof(links));
        var pairs = new List<(int, int)>();
        foreach (var (from, to) in links)
        {
            var fromTokens = tokens.TokensOfWord(tokens.IndexOfWord(from));
            foreach (string target in to)
                foreach (int t in tokens.TokensOfWord(tokens.IndexOfWord(target)))
                    foreach (int f in fromTokens)
                        pairs.Add((f, t));
        }
        return pairs;
    }

    /// <summary>
    /// The control for adjacency: every token (after [CLS]) paired with the token just before it. In English
    /// an adjective often stands right before its noun, so a head that simply looks one token back scores
    /// high on adjective–noun pairs too; score these pairs to tell the two apart.
    /// </summary>
    /// <param name="tokens">The tokenized sentence.</param>
    /// <returns>(i, i − 1) for every content token i.</returns>
    public static IReadOnlyList<(int From, int To)> PreviousTokenPairs(TokenizedText tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Enumerable.Range(1, Math.Max(0, tokens.Count - 2)).Select(i => (i, i - 1)).ToArray();
    }

    /// <summary>Scores every head of every layer, best lift first.</summary>
    /// <param name="output">A forward pass with patterns (no engine).</param>
    /// <param name="pairs">(query token, key token) pairs, e.g. from <see cref="WordPairs"/>.</param>
    /// <returns>numLayers · numHeads scores, sorted by lift, highest first.</returns>
    /// <exception cref="ArgumentException">No pairs, or a token index outside the sentence.</exception>
    /// <exception cref="InvalidOperationException">The pass has no patterns (an engine computed attention).</exception>
    public static IReadOnlyList<HeadScore> Score(MiniLmOutput output, IReadOnlyList<(int From, int To)> pairs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) throw new ArgumentException("pairs is empty.", nameof(pairs));
        int seqLen = output.Tokens.Count;
        foreach (var (from, to) in pairs)
            if (from < 0 || from >= seqLen || to < 0 || to >= seqLen)
                throw new ArgumentException($"pair ({from}, {to}) is outside the sentence's {seqLen} tokens.", nameof(pairs));
        if (output.Patterns is null)
            throw new InvalidOperationException($"No patterns: attention was computed by '{output.AttentionName}'. Run Forward without an engine.");

        var keysOf = pairs.GroupBy(p => p.From).ToDictionary(g => g.Key, g => g.Select(p => p.To).Distinct().ToArray());
        double baseline = keysOf.Values.Average(keys => (double)keys.Length / seqLen);
        var scores = new List<HeadScore>();
        for (int layer = 0; layer < output.Patterns.Count; layer++)
        {
            for (int head = 0; head < output.Patterns[layer].Count; head++)
            {
                var a = output.Patterns[layer][head]; // (seqLen, seqLen), row = query
                double mass = keysOf.Average(kv => kv.Value.Sum(t => (double)a[kv.Key, t]));
                scores.Add(new HeadScore(layer, head, mass, baseline));
            }
        }
        return scores.OrderByDescending(s => s.Lift).ThenBy(s => s.Layer).ThenBy(s => s.Head).ToArray();
    }
}

/// <summary>How strongly one head links the query tokens to their key tokens.</summary>
/// <param name="Layer">Layer, 0-based.</param>
/// <param name="Head">Head, 0-based.</param>
/// <param name="Mass">Mean attention mass from each query token to its keys, in [0, 1].</param>
/// <param name="Baseline">The mass uniform attention would give: mean of |keys| / seqLen.</param>
public sealed record HeadScore(int Layer, int Head, double Mass, double Baseline)
{
    /// <summary>Mass / baseline: above 1, the head prefers these keys over an even spread.</summary>
    public double Lift => Mass / Baseline;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"layer {Layer} head {Head}: mass {Mass:F3} (uniform {Baseline:F3}, lift {Lift:F2})");
}
