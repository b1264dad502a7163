using System.Globalization;
using nietras.SeparatedValues;

namespace AttentionVisually;

/// <summary>One named part of a model and its parameter count, for tables and charts.</summary>
/// <param name="Part">What the parameters are, for example "attention: W_Q".</param>
/// <param name="Parameters">How many there are in the whole model.</param>
public sealed record ParameterPart(string Part, long Parameters);

/// <summary>
/// Parameter and memory counts for a <see cref="TransformerConfig"/>, derived from the shapes of its matrices.
/// </summary>
/// <remarks>
/// Attention, per head: W_Q, W_K and value-down are (dK × dModel), value-up is (dModel × dK): 4 · dModel · dK.
/// With biases, the query, key and value projections carry a bias of dK each per head, and the output
/// projection one of dModel per block. Feed-forward: (dModel × dFf) and (dFf × dModel), biases dFf + dModel.
/// Layer norms (gain and bias): two per block and one at the end. Embeddings: a token table and a learned
/// position table, the unembedding shares the token table (as in GPT-2 and GPT-3).
/// </remarks>
public static class Sizing
{
    /// <summary>Parameters of one query (or key, value-down, value-up) matrix: dK · dModel.</summary>
    /// <param name="c">The configuration.</param>
    public static long QueryMatrix(TransformerConfig c) => Product("parameters of one query matrix", nameof(c), Check(c).HeadDim, c.DModel);

    /// <summary>Parameters of one head without biases: 4 · dK · dModel.</summary>
    /// <param name="c">The configuration.</param>
    public static long PerHead(TransformerConfig c) => Product("parameters of one head", nameof(c), 4, QueryMatrix(c));

    /// <summary>Parameters of one multi-head attention block.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="withBiases">Include the projection biases.</param>
    public static long AttentionBlock(TransformerConfig c, bool withBiases = false) =>
        Sum("parameters of one attention block", nameof(c), Product("parameters of one attention block", nameof(c), c.NumHeads, PerHead(c)), withBiases ? 3L * c.NumHeads * c.HeadDim + c.DModel : 0);

    /// <summary>Parameters of all attention blocks of the model.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="withBiases">Include the projection biases.</param>
    public static long AllAttention(TransformerConfig c, bool withBiases = false) => Product("parameters of all attention blocks", nameof(c), c.NumLayers, AttentionBlock(c, withBiases));

    /// <summary>Parameters of one feed-forward block.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="withBiases">Include the biases.</param>
    public static long FeedForwardBlock(TransformerConfig c, bool withBiases = false) =>
        Sum("parameters of one feed-forward block", nameof(c), Product("parameters of one feed-forward block", nameof(c), 2, Check(c).DModel, c.DFf), withBiases ? (long)c.DFf + c.DModel : 0);

    /// <summary>Parameters of every layer norm (gain and bias): two per block and one final.</summary>
    /// <param name="c">The configuration.</param>
    public static long LayerNorms(TransformerConfig c) => Product("layer-norm parameters", nameof(c), 2L * Check(c).NumLayers + 1, 2, c.DModel);

    /// <summary>Parameters of the token table (vocabSize · dModel) and the position table (context · dModel).</summary>
    /// <param name="c">The configuration.</param>
    public static long Embeddings(TransformerConfig c) => Product("embedding parameters", nameof(c), (long)Check(c).VocabSize + c.ContextLength, c.DModel);

    /// <summary>Where the parameters of the whole model live.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="withBiases">Include biases and layer norms.</param>
    /// <returns>Named parts whose counts add up to <see cref="Total"/>.</returns>
    public static IReadOnlyList<ParameterPart> Breakdown(TransformerConfig c, bool withBiases = true)
    {
        Check(c);
        long perMatrixAllLayers = Product("parameters of one attention matrix in all layers", nameof(c), c.NumLayers, c.NumHeads, QueryMatrix(c));
        var parts = new List<ParameterPart>
        {
            new("token embedding", Product("token-embedding parameters", nameof(c), c.VocabSize, c.DModel)),
            new("position embedding", Product("position-embedding parameters", nameof(c), c.ContextLength, c.DModel)),
            new("attention: W_Q", perMatrixAllLayers),
            new("attention: W_K", perMatrixAllLayers),
            new("attention: value-down", perMatrixAllLayers),
            new("attention: value-up (W_O)", perMatrixAllLayers),
            new("feed-forward", Product("feed-forward parameters", nameof(c), c.NumLayers, FeedForwardBlock(c, withBiases: false))),
        };
        if (withBiases)
        {
            parts.Add(new("attention biases", AllAttention(c, true) - AllAttention(c, false)));
            parts.Add(new("feed-forward biases", Product("feed-forward biases", nameof(c), c.NumLayers, (long)c.DFf + c.DModel)));
            parts.Add(new("layer norms", LayerNorms(c)));
        }
        return parts;
    }

