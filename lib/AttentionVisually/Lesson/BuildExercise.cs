using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// A build-it exercise: the learner writes a function with a given signature; <see cref="Check"/> runs it against
/// the library on seeded random cases and edge cases and reports the first failing one (which input, expected
/// versus got) with a hint aimed at the likely mistake, in steps: a nudge first, more on later attempts or through
/// <see cref="Hint"/>. The check never throws, so Run All goes on with a blank or wrong exercise.
/// </summary>
/// <typeparam name="TFunc">The signature the learner implements.</typeparam>
/// <remarks>After ARENA's exercises and rasbt's exercise solutions: a stub, a check against a reference, hints in steps.</remarks>
public sealed class BuildExercise<TFunc> where TFunc : Delegate
{
    private const double Tolerance = 1e-4;
    private readonly IReadOnlyList<ExerciseCase<TFunc>> cases;
    private readonly string[] generalHints;
    private string[] lastHints;

    internal BuildExercise(string id, IReadOnlyList<ExerciseCase<TFunc>> cases, string[] generalHints)
    {
        Id = id;
        Title = ExerciseBook.Title(id);
        this.cases = cases;
        this.generalHints = generalHints;
        lastHints = generalHints;
    }

    /// <summary>The exercise id, as in the marker line of its cell (<c>// exercise: 02.scores</c>).</summary>
    public string Id { get; }

    /// <summary>What the exercise asks for.</summary>
    public string Title { get; }

    /// <summary>The names of the cases the check runs, in order.</summary>
    public IReadOnlyList<string> CaseNames => cases.Select(c => c.Name).ToArray();

    /// <summary>Runs the learner's function on every case; never throws.</summary>
    /// <param name="mine">The learner's function.</param>
    /// <returns>"not attempted yet", the first failing case with a hint, or "passed".</returns>
    public string Check(TFunc mine)
    {
        if (mine is null) return $"⏳ {Id} ({Title}): not attempted yet (no function given).";
        for (int n = 0; n < cases.Count; n++)
        {
            var c = cases[n];
            var failure = Run(c, mine, out bool notImplemented);
            if (notImplemented && n == 0)
            {
                return $"⏳ {Id} ({Title}): not attempted yet. Write the body of the function in the cell above (it still throws " +
                       "NotImplementedException), run that cell, then run this one again. Until it passes, the chapter's later cells use the library's version.";
            }
            if (failure is null) continue;
            int attempt = ExerciseBook.Record(Id, done: false);
            lastHints = failure.Value.Hints;
            return $"❌ {Id} ({Title}): case {n + 1} of {cases.Count}, {c.Name}.\n   input: {c.Input}\n   {failure.Value.What}\n" + Hints(lastHints, attempt);
        }
        ExerciseBook.Record(Id, done: true);
        return $"✅ {Id} ({Title}): passed all {cases.Count} cases ({string.Join("; ", cases.Select(c => c.Name))}).";
    }

    /// <summary>Shows the hints up to a step for the latest failure (or the general hints before any).</summary>
    /// <param name="step">1 for the nudge, 2 and up for more.</param>
    /// <returns>The hints up to that step.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The step is below 1.</exception>
    public string Hint(int step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        return Hints(lastHints, step);
    }

    /// <summary>The learner's function once its check has passed, otherwise the library's: later cells work either way.</summary>
    /// <param name="mine">The learner's function.</param>
    /// <param name="library">The library's function with the same signature.</param>
    /// <returns>The function the chapter's later cells use.</returns>
    public TFunc PassedOr(TFunc mine, TFunc library)
    {
        ArgumentNullException.ThrowIfNull(library);
        return ExerciseBook.IsDone(Id) && mine is not null ? mine : library;
    }

    private static string Hints(string[] hints, int upTo)
    {
        int shown = Math.Min(Math.Max(upTo, 1), hints.Length);
        var lines = Enumerable.Range(0, shown).Select(i => $"   hint {i + 1} of {hints.Length}: {hints[i]}");
        string more = shown < hints.Length ? $"\n   (run the check again after a change, or call Hint({shown + 1}), for more)" : "";
        return string.Join("\n", lines) + more;
    }

