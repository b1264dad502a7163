using System.Globalization;

namespace AttentionVisually.Lesson;

/// <summary>
/// Exercises answered with a value rather than a function: a number or word the learner works out
/// (<see cref="Check(string, double?, double, double, string[])"/>), or a prediction the learner commits to before
/// the cell that reveals the result (<see cref="Reveal(string, string?, string, string)"/>). Like the build-it
/// checks, these never throw, so Run All goes on while an exercise is blank.
/// </summary>
public static class Answers
{
    /// <summary>Checks a numeric answer against the value the chapter computes; hints come one step per wrong attempt.</summary>
    /// <param name="id">The exercise id (as in its cell's marker line).</param>
    /// <param name="answer">The learner's answer; null while blank.</param>
    /// <param name="expected">The value computed by the chapter's cells or the library.</param>
    /// <param name="tolerance">Allowed absolute difference.</param>
    /// <param name="hints">Hints, nudge first.</param>
    /// <returns>"not attempted yet", "not it" with a hint, or "right".</returns>
    /// <exception cref="ArgumentException">The id is not an exercise of the course, or no hint is given.</exception>
    public static string Check(string id, double? answer, double expected, double tolerance, params string[] hints)
    {
        string title = ExerciseBook.Title(id);
        if (hints is null || hints.Length == 0) throw new ArgumentException("give at least one hint.", nameof(hints));
        if (answer is null) return $"⏳ {id} ({title}): not attempted yet. Put your answer in the cell above and run both cells.";
        bool right = Math.Abs(answer.Value - expected) <= tolerance; // NaN fails too
        int attempt = ExerciseBook.Record(id, right);
        return right
            ? $"✅ {id} ({title}): {F(answer.Value)} is right."
            : $"❌ {id} ({title}): {F(answer.Value)} is not it{Direction(answer.Value, expected)}.\n" + Steps(hints, attempt);
    }

    /// <summary>Checks a word or choice answer, ignoring case and surrounding spaces.</summary>
    /// <param name="id">The exercise id.</param>
    /// <param name="answer">The learner's answer; null while blank.</param>
    /// <param name="expected">The right answer.</param>
    /// <param name="hints">Hints, nudge first.</param>
    /// <returns>"not attempted yet", "not it" with a hint, or "right".</returns>
    /// <exception cref="ArgumentException">The id is not an exercise of the course, or no hint is given.</exception>
    public static string Check(string id, string? answer, string expected, params string[] hints)
    {
        string title = ExerciseBook.Title(id);
        ArgumentNullException.ThrowIfNull(expected);
        if (hints is null || hints.Length == 0) throw new ArgumentException("give at least one hint.", nameof(hints));
        if (answer is null) return $"⏳ {id} ({title}): not attempted yet. Put your answer in the cell above and run both cells.";
        bool right = Same(answer, expected);
        int attempt = ExerciseBook.Record(id, right);
        return right ? $"✅ {id} ({title}): \"{answer.Trim()}\" is right." : $"❌ {id} ({title}): \"{answer.Trim()}\" is not it.\n" + Steps(hints, attempt);
    }

    /// <summary>Reveals a measured result next to the learner's prediction of it.</summary>
    /// <param name="id">The prediction's exercise id.</param>
    /// <param name="prediction">What the learner predicted; null when no prediction was made.</param>
    /// <param name="actual">What the cell measured, in the same words as the allowed answers.</param>
    /// <param name="explanation">Why the result is what it is.</param>
    /// <returns>Whether the prediction matched, the result and the explanation.</returns>
    /// <exception cref="ArgumentException">The id is not an exercise of the course.</exception>
    public static string Reveal(string id, string? prediction, string actual, string explanation)
    {
        string title = ExerciseBook.Title(id);
        ArgumentNullException.ThrowIfNull(actual);
        if (prediction is null)
            return $"· {id} ({title}): no prediction made. The result is \"{actual}\". {explanation} (Next time, commit to a prediction in the cell above first.)";
        ExerciseBook.Record(id, done: true);
        return Same(prediction, actual)
            ? $"✅ {id} ({title}): you predicted \"{prediction.Trim()}\", and it is \"{actual}\": your prediction matched. {explanation}"
            : $"✗ {id} ({title}): you predicted \"{prediction.Trim()}\", but it is \"{actual}\": your prediction did not match. {explanation}";
    }

    /// <summary>Reveals a measured number next to the learner's numeric prediction.</summary>
    /// <param name="id">The prediction's exercise id.</param>
    /// <param name="prediction">What the learner predicted; null when no prediction was made.</param>
    /// <param name="actual">What the cell measured.</param>
    /// <param name="tolerance">How close counts as a match.</param>
    /// <param name="explanation">Why the result is what it is.</param>
    /// <returns>Whether the prediction matched, the result and the explanation.</returns>
    /// <exception cref="ArgumentException">The id is not an exercise of the course.</exception>
    public static string Reveal(string id, double? prediction, double actual, double tolerance, string explanation)
    {
        string title = ExerciseBook.Title(id);
        if (prediction is null)
            return $"· {id} ({title}): no prediction made. The result is {F(actual)}. {explanation} (Next time, commit to a prediction in the cell above first.)";
        ExerciseBook.Record(id, done: true);
        return Math.Abs(prediction.Value - actual) <= tolerance
            ? $"✅ {id} ({title}): you predicted {F(prediction.Value)}, and it is {F(actual)}: your prediction matched. {explanation}"
            : $"✗ {id} ({title}): you predicted {F(prediction.Value)}, but it is {F(actual)}: your prediction did not match. {explanation}";
    }

    /// <summary>Checks chapter 00's question: along which axis of a pattern chart are the queries?</summary>
    /// <param name="answer">"x" or "y"; null while blank.</param>
    /// <returns>"not attempted yet", "not it" with a hint, or "right".</returns>
    public static string QueriesAxis(string? answer) => Check("00.queries-axis", answer, QueriesAxisOfCharts,
        "Each query's weights sum to 1; in the chart, which lines of cells sum to 1?",
        "The columns sum to 1, one column per query: which axis do the columns run along?");

    // Charts.Pattern draws the stored (queries, keys) matrix transposed: queries along x, keys down y.
    private const string QueriesAxisOfCharts = "x";

    private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string Direction(double answer, double expected) =>
        double.IsNaN(answer) ? "" : answer < expected ? " (too small)" : " (too large)";

    private static string Steps(string[] hints, int attempt)
    {
        int shown = Math.Min(attempt, hints.Length);
        return string.Join("\n", Enumerable.Range(0, shown).Select(i => $"   hint {i + 1} of {hints.Length}: {hints[i]}")) +
               (shown < hints.Length ? "\n   (try again for the next hint)" : "");
    }

    private static string F(double x) => x.ToString("G10", CultureInfo.InvariantCulture);
}