    /// <summary>Parameters of the whole model.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="withBiases">Include biases and layer norms.</param>
    public static long Total(TransformerConfig c, bool withBiases = true) =>
        Breakdown(c, withBiases).Aggregate(0L, (total, p) => Sum("parameters of the model", nameof(c), total, p.Parameters));

    /// <summary>The share of the model's parameters that sit in attention.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="withBiases">Include biases and layer norms.</param>
    public static double AttentionShare(TransformerConfig c, bool withBiases = true) =>
        (double)AllAttention(c, withBiases) / Total(c, withBiases);

    /// <summary>Bytes of one attention pattern: seqLen² weights.</summary>
    /// <param name="seqLen">Context length, at least 1.</param>
    /// <param name="bytesPerElement">4 for fp32, 2 for fp16.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the count does not fit a long.</exception>
    public static long PatternBytes(long seqLen, int bytesPerElement = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerElement, 1);
        return Product("bytes of one attention pattern (seqLen² × bytesPerElement)", nameof(seqLen), seqLen, seqLen, bytesPerElement);
    }

    /// <summary>Bytes of every attention pattern of one forward pass: one per head per layer.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="seqLen">Context length, at least 1.</param>
    /// <param name="bytesPerElement">4 for fp32, 2 for fp16.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the count does not fit a long.</exception>
    public static long AllPatternsBytes(TransformerConfig c, long seqLen, int bytesPerElement = 4) =>
        Product("bytes of every attention pattern (layers × numHeads × seqLen² × bytesPerElement)", nameof(seqLen), Check(c).NumLayers, c.NumHeads, PatternBytes(seqLen, bytesPerElement));

    /// <summary>Bytes of a KV cache: a key and a value of width numHeads · dK per token per layer.</summary>
    /// <param name="c">The configuration.</param>
    /// <param name="seqLen">Tokens cached, at least 1.</param>
    /// <param name="bytesPerElement">2 for fp16 (the usual), 4 for fp32.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or the count does not fit a long.</exception>
    public static long KvCacheBytes(TransformerConfig c, long seqLen, int bytesPerElement = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerElement, 1);
        return Product("bytes of the KV cache (2 × layers × seqLen × numHeads × dK × bytesPerElement)", nameof(seqLen), 2, Check(c).NumLayers, seqLen, c.NumHeads, c.HeadDim, bytesPerElement);
    }

    /// <summary>A product of non-negative counts, refused (naming it and its factors) when it does not fit a long.</summary>
    private static long Product(string what, string param, params long[] factors)
    {
        long product = 1;
        foreach (long f in factors)
        {
            if (f != 0 && product > long.MaxValue / f)
            {
                double approx = factors.Aggregate(1.0, (p, x) => p * x);
                throw new ArgumentOutOfRangeException(param, string.Create(CultureInfo.InvariantCulture,
                    $"the {what} = {string.Join(" × ", factors)} ≈ {approx:G3}, more than a 64-bit count holds ({long.MaxValue:G3}); use smaller sizes."));
            }
            product *= f;
        }
        return product;
    }

    /// <summary>A sum of non-negative counts, refused when it does not fit a long.</summary>
    private static long Sum(string what, string param, long a, long b) =>
        a > long.MaxValue - b
            ? throw new ArgumentOutOfRangeException(param, string.Create(CultureInfo.InvariantCulture, $"the {what} ≈ {(double)a + b:G3}, more than a 64-bit count holds; use smaller sizes."))
            : a + b;

    private static TransformerConfig Check(TransformerConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return c;
    }
}

