using AttentionVisually.Lesson;

namespace AttentionVisually.Tests;

[Collection("environment")]
public class ExerciseTests
{
    private static T WithHeadless<T>(bool headless, Func<T> f)
    {
        var old = Environment.GetEnvironmentVariable("ATTENTION_COURSE_HEADLESS");
        Environment.SetEnvironmentVariable("ATTENTION_COURSE_HEADLESS", headless ? "1" : null);
        try { return f(); }
        finally { Environment.SetEnvironmentVariable("ATTENTION_COURSE_HEADLESS", old); }
    }

    [Fact]
    public void A_right_answer_is_accepted_and_a_wrong_one_gets_the_hint()
    {
        Assert.StartsWith("✅", Exercise.Check("x", 2.0, 2.0, 1e-9, "look again", () => 2.0));
        var wrong = Exercise.Check("x", 3.0, 2.0, 1e-9, "look again", () => 2.0);
        Assert.StartsWith("❌", wrong);
        Assert.Contains("look again", wrong);
    }

    [Fact]
    public void An_unanswered_exercise_waits_for_the_learner_but_is_checked_with_the_reference_headless()
    {
        Assert.StartsWith("⏳", WithHeadless(false, () => Exercise.Check("x", null, 2.0, 1e-9, "hint", () => 2.0)));
        Assert.StartsWith("✅", WithHeadless(true, () => Exercise.Check("x", null, 2.0, 1e-9, "hint", () => 2.0)));
    }

    [Fact]
    public void A_reference_solution_that_disagrees_fails_the_headless_run()
    {
        Assert.Throws<InvalidOperationException>(() => WithHeadless(true, () => Exercise.Check("x", null, 2.0, 1e-9, "hint", () => 3.0)));
    }

    [Fact]
    public void Expect_throws_with_the_numbers_when_a_check_fails()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Expect.Near("share", 0.5, 0.33, 0.01));
        Assert.Contains("share", ex.Message);
        Assert.Contains("0.5", ex.Message);
        Assert.Throws<InvalidOperationException>(() => Expect.That("rows sum to 1", false));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void An_expected_value_that_is_not_finite_is_reported_as_a_course_bug_not_as_a_wrong_answer(double expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Exercise.Check("x", 1.0, expected, 1e-9, "hint", () => 1.0));
        Assert.Equal("expected", ex.ParamName);
    }

    [Theory]
    [InlineData(-1e-9)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_undefined_tolerance_is_refused(double tolerance)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Exercise.Check("x", 2.0, 2.0, tolerance, "hint", () => 2.0));
        Assert.Equal("tolerance", ex.ParamName);
    }

    [Fact]
    public void A_NaN_answer_is_judged_wrong_with_the_hint()
    {
        Assert.StartsWith("❌", Exercise.Check("x", double.NaN, 2.0, 1e-9, "look again", () => 2.0));
    }
}
