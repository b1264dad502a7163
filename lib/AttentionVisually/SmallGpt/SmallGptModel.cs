using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.SmallGpt;

/// <summary>One attention head of the model: its block (layer) and its index in the block, both 0-based.</summary>
/// <param name="Layer">The block.</param>
/// <param name="Head">The head within the block.</param>
public readonly record struct HeadId(int Layer, int Head)
{
    /// <summary>"L1 H2": the way the chapter names heads.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => $"L{Layer} H{Head}";
}

/// <summary>What one forward pass computed, kept for the analysis.</summary>
/// <param name="Logits">Next-token logits, (seqLen, vocabSize).</param>
/// <param name="Patterns">Patterns[layer][head], each (seqLen, seqLen), queries as rows.</param>
/// <param name="Residuals">The residual stream: [0] the embeddings, [l + 1] after block l; each (seqLen, dModel).</param>
public sealed record GptTrace(Matrix<float> Logits, IReadOnlyList<IReadOnlyList<Matrix<float>>> Patterns, IReadOnlyList<Matrix<float>> Residuals);

/// <summary>
/// The course's small GPT in managed code (MathNet, no libtorch): token plus position embedding, pre-LayerNorm
/// blocks of causal multi-head attention and a GELU feed-forward on the residual stream, a final LayerNorm and
/// the tied unembedding. It is the same computation as <c>TorchGptModel</c> (Radford et al. 2019; nanoGPT's
/// model.py), and it can remove chosen heads' Δe from the residual stream to test what they do.
/// </summary>
public sealed class SmallGptModel
{
    /// <summary>The ε of every LayerNorm (PyTorch's default, which the trained model used).</summary>
    public const float LayerNormEpsilon = 1e-5f;

    /// <summary>Wraps trained weights.</summary>
    /// <param name="weights">The weights.</param>
    public SmallGptModel(GptWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Weights = weights;
    }

    /// <summary>The weights.</summary>
    public GptWeights Weights { get; }

    /// <summary>The model's sizes.</summary>
    public TransformerConfig Config => Weights.Config;

