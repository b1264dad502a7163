using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// A toy bilingual space for cross-attention: English and French words that mean the same thing share
/// a "meaning" direction ("I do not want to pet it" / "Je ne veux pas le caresser"). A head whose
/// queries come from the French sentence and whose keys come from the English one lines the two up.
/// </summary>
public static class Translation
{
    /// <summary>The meaning directions, in order.</summary>
    public static IReadOnlyList<string> Meanings { get; } = ["I", "do (auxiliary)", "not", "want", "to", "pet", "it"];

    /// <summary>The English sentence, as tokens.</summary>
    public static IReadOnlyList<string> English { get; } = "I do not want to pet it".Split(' ');

    /// <summary>The French sentence, as tokens.</summary>
    public static IReadOnlyList<string> French { get; } = "Je ne veux pas le caresser".Split(' ');

    private static readonly Dictionary<string, string> MeaningOf = new(StringComparer.Ordinal)
    {
        ["I"] = "I", ["do"] = "do (auxiliary)", ["not"] = "not", ["want"] = "want", ["to"] = "to", ["pet"] = "pet", ["it"] = "it",
        ["Je"] = "I", ["ne"] = "not", ["veux"] = "want", ["pas"] = "not", ["le"] = "it", ["caresser"] = "pet",
    };

    /// <summary>Embeddings of a sentence of either language: one-hot on the word's meaning.</summary>
    /// <param name="tokens">Words of either sentence.</param>
    /// <returns>Shape (seqLen, number of meanings).</returns>
    /// <exception cref="ArgumentException">The sentence is empty.</exception>
    /// <exception cref="KeyNotFoundException">A word has no meaning in the table.</exception>
    public static Matrix<float> Embed(IReadOnlyList<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.Count == 0) throw new ArgumentException("tokens is empty.", nameof(tokens));
        var e = Matrix<float>.Build.Dense(tokens.Count, Meanings.Count);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!MeaningOf.TryGetValue(tokens[i], out var meaning))
                throw new KeyNotFoundException($"\"{tokens[i]}\" is not in the toy dictionary.");
            e[i, Meanings.ToList().IndexOf(meaning)] = 1f;
        }
        return e;
    }

    /// <summary>A cross-attention head whose query and key maps both read the meaning: q · k = s² when meanings agree.</summary>
    /// <param name="sharpness">s; larger makes the alignment crisper (s² = 16 by default).</param>
    public static AttentionHead AlignmentHead(float sharpness = 4f)
    {
        int d = Meanings.Count;
        var m = Matrix<float>.Build.DenseIdentity(d) * sharpness;
        return new AttentionHead(m, m, Matrix<float>.Build.DenseIdentity(d), Matrix<float>.Build.DenseIdentity(d));
    }
}
