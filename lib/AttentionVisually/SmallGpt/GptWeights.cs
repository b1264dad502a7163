using System.Globalization;
using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.SmallGpt;

/// <summary>
/// The weights of one pre-LayerNorm GPT block in PyTorch's (dOut, dIn) orientation: LayerNorm, one Linear
/// making every head's query, key and value (rows: all wQ, then all wK, then all value-down maps), the output
/// Linear (columns: every head's value-up map), LayerNorm, feed-forward.
/// </summary>
/// <param name="Norm1">LayerNorm before attention.</param>
/// <param name="WQkv">(3 numHeads headDim, dModel).</param>
/// <param name="BQkv">Length 3 numHeads headDim.</param>
/// <param name="WOut">(dModel, numHeads headDim).</param>
/// <param name="BOut">Length dModel.</param>
/// <param name="Norm2">LayerNorm before the feed-forward block.</param>
/// <param name="FeedForward">The feed-forward block.</param>
public sealed record GptBlockWeights(LayerNormWeights Norm1, Matrix<float> WQkv, Vector<float> BQkv, Matrix<float> WOut, Vector<float> BOut, LayerNormWeights Norm2, FeedForwardWeights FeedForward)
{
    /// <summary>Head <paramref name="head"/>'s query matrix W_Q, (headDim, dModel).</summary>
    /// <param name="head">The head, 0-based.</param>
    /// <param name="headDim">Width of a head.</param>
    /// <returns>A copy of its rows of <see cref="WQkv"/>.</returns>
    public Matrix<float> WQ(int head, int headDim) => WQkv.SubMatrix(head * headDim, headDim, 0, WQkv.ColumnCount);

    /// <summary>Head <paramref name="head"/>'s key matrix W_K, (headDim, dModel).</summary>
    /// <param name="head">The head, 0-based.</param>
    /// <param name="headDim">Width of a head.</param>
    /// <returns>A copy of its rows of <see cref="WQkv"/>.</returns>
    public Matrix<float> WK(int head, int headDim) => WQkv.SubMatrix(WOut.ColumnCount + head * headDim, headDim, 0, WQkv.ColumnCount);
}