    /// <summary>Runs the model over token ids.</summary>
    /// <param name="ids">Token ids, 1 to contextLength of them, each below vocabSize.</param>
    /// <param name="ablated">Heads whose Δe is removed (their output set to zero before the output matrix); none when null.</param>
    /// <returns>Logits, patterns and the residual stream.</returns>
    /// <exception cref="ArgumentException">The sequence is empty or too long, an id is out of range, or a head does not exist.</exception>
    public GptTrace Run(IReadOnlyList<int> ids, IReadOnlyCollection<HeadId>? ablated = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0 || ids.Count > Config.ContextLength)
            throw new ArgumentException($"ids has {ids.Count} tokens; the model takes 1 to {Config.ContextLength}.", nameof(ids));
        for (int i = 0; i < ids.Count; i++)
        {
            if (ids[i] < 0 || ids[i] >= Config.VocabSize)
                throw new ArgumentException($"ids[{i}] = {ids[i]} is outside the vocabulary of {Config.VocabSize}.", nameof(ids));
        }
        foreach (var h in ablated ?? [])
        {
            if (h.Layer < 0 || h.Layer >= Config.NumLayers || h.Head < 0 || h.Head >= Config.NumHeads)
                throw new ArgumentException($"head {h} does not exist: the model has {Config.NumLayers} layers of {Config.NumHeads} heads.", nameof(ablated));
        }
        return Forward(ids, ablated ?? []);
    }

    /// <summary>Runs the model over words of <see cref="StoryGrammar.Vocabulary"/>.</summary>
    /// <param name="tokens">Words, usually starting with <see cref="StoryGrammar.Bos"/>.</param>
    /// <param name="ablated">Heads whose Δe is removed; none when null.</param>
    /// <returns>Logits, patterns and the residual stream.</returns>
    /// <exception cref="ArgumentException">A word is unknown, or the sequence is empty or too long.</exception>
    public GptTrace Run(IReadOnlyList<string> tokens, IReadOnlyCollection<HeadId>? ablated = null) => Run(StoryGrammar.Encode(tokens), ablated);

    /// <summary>
    /// The logit lens: what the model would predict if the residual stream ended here — the final LayerNorm
    /// and the unembedding applied to a residual (nostalgebraist 2020).
    /// </summary>
    /// <param name="residual">(seqLen, dModel), for example <see cref="GptTrace.Residuals"/>[l].</param>
    /// <returns>Logits, (seqLen, vocabSize).</returns>
    /// <exception cref="ArgumentException">The width is not dModel.</exception>
    public Matrix<float> Unembed(Matrix<float> residual)
    {
        Shape.NotEmpty(residual, nameof(residual));
        Shape.Check(residual, -1, Config.DModel, nameof(residual));
        return LayerNorm.Normalize(residual, Weights.FinalNorm, LayerNormEpsilon) * Weights.TokenEmbedding.Transpose(); // (seqLen, vocabSize)
    }

    private GptTrace Forward(IReadOnlyList<int> ids, IReadOnlyCollection<HeadId> ablated)
    {
        int seqLen = ids.Count, d = Config.DModel;
        var x = Matrix<float>.Build.Dense(seqLen, d, (i, j) => Weights.TokenEmbedding[ids[i], j] + Weights.PositionEmbedding[i, j]); // (seqLen, dModel)
        var residuals = new List<Matrix<float>> { x };
        var patterns = new List<IReadOnlyList<Matrix<float>>>();
        var mask = Mask.Causal(seqLen);
        for (int l = 0; l < Config.NumLayers; l++)
        {
            var block = Weights.Blocks[l];
            var (deltaE, layerPatterns) = AttentionDelta(LayerNorm.Normalize(x, block.Norm1, LayerNormEpsilon), block, mask, l, ablated);
            x = x + deltaE;                                                                                   // (seqLen, dModel)
            x = x + Layers.FeedForward.Forward(LayerNorm.Normalize(x, block.Norm2, LayerNormEpsilon), block.FeedForward);
            residuals.Add(x);
            patterns.Add(layerPatterns);
        }
        return new GptTrace(Unembed(x), patterns, residuals);
    }

    private (Matrix<float> DeltaE, Matrix<float>[] Patterns) AttentionDelta(Matrix<float> h, GptBlockWeights block, Mask mask, int layer, IReadOnlyCollection<HeadId> ablated)
    {
        int seqLen = h.RowCount, headDim = Config.HeadDim, inner = Config.NumHeads * headDim;
        var qkv = Layers.Linear.Affine(h, block.WQkv, block.BQkv); // (seqLen, 3 inner)
        var merged = Matrix<float>.Build.Dense(seqLen, inner);         // (seqLen, numHeads headDim)
        var patterns = new Matrix<float>[Config.NumHeads];
        for (int head = 0; head < Config.NumHeads; head++)
        {
            var q = qkv.SubMatrix(0, seqLen, head * headDim, headDim);              // (seqLen, headDim)
            var k = qkv.SubMatrix(0, seqLen, inner + head * headDim, headDim);      // (seqLen, headDim)
            var v = qkv.SubMatrix(0, seqLen, 2 * inner + head * headDim, headDim);  // (seqLen, headDim)
            var result = Attention.ScaledDotProduct(q, k, v, mask);
            patterns[head] = result.Pattern;                                       // (seqLen, seqLen)
            if (!ablated.Contains(new HeadId(layer, head)))
            {
                merged.SetSubMatrix(0, head * headDim, result.Output);             // ablated: this head's slice stays zero, so W_O adds nothing of it
            }
        }
        return (Layers.Linear.Affine(merged, block.WOut, block.BOut), patterns); // (seqLen, dModel)
    }
}
