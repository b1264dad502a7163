using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>
/// A GPT-2-like model built from TorchSharp's own modules (Embedding, LayerNorm, Linear), read top to
/// bottom like nanoGPT's model.py: attention block, feed-forward block, transformer block, model. Its
/// purpose in the course is sizing: <see cref="CountParameters(TransformerConfig)"/> asks TorchSharp how many
/// parameters the modules hold, to compare with the chapter's own arithmetic.
/// Reference: Radford et al. 2019 (GPT-2); Karpathy's nanoGPT, model.py.
/// </summary>
public static class TorchModules
{
    /// <summary>Builds the model on the "meta" device and counts its parameters.</summary>
    /// <param name="config">The model's sizes.</param>
    /// <returns>The number of scalars in the model's parameters (token embedding shared with the output layer, as in GPT-2).</returns>
    /// <remarks>TorchSharp materialises embedding tables even on "meta": GPT-3 175B takes a few seconds and about 2.5 GB while counting.</remarks>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static long CountParameters(TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        TorchRuntime.EnsureAvailable();
        using var model = new TorchGptModel(config, META);
        return CountParameters(model);
    }

    /// <summary>Counts the scalars in a module's parameters, each distinct parameter once.</summary>
    /// <param name="module">Any TorchSharp module.</param>
    /// <returns>The sum of numel() over its distinct parameters.</returns>
    public static long CountParameters(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module.parameters().Distinct<Parameter>(ReferenceEqualityComparer.Instance).Sum(p => p.numel());
    }
}

/// <summary>
/// GPT-2's causal multi-head self-attention block, the library's one multi-head attention over tensors: one
/// Linear makes queries, keys and values for all heads (wQ, wK, wValueDown stacked), the fused attention runs
/// per head, and one Linear (the value-up maps stapled together, the "output matrix") maps the heads back to
/// dModel. Without biases it computes what the core's <see cref="MultiHeadAttention"/> computes with the same
/// weights and a causal mask (the tests hold the two side by side).
/// </summary>
public sealed class TorchAttentionBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear qkv;
    private readonly Linear output;
    private readonly int dModel;
    private readonly int numHeads;
    private readonly int headDim;

    /// <summary>Creates the block with TorchSharp's default initialisation.</summary>
    /// <param name="dModel">Embedding size.</param>
    /// <param name="numHeads">Number of heads.</param>
    /// <param name="headDim">Width of each head; 0 means dModel / numHeads.</param>
    /// <param name="bias">Whether both Linear layers carry biases.</param>
    /// <param name="device">Where the parameters live; CPU when null.</param>
    /// <exception cref="ArgumentException"><paramref name="headDim"/> is 0 and <paramref name="numHeads"/> does not divide <paramref name="dModel"/>.</exception>
    public TorchAttentionBlock(int dModel, int numHeads, int headDim = 0, bool bias = true, Device? device = null)
        : base(nameof(TorchAttentionBlock))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(headDim);
        this.dModel = dModel;
        this.numHeads = numHeads;
        this.headDim = headDim == 0 ? TransformerConfig.EvenHeadDim(dModel, numHeads) : headDim;
        int inner = numHeads * this.headDim;
        qkv = nn.Linear(dModel, 3 * inner, bias, device);   // rows: every head's wQ, then every wK, then every wValueDown
        output = nn.Linear(inner, dModel, bias, device);    // columns: every head's wValueUp
        RegisterComponents();
    }

    /// <summary>The Linear making queries, keys and values: weight (3 numHeads headDim, dModel).</summary>
    public Linear Qkv => qkv;

    /// <summary>The output Linear (value-up maps side by side): weight (dModel, numHeads headDim).</summary>
    public Linear Output => output;

    /// <summary>Causal self-attention over a sequence.</summary>
    /// <param name="x">(seqLen, dModel) or (batch, seqLen, dModel), float32, on the block's device.</param>
    /// <returns>The change for every position, same shape as <paramref name="x"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not float32, has no token, or its last size is not dModel.</exception>
    /// <remarks>
    /// Shapes and type are checked, values are not: the block runs inside every training step, where a finiteness
    /// check would wait for the device on each call.
    /// </remarks>
    public override Tensor forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"x has type {x.dtype} but float32 was expected.", nameof(x));
        }
        if (x.dim() < 2 || x.shape[^1] != dModel || x.shape[^2] == 0)
        {
            throw new ArgumentException(
                $"x has shape {TensorConvert.ShapeOf(x)} but (seqLen, {dModel}) or (batch, seqLen, {dModel}) with seqLen >= 1 was expected.", nameof(x));
        }
        using var scope = NewDisposeScope();
        long seqLen = x.shape[^2];
        long[] lead = x.shape[..^2];
        Tensor[] parts = qkv.forward(x).chunk(3, -1);                                   // 3 x (..., seqLen, numHeads headDim)
        Tensor Heads(Tensor t) => t.view([.. lead, seqLen, numHeads, headDim]).transpose(-3, -2); // (..., numHeads, seqLen, headDim)
        Tensor attended = TorchAttention.FusedChecked(Heads(parts[0]), Heads(parts[1]), Heads(parts[2]), isCausal: true); // (..., numHeads, seqLen, headDim)
        Tensor merged = attended.transpose(-3, -2).reshape([.. lead, seqLen, numHeads * headDim]);  // (..., seqLen, numHeads headDim)
        return output.forward(merged).MoveToOuterDisposeScope();                        // (..., seqLen, dModel)
    }
}