/// <summary>
/// Every weight of the course's small GPT, as the managed forward pass (<see cref="SmallGptModel"/>) uses them and
/// as the checkpoint in <c>data/</c> stores them. Tensor names are TorchSharp's state_dict names of
/// <c>TorchGptModel</c> (<c>tokens.weight</c>, <c>blocks.0.attention.qkv.weight</c>, …), so the file loads
/// there, and in any safetensors reader, unchanged.
/// </summary>
public sealed class GptWeights
{
    /// <summary>Groups the weights, checking every shape against the configuration.</summary>
    /// <param name="config">The model's sizes.</param>
    /// <param name="tokenEmbedding">(vocabSize, dModel); also the unembedding (tied, as in GPT-2).</param>
    /// <param name="positionEmbedding">(contextLength, dModel).</param>
    /// <param name="blocks">numLayers blocks.</param>
    /// <param name="finalNorm">The LayerNorm before the unembedding.</param>
    /// <exception cref="ArgumentException">A shape disagrees with the configuration; the message names the tensor.</exception>
    public GptWeights(TransformerConfig config, Matrix<float> tokenEmbedding, Matrix<float> positionEmbedding, IReadOnlyList<GptBlockWeights> blocks, LayerNormWeights finalNorm)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(finalNorm);
        Config = config;
        if (blocks.Count != config.NumLayers)
            throw new ArgumentException($"blocks has {blocks.Count} entries but the configuration has {config.NumLayers} layers.", nameof(blocks));
        var expected = ExpectedShapes(config);
        var given = ToTensors(tokenEmbedding, positionEmbedding, blocks, finalNorm);
        foreach (var (name, tensor) in given)
        {
            var shape = expected[name];
            if (!shape.SequenceEqual(tensor.Shape))
                throw new ArgumentException($"tensor \"{name}\" has shape ({string.Join(", ", tensor.Shape)}) but the configuration needs ({string.Join(", ", shape)}).", name);
        }
        TokenEmbedding = tokenEmbedding;
        PositionEmbedding = positionEmbedding;
        Blocks = blocks;
        FinalNorm = finalNorm;
    }

    /// <summary>The model's sizes.</summary>
    public TransformerConfig Config { get; }

    /// <summary>Token embedding and unembedding, (vocabSize, dModel).</summary>
    public Matrix<float> TokenEmbedding { get; }

    /// <summary>Learned position embedding, (contextLength, dModel).</summary>
    public Matrix<float> PositionEmbedding { get; }

    /// <summary>The blocks, first to last.</summary>
    public IReadOnlyList<GptBlockWeights> Blocks { get; }

    /// <summary>The LayerNorm before the unembedding.</summary>
    public LayerNormWeights FinalNorm { get; }

    /// <summary>The checkpoint's tensor names and shapes for a configuration, in file order.</summary>
    /// <param name="config">The model's sizes.</param>
    /// <returns>Name → shape.</returns>
    public static IReadOnlyDictionary<string, int[]> ExpectedShapes(TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int d = config.DModel, inner = config.NumHeads * config.HeadDim;
        var shapes = new Dictionary<string, int[]>(StringComparer.Ordinal)
        {
            ["tokens.weight"] = [config.VocabSize, d],
            ["positions.weight"] = [config.ContextLength, d],
        };
        for (int l = 0; l < config.NumLayers; l++)
        {
            string p = $"blocks.{l}.";
            shapes[p + "norm1.weight"] = [d];
            shapes[p + "norm1.bias"] = [d];
            shapes[p + "attention.qkv.weight"] = [3 * inner, d];
            shapes[p + "attention.qkv.bias"] = [3 * inner];
            shapes[p + "attention.output.weight"] = [d, inner];
            shapes[p + "attention.output.bias"] = [d];
            shapes[p + "norm2.weight"] = [d];
            shapes[p + "norm2.bias"] = [d];
            shapes[p + "feedForward.up.weight"] = [config.DFf, d];
            shapes[p + "feedForward.up.bias"] = [config.DFf];
            shapes[p + "feedForward.down.weight"] = [d, config.DFf];
            shapes[p + "feedForward.down.bias"] = [d];
        }
        shapes["finalNorm.weight"] = [d];
        shapes["finalNorm.bias"] = [d];
        return shapes;
    }

    /// <summary>The weights as named row-major tensors, in file order.</summary>
    /// <returns>Name → tensor.</returns>
    public IReadOnlyList<KeyValuePair<string, NamedTensor>> ToTensors() => ToTensors(TokenEmbedding, PositionEmbedding, Blocks, FinalNorm);

    /// <summary>Builds weights from named row-major tensors (a safetensors file, or TorchSharp's state_dict).</summary>
    /// <param name="config">The model's sizes.</param>
    /// <param name="tensors">Name → tensor; every name of <see cref="ExpectedShapes"/> must be present with its shape.</param>
    /// <param name="source">Where the tensors came from (a file path), for messages.</param>
    /// <returns>The weights.</returns>
    /// <exception cref="InvalidDataException">A tensor is missing or has the wrong shape; the message names the source and the tensor.</exception>
    public static GptWeights FromTensors(TransformerConfig config, IReadOnlyDictionary<string, NamedTensor> tensors, string source)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (var (name, shape) in ExpectedShapes(config))
        {
            if (!tensors.TryGetValue(name, out var t))
                throw new InvalidDataException($"{source}: tensor \"{name}\" is missing (a {config.NumLayers}-layer model with dModel {config.DModel} needs it).");
            if (!t.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{source}: tensor \"{name}\" has shape ({string.Join(", ", t.Shape)}) but ({string.Join(", ", shape)}) was expected.");
        }
        Matrix<float> M(string n) => Matrix<float>.Build.DenseOfRowMajor(tensors[n].Shape[0], tensors[n].Shape[1], tensors[n].Values);
        Vector<float> V(string n) => Vector<float>.Build.DenseOfArray((float[])tensors[n].Values.Clone());
        LayerNormWeights Norm(string n) => new(V(n + ".weight"), V(n + ".bias"));
        var blocks = Enumerable.Range(0, config.NumLayers).Select(l =>
        {
            string p = $"blocks.{l}.";
            return new GptBlockWeights(
                Norm(p + "norm1"), M(p + "attention.qkv.weight"), V(p + "attention.qkv.bias"), M(p + "attention.output.weight"), V(p + "attention.output.bias"),
                Norm(p + "norm2"), new FeedForwardWeights(M(p + "feedForward.up.weight"), V(p + "feedForward.up.bias"), M(p + "feedForward.down.weight"), V(p + "feedForward.down.bias")));
        }).ToArray();
        return new GptWeights(config, M("tokens.weight"), M("positions.weight"), blocks, Norm("finalNorm"));
    }

    /// <summary>Writes the weights and the configuration (plus any extra metadata) as a safetensors file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="metadata">Extra strings for the header (training settings, the vocabulary, the losses).</param>
    public void Save(string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var all = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (k, v) in ConfigMetadata(Config))
        {
            all[k] = v;
        }
        SafeTensors.Write(path, ToTensors(), all);
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/> (or any safetensors file with the same names and metadata).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The weights and the file's metadata.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not safetensors, is truncated, lacks the configuration, or a tensor is missing or has the wrong shape; the message names the file and the tensor.</exception>
    public static (GptWeights Weights, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Read(path);
        var config = ConfigFrom(metadata, path);
        return (FromTensors(config, tensors, path), metadata);
    }

    /// <summary>The configuration as header strings (snake_case, as Hugging Face's config.json spells them).</summary>
    /// <param name="config">The model's sizes.</param>
    /// <returns>Key → value.</returns>
    public static IReadOnlyDictionary<string, string> ConfigMetadata(TransformerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string S(int v) => v.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["name"] = config.Name,
            ["vocab_size"] = S(config.VocabSize),
            ["context_length"] = S(config.ContextLength),
            ["d_model"] = S(config.DModel),
            ["num_heads"] = S(config.NumHeads),
            ["head_dim"] = S(config.HeadDim),
            ["d_ff"] = S(config.DFf),
            ["num_layers"] = S(config.NumLayers),
        };
    }

    private static TransformerConfig ConfigFrom(IReadOnlyDictionary<string, string> metadata, string path)
    {
        int Int(string key) => metadata.TryGetValue(key, out var s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new InvalidDataException($"{path}: the metadata lacks an integer \"{key}\"; it is not a checkpoint of the course's GPT.");
        string name = metadata.TryGetValue("name", out var n) ? n : Path.GetFileNameWithoutExtension(path);
        return new TransformerConfig(name, Int("vocab_size"), Int("context_length"), Int("d_model"), Int("num_heads"), Int("head_dim"), Int("d_ff"), Int("num_layers"));
    }

    private static List<KeyValuePair<string, NamedTensor>> ToTensors(Matrix<float> tokenEmbedding, Matrix<float> positionEmbedding, IReadOnlyList<GptBlockWeights> blocks, LayerNormWeights finalNorm)
    {
        ArgumentNullException.ThrowIfNull(tokenEmbedding);
        ArgumentNullException.ThrowIfNull(positionEmbedding);
        var list = new List<KeyValuePair<string, NamedTensor>>();
        void M(string n, Matrix<float> m) => list.Add(new(n, new NamedTensor([m.RowCount, m.ColumnCount], m.ToRowMajorArray())));
        void V(string n, Vector<float> v) => list.Add(new(n, new NamedTensor([v.Count], v.ToArray())));
        M("tokens.weight", tokenEmbedding);
        M("positions.weight", positionEmbedding);
        for (int l = 0; l < blocks.Count; l++)
        {
            string p = $"blocks.{l}.";
            var b = blocks[l];
            V(p + "norm1.weight", b.Norm1.Gamma);
            V(p + "norm1.bias", b.Norm1.Beta);
            M(p + "attention.qkv.weight", b.WQkv);
            V(p + "attention.qkv.bias", b.BQkv);
            M(p + "attention.output.weight", b.WOut);
            V(p + "attention.output.bias", b.BOut);
            V(p + "norm2.weight", b.Norm2.Gamma);
            V(p + "norm2.bias", b.Norm2.Beta);
            M(p + "feedForward.up.weight", b.FeedForward.WUp);
            V(p + "feedForward.up.bias", b.FeedForward.BUp);
            M(p + "feedForward.down.weight", b.FeedForward.WDown);
            V(p + "feedForward.down.bias", b.FeedForward.BDown);
        }
        V("finalNorm.weight", finalNorm.Gamma);
        V("finalNorm.bias", finalNorm.Beta);
        return list;
    }
}
