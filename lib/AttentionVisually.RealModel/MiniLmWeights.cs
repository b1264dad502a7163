using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.RealModel;

/// <summary>
/// Every learned number of the encoder as typed matrices and vectors, in the course's orientation:
/// a projection is stored (dOut, dIn) so that <c>q_i = W_Q e_i + b_Q</c>, and a sequence is one token per row.
/// Layout of BERT (Devlin et al. 2019): embeddings, then <see cref="TransformerConfig.NumLayers"/> identical
/// encoder layers, then the pooler. <see cref="MiniLmOnnxLoader"/> builds it from the ONNX graph.
/// </summary>
public sealed record MiniLmWeights
{
    /// <summary>Groups the parts, checking every shape against <paramref name="config"/>.</summary>
    /// <param name="config">The sizes the parts must have.</param>
    /// <param name="embeddings">Word, position and token-type embeddings and their LayerNorm.</param>
    /// <param name="layers">One entry per encoder layer, first layer first.</param>
    /// <param name="pooler">BERT's pooler (used by the ONNX graph's second output only).</param>
    /// <exception cref="ArgumentException">A part has a shape other than the configuration says, or the layer count differs.</exception>
    public MiniLmWeights(MiniLmConfig config, EmbeddingWeights embeddings, IReadOnlyList<EncoderLayerWeights> layers, PoolerWeights pooler)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(pooler);
        int d = config.Transformer.DModel;
        Shape.Check(embeddings.Word, config.Transformer.VocabSize, d, "embeddings.Word");
        Shape.Check(embeddings.Position, config.Transformer.ContextLength, d, "embeddings.Position");
        Shape.Check(embeddings.TokenType, config.TypeVocabSize, d, "embeddings.TokenType");
        CheckNorm(embeddings.Norm, d, "embeddings.Norm");
        if (layers.Count != config.Transformer.NumLayers)
            throw new ArgumentException($"layers has {layers.Count} entries but config says numLayers = {config.Transformer.NumLayers}.", nameof(layers));
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l] ?? throw new ArgumentException($"layers[{l}] is null.", nameof(layers));
            string at = $"layers[{l}]";
            if (layer.Attention.NumHeads != config.Transformer.NumHeads)
                throw new ArgumentException($"{at}.Attention has {layer.Attention.NumHeads} heads but config says {config.Transformer.NumHeads}.", nameof(layers));
            var attention = layer.Attention;
            Shape.Check(attention.WQ, d, d, $"{at}.Attention.WQ");
            Shape.Check(attention.WK, d, d, $"{at}.Attention.WK");
            Shape.Check(attention.WV, d, d, $"{at}.Attention.WV");
            Shape.Check(attention.WO, d, d, $"{at}.Attention.WO");
            foreach (var (bias, name) in new[] { (attention.BQ, "BQ"), (attention.BK, "BK"), (attention.BV, "BV"), (attention.BO, "BO") })
                if (bias.Count != d) throw new ArgumentException($"{at}.Attention.{name} has length {bias.Count} but dModel = {d}.", nameof(layers));
            Shape.Check(layer.FeedForward.WUp, config.Transformer.DFf, d, $"{at}.FeedForward.WUp");
            CheckNorm(layer.AttentionNorm, d, $"{at}.AttentionNorm");
            CheckNorm(layer.OutputNorm, d, $"{at}.OutputNorm");
        }
        Shape.Check(pooler.W, d, d, "pooler.W");
        if (pooler.B.Count != d) throw new ArgumentException($"pooler.B has length {pooler.B.Count} but dModel = {d}.", nameof(pooler));
        Config = config;
        Embeddings = embeddings;
        Layers = layers.ToArray();
        Pooler = pooler;
    }

    /// <summary>The sizes.</summary>
    public MiniLmConfig Config { get; }

    /// <summary>Word, position and token-type embeddings and their LayerNorm.</summary>
    public EmbeddingWeights Embeddings { get; }

    /// <summary>The encoder layers, first layer first.</summary>
    public IReadOnlyList<EncoderLayerWeights> Layers { get; }

    /// <summary>BERT's pooler: <c>tanh(W h_[CLS] + b)</c>, the graph's second output; mean pooling ignores it.</summary>
    public PoolerWeights Pooler { get; }

    /// <summary>Learned numbers counted from the matrices themselves (not from the configuration).</summary>
    public long ParameterCount =>
        Embeddings.ParameterCount + Layers.Sum(layer => layer.ParameterCount) + Pooler.ParameterCount;

    private static void CheckNorm(LayerNormWeights norm, int dModel, string name)
    {
        ArgumentNullException.ThrowIfNull(norm, name);
        if (norm.Gamma.Count != dModel)
            throw new ArgumentException($"{name} has γ of length {norm.Gamma.Count} but dModel = {dModel}.", name);
    }
}

