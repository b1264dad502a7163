using AttentionVisually.Lesson;

namespace AttentionVisually.Tests;

[Collection(ExerciseBookCollection.Name)]
public class AnswersTests
{
    public AnswersTests() => ExerciseBook.Reset();

    [Fact]
    public void A_blank_answer_waits_a_wrong_one_gets_the_first_hint_then_the_next()
    {
        Assert.StartsWith("⏳", Answers.Check("01.gpt2-table", null, 100, 0, "nudge", "more"));
        var wrong = Answers.Check("01.gpt2-table", 90, 100, 0, "nudge", "more");
        Assert.StartsWith("❌", wrong);
        Assert.Contains("too small", wrong);
        Assert.Contains("hint 1 of 2: nudge", wrong);
        Assert.DoesNotContain("more", wrong.Replace("for the next hint", ""));
        Assert.Contains("hint 2 of 2: more", Answers.Check("01.gpt2-table", 110, 100, 0, "nudge", "more"));
        Assert.StartsWith("✅", Answers.Check("01.gpt2-table", 100, 100, 0, "nudge", "more"));
        Assert.Equal("exercises done: 1 of 1 (✓ GPT-2 small's embedding table)", ExerciseBook.Done("01"));
    }

    [Fact]
    public void The_queries_axis_question_rejects_y()
    {
        var wrong = Answers.QueriesAxis("y");
        Assert.StartsWith("❌", wrong);
        Assert.Contains("which lines of cells sum to 1", wrong);
        Assert.StartsWith("✅", Answers.QueriesAxis(" X "));
    }

    [Fact]
    public void A_reveal_says_whether_the_prediction_matched_and_counts_a_committed_prediction_as_done()
    {
        Assert.Contains("no prediction made", Answers.Reveal("03.temperature-prediction", null, "largest", "why"));
        Assert.Contains("· predict the pattern as T → 0", ExerciseBook.Done("03"));
        Assert.Contains("did not match", Answers.Reveal("03.temperature-prediction", "uniform", "largest", "why"));
        Assert.Contains("your prediction matched", Answers.Reveal("03.temperature-prediction", "Largest", "largest", "why"));
        Assert.Contains("did not match", Answers.Reveal("04.memory-prediction", 2, 4, 0.01, "why"));
        Assert.Contains("your prediction matched", Answers.Reveal("04.memory-prediction", 4, 4, 0.01, "why"));
        Assert.Contains("✓ predict the pattern as T → 0", ExerciseBook.Done("03"));
    }

    [Fact]
    public void An_unknown_exercise_id_is_named_in_the_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => Answers.Check("02.typo", 1, 1, 0, "h"));
        Assert.Contains("'02.typo' is not an exercise", ex.Message);
        Assert.Throws<ArgumentException>(() => ExerciseBook.Done("99"));
    }
}
