using System.Globalization;

namespace AttentionVisually.RealModel;

/// <summary>
/// The sizes of a BERT-style encoder as read from its ONNX graph: for all-MiniLM-L6-v2 these are
/// vocabulary 30522, dModel 384, 12 heads of 32 dimensions, 6 layers, feed-forward width 1536,
/// context 512 positions, 2 token types, LayerNorm ε = 1e-12
/// (Wang et al. 2020, "MiniLM"; Devlin et al. 2019, "BERT", section 3 for the layout).
/// </summary>
/// <remarks>
/// Every number here is measured from the weights (matrix shapes, the reshape that splits heads,
/// the constant added inside LayerNorm), never typed in; <see cref="MiniLmOnnxLoader"/> fills it.
/// </remarks>
public sealed record MiniLmConfig
{
    /// <summary>Creates a configuration, checking that the sizes fit together.</summary>
    /// <param name="vocabSize">Rows of the word-embedding matrix.</param>
    /// <param name="dModel">Width of every hidden state.</param>
    /// <param name="numHeads">Attention heads per layer; must divide <paramref name="dModel"/>.</param>
    /// <param name="numLayers">Encoder layers.</param>
    /// <param name="dFf">Width of the feed-forward hidden layer.</param>
    /// <param name="contextLength">Rows of the position-embedding matrix: the longest input.</param>
    /// <param name="typeVocabSize">Rows of the token-type (segment) embedding matrix.</param>
    /// <param name="layerNormEpsilon">The ε added to the variance inside every LayerNorm.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or ε is negative or not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="numHeads"/> does not divide <paramref name="dModel"/>.</exception>
    public MiniLmConfig(int vocabSize, int dModel, int numHeads, int numLayers, int dFf, int contextLength, int typeVocabSize, float layerNormEpsilon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dFf, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(typeVocabSize, 1);
        if (!(layerNormEpsilon >= 0) || !float.IsFinite(layerNormEpsilon))
            throw new ArgumentOutOfRangeException(nameof(layerNormEpsilon), layerNormEpsilon, "ε must be finite and not negative.");
        if (dModel % numHeads != 0)
            throw new ArgumentException($"numHeads = {numHeads} does not divide dModel = {dModel}: every head needs dModel / numHeads dimensions.", nameof(numHeads));
        VocabSize = vocabSize;
        DModel = dModel;
        NumHeads = numHeads;
        NumLayers = numLayers;
        DFf = dFf;
        ContextLength = contextLength;
        TypeVocabSize = typeVocabSize;
        LayerNormEpsilon = layerNormEpsilon;
    }

    /// <summary>Number of WordPiece tokens the model knows (30522 for MiniLM).</summary>
    public int VocabSize { get; }

    /// <summary>Width of the embedding and of every hidden state (384 for MiniLM).</summary>
    public int DModel { get; }

    /// <summary>Attention heads per layer (12 for MiniLM).</summary>
    public int NumHeads { get; }

    /// <summary>Encoder layers (6 for MiniLM).</summary>
    public int NumLayers { get; }

    /// <summary>Width of the feed-forward hidden layer (1536 = 4 · dModel for MiniLM).</summary>
    public int DFf { get; }

    /// <summary>Positions with a learned embedding, hence the longest input (512 for MiniLM).</summary>
    public int ContextLength { get; }

    /// <summary>Token types (segments A and B; 2 for MiniLM).</summary>
    public int TypeVocabSize { get; }

    /// <summary>The ε inside LayerNorm's square root (1e-12 for MiniLM).</summary>
    public float LayerNormEpsilon { get; }

    /// <summary>Dimensions per head, dModel / numHeads: each head's dK and dV (32 for MiniLM).</summary>
    public int HeadDim => DModel / NumHeads;

    /// <summary>
    /// These sizes as the course's <see cref="TransformerConfig"/>, so that <see cref="Sizing"/> can count them
    /// and chapters can set MiniLM beside GPT-3.
    /// </summary>
    /// <param name="name">The name shown in tables.</param>
    /// <returns>The configuration (heads split dModel evenly, dK = headDim).</returns>
    public TransformerConfig ToTransformerConfig(string name = "all-MiniLM-L6-v2") =>
        new TransformerConfig(name, DModel, NumHeads, HeadDim, NumLayers, VocabSize, ContextLength, DFf).Validate();

    /// <summary>
    /// Where the learned parameters live: the course's <see cref="Sizing.Breakdown"/> of the transformer,
    /// plus what BERT has and a GPT does not: the token-type table and the pooler (dModel² + dModel).
    /// </summary>
    /// <remarks>
    /// Sizing counts 2 · numLayers + 1 LayerNorms, the extra one being GPT's final norm; BERT has no final
    /// norm but one after the embeddings, of the same size, so that part counts it.
    /// </remarks>
    /// <returns>Named parts; their sum is <see cref="ParameterCount"/>.</returns>
    public IReadOnlyList<ParameterPart> ParameterBreakdown()
    {
        var parts = Sizing.Breakdown(ToTransformerConfig(), withBiases: true).ToList();
        parts.Add(new ParameterPart("token-type embedding", (long)TypeVocabSize * DModel));
        parts.Add(new ParameterPart("pooler", (long)DModel * DModel + DModel));
        return parts;
    }

    /// <summary>Learned parameters implied by these sizes (22,713,216 for MiniLM), from <see cref="ParameterBreakdown"/>.</summary>
    /// <returns>The count as a 64-bit number.</returns>
    public long ParameterCount() => ParameterBreakdown().Sum(p => p.Parameters);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"vocab {VocabSize}, dModel {DModel}, heads {NumHeads} × {HeadDim}, layers {NumLayers}, dFf {DFf}, context {ContextLength}, types {TypeVocabSize}, ε {LayerNormEpsilon:G3}");
}
