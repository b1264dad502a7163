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
    /// <param name="transformer">The encoder's sizes (heads must split dModel evenly: d_k = dModel / numHeads).</param>
    /// <param name="typeVocabSize">Rows of the token-type (segment) embedding matrix.</param>
    /// <param name="layerNormEpsilon">The ε added to the variance inside every LayerNorm.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="typeVocabSize"/> is less than 1, or ε is negative or not finite.</exception>
    /// <exception cref="ArgumentException">The heads do not split dModel evenly.</exception>
    public MiniLmConfig(TransformerConfig transformer, int typeVocabSize, float layerNormEpsilon)
    {
        ArgumentNullException.ThrowIfNull(transformer);
        ArgumentOutOfRangeException.ThrowIfLessThan(typeVocabSize, 1);
        if (!(layerNormEpsilon >= 0) || !float.IsFinite(layerNormEpsilon))
            throw new ArgumentOutOfRangeException(nameof(layerNormEpsilon), layerNormEpsilon, "ε must be finite and not negative.");
        if (transformer.HeadDim != TransformerConfig.EvenHeadDim(transformer.DModel, transformer.NumHeads))
            throw new ArgumentException($"transformer has headDim = {transformer.HeadDim}; BERT's heads split dModel = {transformer.DModel} evenly into {transformer.NumHeads}.", nameof(transformer));
        Transformer = transformer;
        TypeVocabSize = typeVocabSize;
        LayerNormEpsilon = layerNormEpsilon;
    }

    /// <summary>
    /// The encoder's sizes as the course's one configuration type, so that <see cref="Sizing"/> counts them and
    /// chapters can set MiniLM beside GPT-3 (MiniLM: vocabulary 30522, dModel 384, 12 heads of 32, dFf 1536, 6 layers, context 512).
    /// </summary>
    public TransformerConfig Transformer { get; }

    /// <summary>Token types (segments A and B; 2 for MiniLM).</summary>
    public int TypeVocabSize { get; }

    /// <summary>The ε inside LayerNorm's square root (1e-12 for MiniLM).</summary>
    public float LayerNormEpsilon { get; }

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
        var parts = Sizing.Breakdown(Transformer, withBiases: true).ToList();
        parts.Add(new ParameterPart("token-type embedding", (long)TypeVocabSize * Transformer.DModel));
        parts.Add(new ParameterPart("pooler", (long)Transformer.DModel * Transformer.DModel + Transformer.DModel));
        return parts;
    }

    /// <summary>Learned parameters implied by these sizes (22,713,216 for MiniLM), from <see cref="ParameterBreakdown"/>.</summary>
    /// <returns>The count as a 64-bit number.</returns>
    public long ParameterCount() => ParameterBreakdown().Sum(p => p.Parameters);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"vocab {Transformer.VocabSize}, dModel {Transformer.DModel}, heads {Transformer.NumHeads} × {Transformer.HeadDim}, layers {Transformer.NumLayers}, dFf {Transformer.DFf}, context {Transformer.ContextLength}, types {TypeVocabSize}, ε {LayerNormEpsilon:G3}");
}
