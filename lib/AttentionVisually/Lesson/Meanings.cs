using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// A hand-built embedding space for 3Blue1Brown's examples of context moving meaning: "mole" (American shrew
/// mole, one mole of carbon dioxide, a biopsy of the mole), "tower" (Eiffel tower, miniature Eiffel tower) and
/// "Harry" (next to Hogwarts and a wand, or next to Prince and Meghan). Every direction has a name, so the move
/// of a word toward a meaning can be read off as a coordinate.
/// </summary>
/// <remarks>
/// Two heads do the moving. The <see cref="SenseHead"/>'s query asks "am I a word with several senses?" and its
/// key answers "I am a word that settles a sense" (shrew, carbon, biopsy, Eiffel, miniature); its values carry
/// the meaning directions of those cue words. The <see cref="NameHead"/> does the same for names and the words
/// that say which Harry is meant. There is no position in this space: a word's lookup embedding is the same
/// wherever it sits, which is exactly why only attention can tell the three moles apart.
/// </remarks>
public static class Meanings
{
    /// <summary>The named directions, in order: index i is dimension i.</summary>
    public static IReadOnlyList<string> Features { get; } =
    [
        "word with senses", "name", "sense cue", "name cue", "other word",
        "animal", "chemistry", "skin", "Paris", "large", "small", "wizard", "royalty",
        "nature", "science", "medicine", "technical tone",
    ];

    /// <summary>Embedding width of the space (one dimension per feature).</summary>
    public static int DModel => Features.Count;

    /// <summary>The meanings the <see cref="SenseHead"/> moves words toward.</summary>
    public static IReadOnlyList<string> Senses { get; } = ["animal", "chemistry", "skin", "Paris", "small"];

    /// <summary>The meanings the <see cref="NameHead"/> moves names toward.</summary>
    public static IReadOnlyList<string> NameSenses { get; } = ["wizard", "royalty"];

    /// <summary>The three sentences of the video in which "mole" means three different things.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> MoleSentences { get; } =
        [Words("American shrew mole"), Words("one mole of carbon dioxide"), Words("take a biopsy of the mole")];

    /// <summary>"tower" alone, after "Eiffel", and after "miniature Eiffel".</summary>
    public static IReadOnlyList<IReadOnlyList<string>> TowerSentences { get; } =
        [Words("the tower"), Words("the Eiffel tower"), Words("the miniature Eiffel tower")];

    /// <summary>"Harry" next to Hogwarts and a wand, and next to Prince and Meghan (and the Queen).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> HarrySentences { get; } =
        [Words("Harry raised his wand at Hogwarts"), Words("Prince Harry met the Queen with Meghan")];

    private static readonly Dictionary<string, (string Feature, float Value)[]> Lookup = new(StringComparer.Ordinal)
    {
        // Words with several senses: the lookup embedding sits between its meanings.
        ["mole"] = [("word with senses", 1), ("animal", 0.5f), ("chemistry", 0.5f), ("skin", 0.5f)],
        ["tower"] = [("word with senses", 1), ("large", 1)],
        ["Harry"] = [("name", 1), ("wizard", 0.5f), ("royalty", 0.5f)],
        // Words that settle a sense.
        ["shrew"] = [("sense cue", 1), ("animal", 1)],
        ["carbon"] = [("sense cue", 1), ("chemistry", 1)],
        ["dioxide"] = [("sense cue", 1), ("chemistry", 1)],
        ["biopsy"] = [("sense cue", 1), ("skin", 1)],
        ["Eiffel"] = [("sense cue", 1), ("Paris", 1)],
        ["miniature"] = [("sense cue", 1), ("small", 1)],
        // Words that say which Harry.
        ["Hogwarts"] = [("name cue", 1), ("wizard", 1)],
        ["wand"] = [("name cue", 1), ("wizard", 1)],
        ["Prince"] = [("name cue", 1), ("royalty", 1)],
        ["Meghan"] = [("name cue", 1), ("royalty", 1)],
        ["Queen"] = [("name cue", 1), ("royalty", 1)],
    };

    private static readonly string[] OtherWords = ["American", "one", "of", "take", "a", "the", "raised", "his", "at", "met", "with"];

    /// <summary>The words of the space.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } = Lookup.Keys.Concat(OtherWords).ToArray();

