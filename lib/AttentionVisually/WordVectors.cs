using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// A small set of real word embeddings (from <c>data/word-vectors.csv</c>) for exploring directions that
/// carry meaning, such as gender or plural: average the differences of a few word pairs and you get a
/// direction along which other pairs differ too.
/// </summary>
public sealed class WordVectors
{
    private readonly Dictionary<string, Vector<float>> vectors;

    private WordVectors(Dictionary<string, Vector<float>> vectors, int dimension)
    {
        this.vectors = vectors;
        Dimension = dimension;
    }

    /// <summary>Number of words.</summary>
    public int Count => vectors.Count;

    /// <summary>Width of every vector.</summary>
    public int Dimension { get; }

    /// <summary>The words, in file order.</summary>
    public IEnumerable<string> Words => vectors.Keys;

    /// <summary>The vector of a word (a copy).</summary>
    /// <param name="word">A word of the set.</param>
    /// <exception cref="KeyNotFoundException">The word is not in the set.</exception>
    public Vector<float> this[string word] => vectors.TryGetValue(word, out var v) ? v.Clone()
        : throw new KeyNotFoundException($"\"{word}\" is not in the word-vector set ({Count} words).");

    /// <summary>Loads the course's <c>data/word-vectors.csv</c>.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    public static WordVectors Load() => Load(Path.Combine(CoursePaths.Data, "word-vectors.csv"));

    /// <summary>Loads word vectors from a CSV file: a header, then one line per word: the word, then its numbers.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="FormatException">A line has another width, a number does not parse, or a word repeats.</exception>
    public static WordVectors Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"word vectors not found: {path}", path);
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length < 2) throw new FormatException($"{path} has no word vectors.");
        int dimension = lines[0].Split(',').Length - 1;
        var result = new Dictionary<string, Vector<float>>(StringComparer.Ordinal);
        for (int n = 1; n < lines.Length; n++)
        {
            var f = lines[n].Split(',');
            if (f.Length != dimension + 1) throw new FormatException($"{path}, line {n + 1}: {f.Length - 1} numbers but the header has {dimension}.");
            var v = Vector<float>.Build.Dense(dimension);
            for (int i = 0; i < dimension; i++)
                v[i] = float.TryParse(f[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out float x) ? x
                    : throw new FormatException($"{path}, line {n + 1}: \"{f[i + 1]}\" is not a number.");
            if (!result.TryAdd(f[0], v)) throw new FormatException($"{path}, line {n + 1}: \"{f[0]}\" appears twice.");
        }
        return new WordVectors(result, dimension);
    }

    /// <summary>Writes word vectors in the format <see cref="Load(string)"/> reads.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="words">Words with their vectors, all of the same width.</param>
    /// <exception cref="ArgumentException">No words, or vectors of different widths.</exception>
    public static void Save(string path, IReadOnlyList<(string Word, Vector<float> Vector)> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0) throw new ArgumentException("words is empty.", nameof(words));
        int d = words[0].Vector.Count;
        if (words.Any(w => w.Vector.Count != d)) throw new ArgumentException("all vectors must have the same width.", nameof(words));
        using var w = new StreamWriter(path);
        w.WriteLine("word," + string.Join(",", Enumerable.Range(0, d).Select(i => $"d{i}")));
        foreach (var (word, v) in words)
            w.WriteLine(word + "," + string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))));
    }

    /// <summary>The unit direction that averages the differences second − first over the given pairs.</summary>
    /// <param name="pairs">Word pairs, such as ("man", "woman").</param>
    /// <returns>A unit vector.</returns>
    /// <exception cref="ArgumentException">No pairs.</exception>
    /// <exception cref="KeyNotFoundException">A word is not in the set.</exception>
    public Vector<float> Direction(params (string First, string Second)[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Length == 0) throw new ArgumentException("pairs is empty: a direction needs at least one pair.", nameof(pairs));
        var sum = Vector<float>.Build.Dense(Dimension);
        foreach (var (a, b) in pairs) sum += this[b] - this[a];
        return sum / (float)sum.L2Norm();
    }

    /// <summary>The dot product of two vectors (the coordinate of a along b when b is a unit vector).</summary>
    /// <param name="a">A vector.</param>
    /// <param name="b">A vector of the same width.</param>
    public static double Dot(Vector<float> a, Vector<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"b has {b.Count} entries but a has {a.Count}.", nameof(b));
        return a.DotProduct(b);
    }

    /// <summary>The cosine of the angle between two vectors: 1 same direction, 0 unrelated, −1 opposite.</summary>
    /// <param name="a">A non-zero vector.</param>
    /// <param name="b">A non-zero vector of the same width.</param>
    /// <exception cref="ArgumentException">Different widths or a zero vector.</exception>
    public static double Cosine(Vector<float> a, Vector<float> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count) throw new ArgumentException($"b has length {b.Count} but a has length {a.Count}.", nameof(b));
        double dot = 0, aa = 0, bb = 0; // in double: sums of hundreds of float products lose digits otherwise
        for (int i = 0; i < a.Count; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        if (aa == 0 || bb == 0) throw new ArgumentException("a or b is the zero vector; its direction is undefined.", aa == 0 ? nameof(a) : nameof(b));
        return Math.Clamp(dot / Math.Sqrt(aa * bb), -1.0, 1.0);
    }
}
