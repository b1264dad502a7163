using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// A tiny, hand-built embedding space in which every direction has a name, so a learner can read
/// what a query asks for and what a key answers (3Blue1Brown's "a fluffy blue creature roamed the
/// verdant forest"). Real models learn such directions; here they are set by hand to show the mechanism.
/// </summary>
/// <remarks>
/// An embedding has <see cref="DModel"/> = 16 dimensions: ten named features (see <see cref="Features"/>),
/// a position pair (cos θp, sin θp) with θ = <see cref="Theta"/>, and four "previous word was …" slots that
/// only attention writes into (chapter 06). Token embeddings put 1 on each feature the word has.
/// </remarks>
public static class ToyLanguage
{
    /// <summary>Embedding width of the toy space.</summary>
    public const int DModel = 16;

    /// <summary>Angle step of the position pair: position p is encoded as (cos θp, sin θp).</summary>
    public const double Theta = 0.45;

    /// <summary>The named directions, in order: index i is dimension i.</summary>
    public static IReadOnlyList<string> Features { get; } =
    [
        "noun", "adjective", "verb", "function word", "creature", "place", "blue", "fluffy", "green", "motion",
        "position cos", "position sin",
        "prev: noun", "prev: adjective", "prev: verb", "prev: function word",
    ];

    /// <summary>Index of the cosine half of the position pair.</summary>
    public const int PosCos = 10;

    /// <summary>Index of the sine half of the position pair.</summary>
    public const int PosSin = 11;

    /// <summary>Index of the first "previous word was …" slot.</summary>
    public const int PrevFirst = 12;

    private static readonly Dictionary<string, string[]> Words = new(StringComparer.Ordinal)
    {
        ["a"] = ["function word"],
        ["the"] = ["function word"],
        ["fluffy"] = ["adjective", "fluffy"],
        ["blue"] = ["adjective", "blue"],
        ["verdant"] = ["adjective", "green"],
        ["creature"] = ["noun", "creature"],
        ["forest"] = ["noun", "place"],
        ["roamed"] = ["verb", "motion"],
    };

    /// <summary>The words of the toy vocabulary.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = Words.Keys.ToArray();

    /// <summary>The example sentence of 3Blue1Brown's chapter, as tokens.</summary>
    public static IReadOnlyList<string> FluffyBlueCreature { get; } = "a fluffy blue creature roamed the verdant forest".Split(' ');

    /// <summary>Index of a named feature.</summary>
    /// <param name="feature">One of <see cref="Features"/>.</param>
    /// <exception cref="KeyNotFoundException">The name is not a feature.</exception>
    public static int Feature(string feature)
    {
        int i = Features.ToList().IndexOf(feature);
        return i >= 0 ? i : throw new KeyNotFoundException($"\"{feature}\" is not a feature; features: {string.Join(", ", Features)}.");
    }

    /// <summary>The context-free token table (no position): one row per vocabulary word.</summary>
    public static TokenEmbedding Table()
    {
        var w = Matrix<float>.Build.Dense(Vocabulary.Count, DModel);
        for (int r = 0; r < Vocabulary.Count; r++)
            foreach (var f in Words[Vocabulary[r]]) w[r, Feature(f)] = 1f;
        return new TokenEmbedding(Vocabulary, w);
    }

    /// <summary>Initial embeddings of a sentence: word features plus the position pair.</summary>
    /// <param name="tokens">Words of <see cref="Vocabulary"/>.</param>
    /// <returns>Shape (seqLen, 16).</returns>
    /// <exception cref="ArgumentException">The sentence is empty.</exception>
    /// <exception cref="KeyNotFoundException">A word is not in the vocabulary.</exception>
    public static Matrix<float> Embed(IReadOnlyList<string> tokens)
    {
        var e = Table().Embed(tokens); // (seqLen, 16)
        for (int p = 0; p < e.RowCount; p++)
        {
            e[p, PosCos] = (float)Math.Cos(Theta * p);
            e[p, PosSin] = (float)Math.Sin(Theta * p);
        }
        return e;
    }

    /// <summary>
    /// The adjective–noun head. Its query asks "is this a noun?" (and "where am I?"), its key answers
    /// "is this an adjective?" (and "where am I?"), so q_i · k_j = a²·noun_i·adjective_j + b²·cos θ(i − j):
    /// nouns score adjectives highly, nearer ones more. Its values carry the colour and texture features,
    /// so a noun's update Δe moves it toward its adjectives.
    /// </summary>
    /// <param name="a">Weight of the noun/adjective match (a² = 12 by default).</param>
    /// <param name="b">Weight of the position match (b² = 6 by default).</param>
    /// <param name="valueGain">How strongly a value writes its features into the receiving embedding.</param>
    public static AttentionHead AdjectiveNounHead(double a = 3.4641016151377544, double b = 2.449489742783178, float valueGain = 1f)
    {
        const int dK = 3;
        var wQ = Matrix<float>.Build.Dense(dK, DModel);
        var wK = Matrix<float>.Build.Dense(dK, DModel);
        wQ[0, Feature("noun")] = (float)a;
        wK[0, Feature("adjective")] = (float)a;
        wQ[1, PosCos] = wK[1, PosCos] = (float)b;
        wQ[2, PosSin] = wK[2, PosSin] = (float)b;
        var wDown = Matrix<float>.Build.Dense(dK, DModel);
        var wUp = Matrix<float>.Build.Dense(DModel, dK);
        string[] carried = ["blue", "fluffy", "green"];
        for (int r = 0; r < dK; r++)
        {
            wDown[r, Feature(carried[r])] = 1f;
            wUp[Feature(carried[r]), r] = valueGain;
        }
        return new AttentionHead(wQ, wK, wDown, wUp);
    }

    /// <summary>
    /// The previous-token head: its query rotates the position pair back by one step, so
    /// q_i · k_j = c²·cos θ(i − 1 − j), largest for the word just before. Its values write the previous
    /// word's class (noun, adjective, verb, function word) into the "prev: …" slots.
    /// </summary>
    /// <param name="c">Sharpness of the position match (c² = 100 by default).</param>
    public static AttentionHead PreviousTokenHead(double c = 10)
    {
        const int dK = 4;
        var wQ = Matrix<float>.Build.Dense(dK, DModel);
        var wK = Matrix<float>.Build.Dense(dK, DModel);
        // Rotation by −θ: (cos θi, sin θi) ↦ (cos θ(i−1), sin θ(i−1)).
        float cs = (float)(c * Math.Cos(Theta)), sn = (float)(c * Math.Sin(Theta));
        wQ[0, PosCos] = cs; wQ[0, PosSin] = sn;
        wQ[1, PosCos] = -sn; wQ[1, PosSin] = cs;
        wK[0, PosCos] = (float)c;
        wK[1, PosSin] = (float)c;
        var wDown = Matrix<float>.Build.Dense(dK, DModel);
        var wUp = Matrix<float>.Build.Dense(DModel, dK);
        string[] classes = ["noun", "adjective", "verb", "function word"];
        for (int r = 0; r < dK; r++)
        {
            wDown[r, Feature(classes[r])] = 1f;
            wUp[PrevFirst + r, r] = 1f;
        }
        return new AttentionHead(wQ, wK, wDown, wUp);
    }
}