    /// <summary>Index of a named feature.</summary>
    /// <param name="feature">One of <see cref="Features"/>.</param>
    /// <exception cref="KeyNotFoundException">The name is not a feature.</exception>
    public static int Feature(string feature)
    {
        int i = Features.ToList().IndexOf(feature);
        return i >= 0 ? i : throw new KeyNotFoundException($"\"{feature}\" is not a feature; features: {string.Join(", ", Features)}.");
    }

    /// <summary>The context-free lookup table: one row per vocabulary word.</summary>
    public static TokenEmbedding Table()
    {
        var w = Matrix<float>.Build.Dense(Vocabulary.Count, DModel); // (vocab, DModel)
        for (int r = 0; r < Vocabulary.Count; r++)
        {
            var features = Lookup.TryGetValue(Vocabulary[r], out var f) ? f : [("other word", 1f)];
            foreach (var (feature, value) in features) w[r, Feature(feature)] = value;
        }
        return new TokenEmbedding(Vocabulary, w);
    }

    /// <summary>Lookup embeddings of a sentence (no position: the same word always gets the same row).</summary>
    /// <param name="tokens">Words of <see cref="Vocabulary"/>.</param>
    /// <returns>Shape (seqLen, <see cref="DModel"/>).</returns>
    /// <exception cref="ArgumentException">The sentence is empty.</exception>
    /// <exception cref="KeyNotFoundException">A word is not in the vocabulary.</exception>
    public static Matrix<float> Embed(IReadOnlyList<string> tokens) => Table().Embed(tokens);

    /// <summary>
    /// The word-sense head: q · k = s² · senses_i · cue_j, so a word with several senses attends to the words
    /// that settle its sense; its values carry animal, chemistry, skin, Paris and small. "small" is written
    /// with a minus sign on "large": a miniature tower is no longer a large structure.
    /// </summary>
    /// <param name="sharpness">s: how decisively the query prefers cue words.</param>
    /// <param name="gain">How strongly a value writes its meaning into the receiving word.</param>
    /// <exception cref="ArgumentOutOfRangeException">sharpness or gain is not positive.</exception>
    public static AttentionHead SenseHead(float sharpness = 5f, float gain = 2f) =>
        CueHead("word with senses", "sense cue", Senses, sharpness, gain);

    /// <summary>The name head: a name attends to the words that say which person is meant (Hogwarts, Prince…).</summary>
    /// <param name="sharpness">s: how decisively the query prefers name cues.</param>
    /// <param name="gain">How strongly a value writes its meaning into the name.</param>
    /// <exception cref="ArgumentOutOfRangeException">sharpness or gain is not positive.</exception>
    public static AttentionHead NameHead(float sharpness = 5f, float gain = 2f) =>
        CueHead("name", "name cue", NameSenses, sharpness, gain);

