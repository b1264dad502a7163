namespace AttentionVisually.Lesson;

/// <summary>
/// Exercises and checks for the chapters. A learner writes an answer in an exercise cell; a check cell
/// compares it with a value the library computes, and gives a hint when it is wrong. When a chapter runs
/// headless (the course runner sets <c>ATTENTION_COURSE_HEADLESS=1</c>), an unanswered exercise is checked
/// with its reference solution instead, so the whole course runs without anyone typing.
/// </summary>
public static class Exercise
{
    /// <summary>True when the chapter is being executed by the headless course runner.</summary>
    public static bool IsHeadless => Environment.GetEnvironmentVariable("ATTENTION_COURSE_HEADLESS") == "1";

    /// <summary>Checks a numeric answer.</summary>
    /// <param name="name">The exercise's name, shown in the message.</param>
    /// <param name="answer">The learner's answer, or null while unanswered.</param>
    /// <param name="expected">The value the library computes.</param>
    /// <param name="tolerance">Allowed absolute difference.</param>
    /// <param name="hint">What to look at when the answer is wrong.</param>
    /// <param name="referenceSolution">Computes the answer the way the chapter intends; used headless.</param>
    /// <returns>A message saying whether the answer is right.</returns>
    /// <exception cref="ArgumentException"><paramref name="expected"/> is NaN or infinite, or <paramref name="tolerance"/> is
    /// negative, NaN or infinite: no answer could be judged against them (a course bug, reported instead of a wrong verdict).</exception>
    /// <exception cref="InvalidOperationException">Headless, the reference solution disagrees with the expected value (a course bug).</exception>
    public static string Check(string name, double? answer, double expected, double tolerance, string hint, Func<double> referenceSolution)
    {
        ArgumentNullException.ThrowIfNull(referenceSolution);
        if (!double.IsFinite(expected))
            throw new ArgumentException($"{name}: the expected value is {expected}; an exercise needs a finite value to compare answers with.", nameof(expected));
        if (!(tolerance >= 0) || double.IsInfinity(tolerance))
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"{name}: the tolerance must be zero or positive and finite.");
        if (answer is null)
        {
            if (!IsHeadless) return $"⏳ {name}: not answered yet. Hint: {hint}";
            double reference = referenceSolution();
            if (!(Math.Abs(reference - expected) <= tolerance)) // NaN fails too
                throw new InvalidOperationException($"{name}: the reference solution gives {reference} but the library computes {expected}.");
            return $"✅ {name}: reference solution {reference:G6} checked (headless run).";
        }
        return Math.Abs(answer.Value - expected) <= tolerance
            ? $"✅ {name}: {answer.Value:G6} is right."
            : $"❌ {name}: {answer.Value:G6} is not it. Hint: {hint}";
    }

    /// <summary>Checks a yes/no or choice answer given as text (compared without case or surrounding spaces).</summary>
    /// <param name="name">The exercise's name.</param>
    /// <param name="answer">The learner's answer, or null while unanswered.</param>
    /// <param name="expected">The right answer.</param>
    /// <param name="hint">What to look at when the answer is wrong.</param>
    /// <returns>A message saying whether the answer is right.</returns>
    public static string Check(string name, string? answer, string expected, string hint)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (answer is null)
            return IsHeadless ? $"✅ {name}: reference answer \"{expected}\" (headless run)." : $"⏳ {name}: not answered yet. Hint: {hint}";
        return string.Equals(answer.Trim(), expected.Trim(), StringComparison.OrdinalIgnoreCase)
            ? $"✅ {name}: \"{answer}\" is right."
            : $"❌ {name}: \"{answer}\" is not it. Hint: {hint}";
    }
}

/// <summary>Assertions a chapter makes about its own numbers: a failing one stops the run with a clear message.</summary>
public static class Expect
{
    /// <summary>Asserts that a value is within a tolerance of another.</summary>
    /// <param name="what">What the number is, for the message.</param>
    /// <param name="actual">The computed value.</param>
    /// <param name="expected">The value it should be near.</param>
    /// <param name="tolerance">Allowed absolute difference.</param>
    /// <returns>A short confirmation.</returns>
    /// <exception cref="InvalidOperationException">The values differ by more than the tolerance.</exception>
    public static string Near(string what, double actual, double expected, double tolerance)
    {
        if (!(Math.Abs(actual - expected) <= tolerance))
            throw new InvalidOperationException($"check failed: {what} is {actual:G8}, expected {expected:G8} ± {tolerance:G3}.");
        return $"✔ {what} = {actual:G6}";
    }

    /// <summary>Shows several checks together (a cell displays only its last value): each check has already run.</summary>
    /// <param name="checks">The confirmations returned by <see cref="Near"/> and <see cref="That"/>.</param>
    /// <returns>The confirmations, one per line.</returns>
    public static string All(params string[] checks) => string.Join(Environment.NewLine, checks);

    /// <summary>Asserts that a condition holds.</summary>
    /// <param name="what">The claim, for the message.</param>
    /// <param name="condition">Whether it holds.</param>
    /// <returns>A short confirmation.</returns>
    /// <exception cref="InvalidOperationException">The condition is false.</exception>
    public static string That(string what, bool condition)
    {
        if (!condition) throw new InvalidOperationException($"check failed: {what}");
        return $"✔ {what}";
    }
}
