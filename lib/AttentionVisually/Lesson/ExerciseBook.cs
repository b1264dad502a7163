namespace AttentionVisually.Lesson;

/// <summary>
/// The course's list of exercises, chapter by chapter, and what the learner has done in this kernel session:
/// each chapter ends with <see cref="Done"/>, "exercises done: k of n".
/// </summary>
/// <remarks>
/// A build-it exercise counts as done when its check passed on the learner's latest attempt; a prediction counts
/// as done once the learner has committed to an answer before the reveal (right or wrong: predicting is the exercise).
/// </remarks>
public static class ExerciseBook
{
    private static readonly (string Id, string Title)[] Catalog =
    [
        ("00.queries-axis", "which axis holds the queries"),
        ("01.gpt2-table", "GPT-2 small's embedding table"),
        ("02.forest-prediction", "predict forest's best key"),
        ("02.scores", "the grid of dot products"),
        ("03.temperature-prediction", "predict the pattern as T → 0"),
        ("03.softmax", "a stable softmax over keys with 1/√d_k and a temperature"),
        ("04.causal-mask", "the causal pattern"),
        ("04.memory-prediction", "predict the pattern's memory when the context doubles"),
        ("04.online-softmax", "online softmax for one query"),
        ("05.update", "Δe and e′ = e + Δe"),
        ("06.multi-head", "a multi-head block through W_O"),
        ("07.mlp-neurons", "hidden neurons in one MLP of GPT-3"),
        ("08.gpt2-attention", "GPT-2 small's attention parameters"),
        ("09.pair-growth", "causal pairs when the context doubles"),
        ("10.pattern-count", "patterns in one forward pass"),
        ("11.lift", "the adjective head's lift on a control sentence"),
    ];

    private static readonly object Gate = new();
    private static readonly HashSet<string> DoneIds = [];
    private static readonly Dictionary<string, int> AttemptCounts = [];

    /// <summary>Every exercise id of the course, in chapter order.</summary>
    public static IReadOnlyList<string> Ids => Catalog.Select(c => c.Id).ToArray();

    /// <summary>The ids of one chapter's exercises.</summary>
    /// <param name="chapter">The chapter's two-digit number, e.g. "02".</param>
    /// <returns>The ids, possibly none.</returns>
    public static IReadOnlyList<string> OfChapter(string chapter) =>
        Catalog.Where(c => c.Id.StartsWith(chapter + ".", StringComparison.Ordinal)).Select(c => c.Id).ToArray();

    /// <summary>The one-line progress report that ends a chapter.</summary>
    /// <param name="chapter">The chapter's two-digit number, e.g. "02".</param>
    /// <returns>"exercises done: k of n", then each exercise marked done (✓) or not yet (·).</returns>
    /// <exception cref="ArgumentException">The chapter has no exercises.</exception>
    public static string Done(string chapter)
    {
        var ids = Catalog.Where(c => c.Id.StartsWith(chapter + ".", StringComparison.Ordinal)).ToArray();
        if (ids.Length == 0) throw new ArgumentException($"chapter '{chapter}' has no exercises in the course's list.", nameof(chapter));
        lock (Gate)
        {
            int k = ids.Count(c => DoneIds.Contains(c.Id));
            return $"exercises done: {k} of {ids.Length} ({string.Join("; ", ids.Select(c => (DoneIds.Contains(c.Id) ? "✓ " : "· ") + c.Title))})";
        }
    }

    /// <summary>Whether an exercise is done in this session.</summary>
    /// <param name="id">The exercise id.</param>
    /// <returns>True once its check passed (and no later attempt failed).</returns>
    public static bool IsDone(string id)
    {
        lock (Gate) return DoneIds.Contains(id);
    }

    /// <summary>Forgets every attempt (a fresh session).</summary>
    public static void Reset()
    {
        lock (Gate)
        {
            DoneIds.Clear();
            AttemptCounts.Clear();
        }
    }

    /// <summary>Records one attempt and its outcome.</summary>
    /// <param name="id">The exercise id; must be in the course's list.</param>
    /// <param name="done">Whether the attempt passed.</param>
    /// <returns>How many attempts this exercise has had in the session, this one included.</returns>
    internal static int Record(string id, bool done)
    {
        lock (Gate)
        {
            if (done) DoneIds.Add(id); else DoneIds.Remove(id);
            AttemptCounts[id] = AttemptCounts.GetValueOrDefault(id) + 1;
            return AttemptCounts[id];
        }
    }

    /// <summary>Fails when an id is not in the course's list (a typo in a chapter).</summary>
    /// <param name="id">The exercise id.</param>
    /// <returns>The exercise's title.</returns>
    /// <exception cref="ArgumentException">The id is unknown.</exception>
    internal static string Title(string id)
    {
        foreach (var c in Catalog)
        {
            if (c.Id == id) return c.Title;
        }
        throw new ArgumentException($"'{id}' is not an exercise of the course (known: {string.Join(", ", Catalog.Select(c => c.Id))}).", nameof(id));
    }
}