/// <summary>GPT-2's feed-forward block: Linear to dFf, GELU, Linear back to dModel.</summary>
public sealed class TorchFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear up;
    private readonly Linear down;

    /// <summary>Creates the block.</summary>
    /// <param name="dModel">Embedding size.</param>
    /// <param name="dFf">Hidden width.</param>
    /// <param name="bias">Whether both Linear layers carry biases.</param>
    /// <param name="device">Where the parameters live; CPU when null.</param>
    public TorchFeedForward(int dModel, int dFf, bool bias = true, Device? device = null)
        : base(nameof(TorchFeedForward))
    {
        up = nn.Linear(dModel, dFf, bias, device);
        down = nn.Linear(dFf, dModel, bias, device);
        RegisterComponents();
    }

    /// <summary>Applies the block to every position.</summary>
    /// <param name="x">(..., dModel).</param>
    /// <returns>(..., dModel).</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down.forward(nn.functional.gelu(up.forward(x))).MoveToOuterDisposeScope(); // (..., dFf) -> (..., dModel)
    }
}

/// <summary>One pre-LayerNorm transformer block: x + attention(LN(x)), then x + feedForward(LN(x)).</summary>
public sealed class TorchGptBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1;
    private readonly TorchAttentionBlock attention;
    private readonly LayerNorm norm2;
    private readonly TorchFeedForward feedForward;

    /// <summary>Creates the block.</summary>
    /// <param name="config">The model's sizes.</param>
    /// <param name="device">Where the parameters live; CPU when null.</param>
    public TorchGptBlock(TransformerConfig config, Device? device = null)
        : base(nameof(TorchGptBlock))
    {
        ArgumentNullException.ThrowIfNull(config);
        norm1 = nn.LayerNorm(config.DModel, bias: config.Bias, device: device);
        attention = new TorchAttentionBlock(config.DModel, config.NumHeads, config.HeadDim, config.Bias, device);
        norm2 = nn.LayerNorm(config.DModel, bias: config.Bias, device: device);
        feedForward = new TorchFeedForward(config.DModel, config.DFf, config.Bias, device);
        RegisterComponents();
    }

    /// <summary>Applies the block.</summary>
    /// <param name="x">(..., seqLen, dModel).</param>
    /// <returns>(..., seqLen, dModel).</returns>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor h = x + attention.forward(norm1.forward(x));
        return (h + feedForward.forward(norm2.forward(h))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A GPT-2-like language model: token and position embeddings, <see cref="TransformerConfig.NumLayers"/> blocks,
/// a final LayerNorm, and logits through the token embedding itself (weights tied, as in GPT-2, so they are
/// counted once).
/// </summary>
public sealed class TorchGptModel : nn.Module<Tensor, Tensor>
{
    private readonly Embedding tokens;
    private readonly Embedding positions;
    private readonly ModuleList<TorchGptBlock> blocks;
    private readonly LayerNorm finalNorm;

    /// <summary>Creates the model with TorchSharp's default initialisation.</summary>
    /// <param name="config">The model's sizes.</param>
    /// <param name="device">Where the parameters live; CPU when null; "meta" for shapes only.</param>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public TorchGptModel(TransformerConfig config, Device? device = null)
        : base(nameof(TorchGptModel))
    {
        ArgumentNullException.ThrowIfNull(config);
        TorchRuntime.EnsureAvailable();
        Config = config;
        tokens = nn.Embedding(config.VocabSize, config.DModel, device: device);
        positions = nn.Embedding(config.ContextLength, config.DModel, device: device);
        blocks = nn.ModuleList(Enumerable.Range(0, config.NumLayers).Select(_ => new TorchGptBlock(config, device)).ToArray());
        finalNorm = nn.LayerNorm(config.DModel, bias: config.Bias, device: device);
        RegisterComponents();
    }

    /// <summary>The model's sizes.</summary>
    public TransformerConfig Config { get; }

    /// <summary>Next-token logits for every position.</summary>
    /// <param name="ids">Token ids (seqLen) or (batch, seqLen), int64, seqLen &lt;= context.</param>
    /// <returns>Logits (..., seqLen, vocab).</returns>
    /// <exception cref="ArgumentException">The sequence is longer than the context.</exception>
    public override Tensor forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        long seqLen = ids.shape[^1];
        if (seqLen > Config.ContextLength)
        {
            throw new ArgumentException($"ids has {seqLen} tokens but the context holds {Config.ContextLength}.", nameof(ids));
        }
        using var scope = NewDisposeScope();
        Tensor x = tokens.forward(ids) + positions.forward(arange(seqLen, ScalarType.Int64, ids.device)); // (..., seqLen, dModel)
        foreach (TorchGptBlock block in blocks)
        {
            x = block.forward(x);
        }
        return finalNorm.forward(x).matmul(tokens.weight!.t()).MoveToOuterDisposeScope(); // (..., seqLen, vocab)
    }
}
