using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// 3Blue1Brown's mystery-novel example: at "… therefore the murderer was", the last position must gather
/// information from the whole context to predict the next word. A hand-built "who did it?" head lets the final
/// word look back at every piece of evidence, and its values carry whom each piece points at, so the final
/// vector ends up pointing at the culprit.
/// </summary>
/// <remarks>
/// Embeddings: seeded random vectors (width <see cref="DModel"/>) for every word, plus named directions: one
/// per suspect (the butler, the gardener, the maid), "evidence" on words that incriminate or clear someone, and
/// "asking" on the final word. An evidence word carries the identity of the suspect it concerns, +1 if it points
/// at them and −1 if it clears them, as earlier layers would have written into "fingerprints" from "the
/// gardener 's". The story has neutral mentions (every suspect's name, with no evidence) and a red herring (the
/// butler's torn glove, outweighed once his alibi and the gardener's two clues are counted).
/// </remarks>
public static class MysteryNovel
{
    /// <summary>Embedding width.</summary>
    public const int DModel = 32;

    private const int EvidenceDim = 0, AskingDim = 1, FirstSuspectDim = 2;

    /// <summary>The story, as words; it ends with "was".</summary>
    public static IReadOnlyList<string> Story { get; } =
        ("the gardener trimmed roses while the butler polished the silver and the maid slept . " +
         "at midnight a scream rang out . a torn glove of the butler lay in the hall , but the butler had an alibi . " +
         "the knife in the library carried the gardener 's fingerprints and his muddy boots stood by the door . " +
         "therefore the murderer was").Split(' ');

    /// <summary>The suspects, in the order of their named directions.</summary>
    public static IReadOnlyList<string> Suspects { get; } = ["butler", "gardener", "maid"];

    /// <summary>The words that bear on a suspect: whom they concern, and +1 (points at) or −1 (clears).</summary>
    public static IReadOnlyDictionary<string, (string Suspect, int Sign)> Evidence { get; } =
        new Dictionary<string, (string, int)>(StringComparer.Ordinal)
        {
            ["glove"] = ("butler", +1),
            ["alibi"] = ("butler", -1),
            ["fingerprints"] = ("gardener", +1),
            ["boots"] = ("gardener", +1),
        };

    /// <summary>The red herring: evidence against a suspect who did not do it.</summary>
    public static string RedHerring => "glove";

    /// <summary>Who did it.</summary>
    public static string Culprit => "gardener";

    /// <summary>Index of a suspect's named direction.</summary>
    /// <param name="suspect">One of <see cref="Suspects"/>.</param>
    /// <exception cref="KeyNotFoundException">Not a suspect.</exception>
    public static int SuspectDimension(string suspect)
    {
        int i = Suspects.ToList().IndexOf(suspect);
        return i >= 0 ? FirstSuspectDim + i : throw new KeyNotFoundException($"\"{suspect}\" is not a suspect; suspects: {string.Join(", ", Suspects)}.");
    }

    /// <summary>Embeddings of the story: random word vectors plus the named directions.</summary>
    /// <param name="seed">Seed of the random word vectors.</param>
    /// <returns>Shape (story length, <see cref="DModel"/>).</returns>
    public static Matrix<float> Embed(int seed = 7)
    {
        var vocabulary = Story.Distinct().ToArray();
        var table = TokenEmbedding.Random(vocabulary, DModel, seed);
        var e = table.Embed(Story) * 0.3f; // (seqLen, DModel)
        for (int i = 0; i < Story.Count; i++)
        {
            for (int d = 0; d < FirstSuspectDim + Suspects.Count; d++) e[i, d] = 0f;
            if (Suspects.Contains(Story[i])) e[i, SuspectDimension(Story[i])] = 1f; // a neutral mention
            if (Evidence.TryGetValue(Story[i], out var ev))
            {
                e[i, EvidenceDim] = 1f;
                e[i, SuspectDimension(ev.Suspect)] = ev.Sign;
            }
        }
        e[Story.Count - 1, AskingDim] = 1f;
        return e;
    }

    /// <summary>
    /// The "who did it?" head: q · k = s² · asking_i · evidence_j, so the last word attends to the evidence;
    /// value-down reads the suspect directions and value-up writes them back, so Δe of the last word is the
    /// evidence's average verdict.
    /// </summary>
    /// <param name="sharpness">s, how decisively the asking word prefers evidence.</param>
    /// <exception cref="ArgumentOutOfRangeException">sharpness is not positive.</exception>
    public static AttentionHead WhoDidItHead(float sharpness = 5f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sharpness);
        int dK = Suspects.Count;
        var wQ = Matrix<float>.Build.Dense(dK, DModel);
        var wK = Matrix<float>.Build.Dense(dK, DModel);
        wQ[0, AskingDim] = sharpness;
        wK[0, EvidenceDim] = sharpness;
        var wDown = Matrix<float>.Build.Dense(dK, DModel);
        var wUp = Matrix<float>.Build.Dense(DModel, dK);
        for (int r = 0; r < dK; r++)
        {
            wDown[r, FirstSuspectDim + r] = 1f;
            wUp[FirstSuspectDim + r, r] = 1f;
        }
        return new AttentionHead(wQ, wK, wDown, wUp);
    }

    /// <summary>The last word's projection on each suspect's direction, before and after the head (causal).</summary>
    /// <param name="head">A head of this space; <see cref="WhoDidItHead"/> by default.</param>
    /// <returns>One row per suspect, in the order of <see cref="Suspects"/>.</returns>
    public static IReadOnlyList<(string Suspect, double Before, double After)> Verdict(AttentionHead? head = null)
    {
        var e = Embed();
        var after = e + (head ?? WhoDidItHead()).Forward(e, isCausal: true).DeltaE; // (seqLen, DModel)
        int last = Story.Count - 1;
        return Suspects.Select(s => (s, (double)e[last, SuspectDimension(s)], (double)after[last, SuspectDimension(s)])).ToArray();
    }
}