    /// <summary>The embedding of <paramref name="word"/> before and after one head, in one sentence (no mask).</summary>
    /// <param name="head">A head of this space (<see cref="SenseHead"/> or <see cref="NameHead"/>).</param>
    /// <param name="sentence">Words of <see cref="Vocabulary"/>.</param>
    /// <param name="word">A word of the sentence (its first occurrence is used).</param>
    /// <returns>The lookup embedding and e + Δe, each of length <see cref="DModel"/>.</returns>
    /// <exception cref="ArgumentException">The word is not in the sentence.</exception>
    public static (Vector<float> Before, Vector<float> After) Move(AttentionHead head, IReadOnlyList<string> sentence, string word)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(sentence);
        int i = sentence.ToList().IndexOf(word);
        if (i < 0) throw new ArgumentException($"\"{word}\" is not in \"{string.Join(' ', sentence)}\".", nameof(word));
        var e = Embed(sentence);                  // (seqLen, DModel)
        var after = e + head.Forward(e).DeltaE;   // (seqLen, DModel)
        return (e.Row(i), after.Row(i));
    }

    /// <summary>The coordinate of a vector along a named direction.</summary>
    /// <param name="v">A vector of this space.</param>
    /// <param name="feature">One of <see cref="Features"/>.</param>
    /// <exception cref="ArgumentException">The vector is not <see cref="DModel"/> long.</exception>
    public static double Along(Vector<float> v, string feature)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Count != DModel) throw new ArgumentException($"v has {v.Count} entries but the space has {DModel}.", nameof(v));
        return v[Feature(feature)];
    }

    /// <summary>
    /// Block 1 of the toy model: the <see cref="SenseHead"/> and <see cref="NameHead"/> side by side, then an MLP
    /// whose three neurons turn a settled sense into a topic (animal → nature, chemistry → science,
    /// skin → medicine). Each neuron's bias is −1, so the lookup "mole" (0.5 of each sense) fires none of them.
    /// No layer norm, so the named directions stay readable.
    /// </summary>
    public static TransformerBlock SenseBlock()
    {
        var attention = new MultiHeadAttention([SenseHead(), NameHead()]);
        var mlp = NeuronMlp([(["animal"], "nature"), (["chemistry"], "science"), (["skin"], "medicine")], bias: -1f);
        return new TransformerBlock(attention, mlp, preLayerNorm: false);
    }

    /// <summary>
    /// Block 2 of the toy model: a topic head in which every word attends to the words that carry a topic and
    /// copies it, then an MLP neuron that reads science or medicine (bias −0.5) and writes "technical tone":
    /// a property of the whole sentence, which no single lookup embedding holds.
    /// </summary>
    public static TransformerBlock ToneBlock(float sharpness = 5f)
    {
        string[] topics = ["nature", "science", "medicine"];
        string[] kinds = ["word with senses", "name", "sense cue", "name cue", "other word"];
        var wQ = Matrix<float>.Build.Dense(topics.Length, DModel);
        var wK = Matrix<float>.Build.Dense(topics.Length, DModel);
        var wDown = Matrix<float>.Build.Dense(topics.Length, DModel);
        var wUp = Matrix<float>.Build.Dense(DModel, topics.Length);
        foreach (var kind in kinds) wQ[0, Feature(kind)] = sharpness; // every word asks "what is this about?"
        for (int r = 0; r < topics.Length; r++)
        {
            wK[0, Feature(topics[r])] = sharpness;
            wDown[r, Feature(topics[r])] = 1f;
            wUp[Feature(topics[r]), r] = 1f;
        }
        var attention = new MultiHeadAttention([new AttentionHead(wQ, wK, wDown, wUp)]);
        var mlp = NeuronMlp([(["science", "medicine"], "technical tone")], bias: -0.5f);
        return new TransformerBlock(attention, mlp, preLayerNorm: false);
    }

    // One hidden neuron per entry: it reads the sum of its input directions, adds the bias, and writes one direction.
    private static Mlp NeuronMlp(IReadOnlyList<(string[] Reads, string Writes)> neurons, float bias)
    {
        var wUp = Matrix<float>.Build.Dense(neurons.Count, DModel);   // (dFf, DModel)
        var wDown = Matrix<float>.Build.Dense(DModel, neurons.Count); // (DModel, dFf)
        for (int n = 0; n < neurons.Count; n++)
        {
            foreach (var read in neurons[n].Reads) wUp[n, Feature(read)] = 1f;
            wDown[Feature(neurons[n].Writes), n] = 1f;
        }
        return new Mlp(wUp, Vector<float>.Build.Dense(neurons.Count, bias), wDown);
    }

    private static AttentionHead CueHead(string asks, string answers, IReadOnlyList<string> carried, float sharpness, float gain)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sharpness);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gain);
        int dK = carried.Count;
        var wQ = Matrix<float>.Build.Dense(dK, DModel);
        var wK = Matrix<float>.Build.Dense(dK, DModel);
        wQ[0, Feature(asks)] = sharpness;
        wK[0, Feature(answers)] = sharpness;
        var wDown = Matrix<float>.Build.Dense(dK, DModel);
        var wUp = Matrix<float>.Build.Dense(DModel, dK);
        for (int r = 0; r < dK; r++)
        {
            wDown[r, Feature(carried[r])] = 1f;
            wUp[Feature(carried[r]), r] = gain;
        }
        if (carried.Contains("small")) wUp[Feature("large"), carried.ToList().IndexOf("small")] = -gain;
        return new AttentionHead(wQ, wK, wDown, wUp);
    }

    private static string[] Words(string sentence) => sentence.Split(' ');
}
