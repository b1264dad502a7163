namespace AttentionVisually.Lesson;

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
