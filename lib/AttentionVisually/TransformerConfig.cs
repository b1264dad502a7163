namespace AttentionVisually;

/// <summary>
/// The sizes of a transformer: the one configuration type of the course, used by the parameter counts
/// (<see cref="Sizing"/>), the TorchSharp modules, the real model and the trained GPT (nanoGPT's <c>GPTConfig</c>;
/// Brown et al. 2020, Table 2.1). Rows of <c>data/models.csv</c> load into it through <see cref="ModelCatalog"/>.
/// </summary>
/// <remarks>
/// Every size is checked when it is set, so a configuration made with <c>with { ... }</c> is checked too.
/// <see cref="HeadDim"/> is its own number because published models do not always split dModel evenly
/// (GPT-3 13B: dModel 5140, 40 heads of 128); <see cref="Create"/> makes the usual even split.
/// </remarks>
public sealed record TransformerConfig
{
    /// <summary>Creates a checked configuration.</summary>
    /// <param name="name">Model name, for example "GPT-3 175B".</param>
    /// <param name="vocabSize">Number of token ids (GPT-2: 50,257).</param>
    /// <param name="contextLength">Longest sequence in tokens, the number of positions (GPT-3: 2,048).</param>
    /// <param name="dModel">Embedding width.</param>
    /// <param name="numHeads">Attention heads per block.</param>
    /// <param name="headDim">Query, key and value width of one head (d_k).</param>
    /// <param name="dFf">Hidden width of the feed-forward (MLP) block.</param>
    /// <param name="numLayers">Number of transformer blocks.</param>
    /// <param name="bias">Whether Linear and LayerNorm layers carry biases (GPT-2 and GPT-3 do).</param>
    /// <param name="reportedParameters">The parameter count the authors report, when known.</param>
    /// <exception cref="ArgumentException">The name is empty, a size is less than 1 or the reported count is negative; the message names it.</exception>
    public TransformerConfig(string name, int vocabSize, int contextLength, int dModel, int numHeads, int headDim, int dFf, int numLayers,
        bool bias = true, long? reportedParameters = null)
    {
        Name = name;
        VocabSize = vocabSize;
        ContextLength = contextLength;
        DModel = dModel;
        NumHeads = numHeads;
        HeadDim = headDim;
        DFf = dFf;
        NumLayers = numLayers;
        Bias = bias;
        ReportedParameters = reportedParameters;
    }

    /// <summary>A configuration whose heads split dModel evenly (d_k = dModel / numHeads) with dFf = 4 · dModel, as in GPT-2 and GPT-3.</summary>
    /// <param name="name">Model name.</param>
    /// <param name="vocabSize">Number of token ids.</param>
    /// <param name="contextLength">Longest sequence in tokens.</param>
    /// <param name="dModel">Embedding width; numHeads must divide it.</param>
    /// <param name="numHeads">Heads per block.</param>
    /// <param name="numLayers">Blocks.</param>
    /// <param name="bias">Whether Linear and LayerNorm layers carry biases.</param>
    /// <returns>The checked configuration.</returns>
    /// <exception cref="ArgumentException"><paramref name="numHeads"/> does not divide <paramref name="dModel"/>, or a size is less than 1.</exception>
    public static TransformerConfig Create(string name, int vocabSize, int contextLength, int dModel, int numHeads, int numLayers, bool bias = true) =>
        new(name, vocabSize, contextLength, dModel, numHeads, EvenHeadDim(dModel, numHeads), 4 * dModel, numLayers, bias);

    /// <summary>The width of each head when <paramref name="numHeads"/> heads split <paramref name="dModel"/> evenly.</summary>
    /// <param name="dModel">Embedding width.</param>
    /// <param name="numHeads">Number of heads.</param>
    /// <returns>dModel / numHeads.</returns>
    /// <exception cref="ArgumentException">A size is less than 1, or numHeads does not divide dModel.</exception>
    public static int EvenHeadDim(int dModel, int numHeads)
    {
        Positive(dModel, nameof(dModel));
        Positive(numHeads, nameof(numHeads));
        if (dModel % numHeads != 0)
            throw new ArgumentException($"numHeads = {numHeads} does not divide dModel = {dModel}: every head needs dModel / numHeads dimensions.", nameof(numHeads));
        return dModel / numHeads;
    }

    /// <summary>Model name, for example "GPT-3 175B".</summary>
    public string Name
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A configuration needs a name.", nameof(Name)) : value;
    } = "";

    /// <summary>Number of token ids.</summary>
    public int VocabSize { get; init => field = Positive(value, nameof(VocabSize)); }

    /// <summary>Longest sequence in tokens: the number of (learned or fixed) positions.</summary>
    public int ContextLength { get; init => field = Positive(value, nameof(ContextLength)); }

    /// <summary>Embedding width: the size of every vector on the residual stream.</summary>
    public int DModel { get; init => field = Positive(value, nameof(DModel)); }

    /// <summary>Attention heads per block.</summary>
    public int NumHeads { get; init => field = Positive(value, nameof(NumHeads)); }

    /// <summary>Query, key and value width of one head (d_k).</summary>
    public int HeadDim { get; init => field = Positive(value, nameof(HeadDim)); }

    /// <summary>Hidden width of the feed-forward (MLP) block.</summary>
    public int DFf { get; init => field = Positive(value, nameof(DFf)); }

    /// <summary>Number of transformer blocks.</summary>
    public int NumLayers { get; init => field = Positive(value, nameof(NumLayers)); }

    /// <summary>Whether Linear and LayerNorm layers carry biases.</summary>
    public bool Bias { get; init; }

    /// <summary>The parameter count the authors report, when known.</summary>
    public long? ReportedParameters
    {
        get;
        init => field = value < 0 ? throw new ArgumentException($"ReportedParameters is {value}; a count cannot be negative.", nameof(ReportedParameters)) : value;
    }

    private static int Positive(int value, string name) =>
        value >= 1 ? value : throw new ArgumentException($"{name} is {value}; it must be at least 1.", name);
}