/// <summary>Reads model configurations from <c>data/models.csv</c> (columns described in <c>data/README.md</c>).</summary>
public static class ModelCatalog
{
    private static readonly string[] Columns = ["name", "family", "reported_params", "layers", "d_model", "heads", "d_head", "d_ff", "vocab", "context"];

    /// <summary>Every configuration in the course's <c>data/models.csv</c>.</summary>
    /// <exception cref="FileNotFoundException">The course's data folder cannot be found.</exception>
    public static IReadOnlyList<TransformerConfig> All() => Load(Path.Combine(CoursePaths.Data, "models.csv"));

    /// <summary>The configuration with the given name, for example "GPT-3 175B" or "GPT-2 small".</summary>
    /// <param name="name">A name of <c>data/models.csv</c>.</param>
    /// <exception cref="KeyNotFoundException">No row has that name; the message lists the names.</exception>
    public static TransformerConfig Get(string name)
    {
        var all = All();
        return all.FirstOrDefault(c => c.Name == name)
            ?? throw new KeyNotFoundException($"no model named \"{name}\" in data/models.csv; known: {string.Join(", ", all.Select(c => c.Name))}.");
    }

    /// <summary>Reads configurations from a CSV file with the columns of <c>data/models.csv</c>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A column is missing, a value is not a whole number or a size is not positive; the message gives the file and line.</exception>
    public static IReadOnlyList<TransformerConfig> Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model table not found: {path}", path);
        using var reader = Sep.Reader(o => o with { CultureInfo = CultureInfo.InvariantCulture }).FromFile(path);
        foreach (string column in Columns)
        {
            if (!reader.Header.TryIndexOf(column, out _)) throw new FormatException($"{path}: column \"{column}\" is missing from the header.");
        }
        var result = new List<TransformerConfig>();
        foreach (var row in reader)
        {
            int line = row.LineNumberFrom;
            var field = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string column in Columns) field[column] = row[column].ToString();
            string Text(string column) => field[column];
            long Whole(string column) => long.TryParse(field[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v
                : throw new FormatException($"{path}, line {line}: {column} = \"{field[column]}\" is not a whole number.");
            int Size(string column)
            {
                long v = Whole(column);
                return v is >= int.MinValue and <= int.MaxValue ? (int)v
                    : throw new FormatException($"{path}, line {line}: {column} = {v} does not fit a 32-bit size.");
            }
            try
            {
                result.Add(new TransformerConfig(Text("name"), vocabSize: Size("vocab"), contextLength: Size("context"), dModel: Size("d_model"),
                    numHeads: Size("heads"), headDim: Size("d_head"), dFf: Size("d_ff"), numLayers: Size("layers"),
                    bias: true, reportedParameters: Whole("reported_params")));
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"{path}, line {line}: {e.Message}", e);
            }
        }
        if (result.Count == 0) throw new FormatException($"{path} holds no model.");
        return result;
    }
}

/// <summary>Locates the course's folders from wherever the code runs (tests, tools, notebooks).</summary>
public static class CoursePaths
{
    private static readonly Lazy<string> root = new(FindRoot);

    /// <summary>The repository root (the folder holding <c>Course.sln</c>).</summary>
    /// <exception cref="DirectoryNotFoundException">ATTENTION_COURSE_ROOT is not set to the course folder and no folder at or above the working directory or the library holds Course.sln; the message names where it searched.</exception>
    public static string Root => root.Value;

    /// <summary>The <c>data/</c> folder.</summary>
    public static string Data => Path.Combine(Root, "data");

    private static string FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("ATTENTION_COURSE_ROOT");
        if (!string.IsNullOrEmpty(env) && File.Exists(Path.Combine(env, CourseRoot.Marker))) return Path.GetFullPath(env);
        try
        {
            return CourseRoot.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory, Path.GetDirectoryName(typeof(CoursePaths).Assembly.Location) ?? "");
        }
        catch (DirectoryNotFoundException e)
        {
            throw new DirectoryNotFoundException(e.Message + " Set ATTENTION_COURSE_ROOT to the course folder.", e);
        }
    }
}