/// <summary>The embedding layer: a token's vector is word + position + token type, then LayerNorm.</summary>
/// <param name="Word">Word (token) embeddings, shape (vocabSize, dModel): row t is token t's vector.</param>
/// <param name="Position">Position embeddings, shape (contextLength, dModel): row p is added at position p.</param>
/// <param name="TokenType">Segment embeddings, shape (typeVocabSize, dModel); single sentences use row 0.</param>
/// <param name="Norm">The LayerNorm applied to the sum.</param>
public sealed record EmbeddingWeights(Matrix<float> Word, Matrix<float> Position, Matrix<float> TokenType, LayerNormWeights Norm)
{
    /// <summary>Learned numbers of the three tables and the LayerNorm.</summary>
    public long ParameterCount =>
        Count(Word) + Count(Position) + Count(TokenType) + Norm.ParameterCount;

    internal static long Count(Matrix<float> m) => (long)m.RowCount * m.ColumnCount;
}

/// <summary>
/// The multi-head self-attention weights of one layer. Head h uses rows
/// [h · headDim, (h + 1) · headDim) of W_Q, W_K and W_V, so its query map is a (headDim, dModel) slice.
/// </summary>
/// <param name="NumHeads">Heads; dModel / numHeads is each head's dK.</param>
/// <param name="WQ">Query map, shape (dModel, dModel) = numHeads stacked (headDim, dModel) maps.</param>
/// <param name="BQ">Query bias, length dModel.</param>
/// <param name="WK">Key map, shape (dModel, dModel).</param>
/// <param name="BK">Key bias, length dModel.</param>
/// <param name="WV">Value map, shape (dModel, dModel): the heads' value-down maps stacked.</param>
/// <param name="BV">Value bias, length dModel.</param>
/// <param name="WO">Output map, shape (dModel, dModel): its column block h is head h's value-up map.</param>
/// <param name="BO">Output bias, length dModel.</param>
public sealed record AttentionWeights(int NumHeads,
    Matrix<float> WQ, Vector<float> BQ, Matrix<float> WK, Vector<float> BK,
    Matrix<float> WV, Vector<float> BV, Matrix<float> WO, Vector<float> BO)
{
    /// <summary>Dimensions per head.</summary>
    public int HeadDim => WQ.RowCount / NumHeads;

    /// <summary>Learned numbers: 4 · (dModel² + dModel).</summary>
    public long ParameterCount =>
        EmbeddingWeights.Count(WQ) + EmbeddingWeights.Count(WK) + EmbeddingWeights.Count(WV) + EmbeddingWeights.Count(WO)
        + BQ.Count + BK.Count + BV.Count + BO.Count;
}

/// <summary>One encoder layer (post-LayerNorm, as BERT): <c>h' = LN(h + Attn(h))</c>, <c>out = LN(h' + FFN(h'))</c>.</summary>
/// <param name="Attention">Self-attention weights.</param>
/// <param name="AttentionNorm">LayerNorm after the attention residual.</param>
/// <param name="FeedForward">Feed-forward weights.</param>
/// <param name="OutputNorm">LayerNorm after the feed-forward residual.</param>
public sealed record EncoderLayerWeights(AttentionWeights Attention, LayerNormWeights AttentionNorm, FeedForwardWeights FeedForward, LayerNormWeights OutputNorm)
{
    /// <summary>Learned numbers of the layer.</summary>
    public long ParameterCount =>
        Attention.ParameterCount + AttentionNorm.ParameterCount + FeedForward.ParameterCount + OutputNorm.ParameterCount;
}

/// <summary>BERT's pooler: <c>tanh(W h_[CLS] + b)</c>.</summary>
/// <param name="W">Weight, shape (dModel, dModel).</param>
/// <param name="B">Bias, length dModel.</param>
public sealed record PoolerWeights(Matrix<float> W, Vector<float> B)
{
    /// <summary>Learned numbers: dModel² + dModel.</summary>
    public long ParameterCount => EmbeddingWeights.Count(W) + B.Count;
}
