namespace AttentionVisually.Torch;

/// <summary>
/// The sizes of a GPT-2-like model (nanoGPT's <c>GPTConfig</c>): vocabulary, context length, embedding
/// size, heads, feed-forward width, layers, and whether Linear and LayerNorm layers carry biases.
/// </summary>
public sealed record TorchGptConfig
{
    /// <summary>Creates a validated configuration.</summary>
    /// <param name="vocab">Number of token ids (GPT-2: 50257).</param>
    /// <param name="context">Longest sequence, i.e. number of learned positions (GPT-2: 1024).</param>
    /// <param name="dModel">Embedding size (GPT-2 small: 768).</param>
    /// <param name="numHeads">Heads per attention block; must divide <paramref name="dModel"/> (GPT-2 small: 12).</param>
    /// <param name="dFf">Hidden width of the feed-forward block (GPT-2: 4 dModel).</param>
    /// <param name="layers">Number of transformer blocks (GPT-2 small: 12).</param>
    /// <param name="bias">True: every Linear and LayerNorm has a bias (GPT-2); false: none do.</param>
    /// <param name="headDim">Width of each head's queries, keys and values; 0 (default) means dModel / numHeads, which must then divide evenly.
    /// Some models differ (GPT-3 13B: dModel 5140, 40 heads of 128).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="headDim"/> is 0 and <paramref name="numHeads"/> does not divide <paramref name="dModel"/>.</exception>
    public TorchGptConfig(int vocab, int context, int dModel, int numHeads, int dFf, int layers, bool bias = true, int headDim = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocab, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(context, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dFf, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(headDim);
        if (headDim == 0 && dModel % numHeads != 0)
        {
            throw new ArgumentException($"numHeads = {numHeads} does not divide dModel = {dModel}; give headDim explicitly or choose a divisor.", nameof(numHeads));
        }
        Vocab = vocab;
        Context = context;
        DModel = dModel;
        NumHeads = numHeads;
        DFf = dFf;
        Layers = layers;
        Bias = bias;
        HeadDim = headDim == 0 ? dModel / numHeads : headDim;
    }

/// <summary>The TorchSharp model of a course configuration (for example a row of <c>data/models.csv</c>).</summary>
    /// <param name="config">The model's sizes.</param>
    /// <param name="bias">True: every Linear and LayerNorm has a bias (GPT-2, GPT-3).</param>
    /// <returns>A configuration with the same sizes.</returns>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public static TorchGptConfig From(TransformerConfig config, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return new(config.VocabSize, config.ContextLength, config.DModel, config.NumHeads, config.DFf, config.Layers, bias, config.HeadDim);
    }

    /// <summary>Number of token ids.</summary>
    public int Vocab { get; }

    /// <summary>Number of learned positions.</summary>
    public int Context { get; }

    /// <summary>Embedding size.</summary>
    public int DModel { get; }

    /// <summary>Heads per attention block.</summary>
    public int NumHeads { get; }

    /// <summary>Width of each head's queries, keys and values (usually dModel / numHeads).</summary>
    public int HeadDim { get; }

    /// <summary>Hidden width of the feed-forward block.</summary>
    public int DFf { get; }

    /// <summary>Number of transformer blocks.</summary>
    public int Layers { get; }

    /// <summary>Whether Linear and LayerNorm layers carry biases.</summary>
    public bool Bias { get; }
}
