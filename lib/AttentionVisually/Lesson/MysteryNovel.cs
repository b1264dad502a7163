using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// 3Blue1Brown's mystery-novel example: at "… therefore the murderer was", the last position must
/// gather information from the whole context to predict the next word. Here a hand-built "who did it?"
/// head lets the final token look back, past every other word, at the clues that name a suspect.
/// </summary>
/// <remarks>
/// Embeddings: seeded random vectors (width <see cref="DModel"/>) for every word, plus a "clue" direction
/// set to 1 on words that point at the culprit and an "asking" direction set on the final word. The head's
/// query reads "asking", its key reads "clue", so only the last position has a reason to reach back.
/// </remarks>
public static class MysteryNovel
{
    /// <summary>Embedding width.</summary>
    public const int DModel = 32;

    private const int Clue = 0, Asking = 1;

    /// <summary>The story, as words; it ends with "was".</summary>
    public static IReadOnlyList<string> Story { get; } =
        ("the butler polished the silver while the gardener trimmed roses . at midnight a scream rang out . " +
         "the knife in the library carried the gardener 's fingerprints and his muddy boots stood by the door . " +
         "the butler had an alibi . therefore the murderer was").Split(' ');

    /// <summary>The words that point at the culprit.</summary>
    public static IReadOnlySet<string> Clues { get; } = new HashSet<string>(StringComparer.Ordinal) { "knife", "fingerprints", "muddy", "boots", "gardener" };

    /// <summary>Embeddings of the story: random word vectors plus the clue and asking directions.</summary>
    /// <param name="seed">Seed of the random word vectors.</param>
    /// <returns>Shape (story length, <see cref="DModel"/>).</returns>
    public static Matrix<float> Embed(int seed = 7)
    {
        var vocabulary = Story.Distinct().ToArray();
        var table = TokenEmbedding.Random(vocabulary, DModel, seed);
        var e = table.Embed(Story) * 0.3f;
        for (int i = 0; i < Story.Count; i++)
        {
            e[i, Clue] = Clues.Contains(Story[i]) ? 1f : 0f;
            e[i, Asking] = i == Story.Count - 1 ? 1f : 0f;
        }
        return e; // (seqLen, DModel)
    }

    /// <summary>The "who did it?" head: q · k = s² · asking_i · clue_j (dK = 1, the value carries the clue direction).</summary>
    /// <param name="sharpness">s, how decisively the asking token prefers clues (s² = 16 by default).</param>
    public static AttentionHead WhoDidItHead(float sharpness = 4f)
    {
        var wQ = Matrix<float>.Build.Dense(1, DModel);
        var wK = Matrix<float>.Build.Dense(1, DModel);
        wQ[0, Asking] = sharpness;
        wK[0, Clue] = sharpness;
        var wDown = Matrix<float>.Build.Dense(1, DModel);
        wDown[0, Clue] = 1f;
        var wUp = Matrix<float>.Build.Dense(DModel, 1);
        wUp[Clue, 0] = 1f;
        return new AttentionHead(wQ, wK, wDown, wUp);
    }
}