    private static (string What, string[] Hints)? Run(ExerciseCase<TFunc> c, TFunc mine, out bool notImplemented)
    {
        notImplemented = false;
        Matrix<float>? got;
        try
        {
            got = c.Run(mine);
        }
        catch (NotImplementedException)
        {
            notImplemented = true;
            return ("your function still throws NotImplementedException on this case.", ["Every path of the function must return a result."]);
        }
        catch (Exception e)
        {
            return ($"your function threw {e.GetType().Name}: {e.Message}", [.. c.CrashHints, "Read the message: it names what went wrong; check the shapes in the comments of the stub."]);
        }
        if (got is null) return ("your function returned null.", ["Return the result matrix."]);
        var expected = c.Expected();
        var mistakes = c.Mistakes();
        if (got.RowCount != expected.RowCount || got.ColumnCount != expected.ColumnCount)
        {
            string shape = $"expected shape ({expected.RowCount}, {expected.ColumnCount}), got ({got.RowCount}, {got.ColumnCount}).";
            foreach (var m in mistakes)
            {
                if (m.Output is not null && SameShape(m.Output, got) && Close(m.Output, got)) return (shape, m.Hints);
            }
            return (shape, c.ShapeHints);
        }
        var first = FirstDifference(expected, got);
        if (first is null) return null;
        var (i, j) = first.Value;
        string what = $"at [{i}, {j}] expected {F(expected[i, j])}, got {F(got[i, j])}; row {i}: expected {Row(expected, i, j)}, got {Row(got, i, j)}.";
        foreach (var m in mistakes)
        {
            bool matches = m.Detect is not null ? m.Detect(got) : m.Output is not null && SameShape(m.Output, got) && Close(m.Output, got);
            if (matches) return (what, m.Hints);
        }
        return (what, c.GeneralHints);
    }

    private static bool SameShape(Matrix<float> a, Matrix<float> b) => a.RowCount == b.RowCount && a.ColumnCount == b.ColumnCount;

    private static bool Close(Matrix<float> expected, Matrix<float> got) => FirstDifference(expected, got) is null;

    private static (int, int)? FirstDifference(Matrix<float> expected, Matrix<float> got)
    {
        for (int i = 0; i < expected.RowCount; i++)
        {
            for (int j = 0; j < expected.ColumnCount; j++)
            {
                float e = expected[i, j], g = got[i, j];
                if (e == g) continue; // also equal infinities
                if (float.IsNaN(e) && float.IsNaN(g)) continue;
                if (!(Math.Abs(e - g) <= Tolerance + Tolerance * Math.Abs(e))) return (i, j); // NaN fails too
            }
        }
        return null;
    }

    // Up to 8 entries of row i, around column j (the first difference).
    private static string Row(Matrix<float> m, int i, int j)
    {
        int from = Math.Max(0, Math.Min(j - 3, m.ColumnCount - 8)), to = Math.Min(m.ColumnCount, from + 8);
        var values = Enumerable.Range(from, to - from).Select(c => F(m[i, c]));
        return "[" + (from > 0 ? $"(from column {from}) " : "") + string.Join(", ", values) + (to < m.ColumnCount ? ", …" : "") + "]";
    }

    private static string F(float x) => float.IsNegativeInfinity(x) ? "−∞" : x.ToString("G5", CultureInfo.InvariantCulture);
}

/// <summary>A typical wrong answer: what it outputs on a case (or a test that recognises it), and the hints it earns.</summary>
/// <param name="Name">Short name of the mistake.</param>
/// <param name="Output">What the mistaken code returns on the case, computed with the library; null when <paramref name="Detect"/> is used.</param>
/// <param name="Hints">The hints, nudge first.</param>
/// <param name="Detect">Recognises the mistake from the learner's output, where no single output stands for it (NaN from an overflow).</param>
internal sealed record Mistake(string Name, Matrix<float>? Output, string[] Hints, Func<Matrix<float>, bool>? Detect = null);

/// <summary>One input on which a build-it exercise is checked.</summary>
/// <typeparam name="TFunc">The exercise's signature.</typeparam>
internal sealed record ExerciseCase<TFunc>(string Name, string Input, Func<Matrix<float>> Expected, Func<TFunc, Matrix<float>> Run, Func<IReadOnlyList<Mistake>> Mistakes)
    where TFunc : Delegate
{
    /// <summary>Hints when no known mistake matches the wrong values.</summary>
    public string[] GeneralHints { get; init; } = ["Compare one entry by hand with the formula in the text above."];

    /// <summary>Hints when the result has the wrong shape and no known mistake explains it.</summary>
    public string[] ShapeHints { get; init; } = ["Check the shape comments of the stub: one row per query."];

    /// <summary>Hints when the learner's function throws.</summary>
    public string[] CrashHints { get; init; } = [];
}
