using System.Globalization;
using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

/// <summary>The chapter's claims about the shipped checkpoint, with the thresholds the chapter states.</summary>
public class SmallGptFindingsTests : IClassFixture<SmallGptFixture>
{
    private readonly SmallGptFixture shipped;

    public SmallGptFindingsTests(SmallGptFixture shipped) => this.shipped = shipped;

    private SmallGptFindings F => shipped.Findings;

    /// <summary>"Essentially intact", as the chapter states it: a task keeps its accuracy within 5 points when a head is removed.</summary>
    private const double Spared = 0.05;

    [Theory]
    [InlineData(StoryTask.AdjectiveNoun, 0.95)]
    [InlineData(StoryTask.Mystery, 0.80)]
    [InlineData(StoryTask.Harry, 0.95)]
    public void Held_out_accuracy_reaches_the_stated_level(StoryTask task, double atLeast)
    {
        Assert.True(F.Accuracy[task] >= atLeast, $"{task}: {F.Accuracy[task]:P1} < {atLeast:P0}");
    }

    [Fact]
    public void The_accuracies_and_heads_measured_here_are_the_ones_the_training_tool_recorded_in_the_checkpoint()
    {
        foreach (var (key, value) in F.Summary())
        {
            Assert.Equal(shipped.Metadata[key], value);
        }
        Assert.Equal(F.Accuracy[StoryTask.Mystery], double.Parse(shipped.Metadata["accuracy.Mystery"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_adjective_head_attends_to_the_adjective_more_than_twice_uniform()
    {
        Assert.True(F.AdjectiveHead.Lift > 2, $"{F.AdjectiveHead.Head}: lift {F.AdjectiveHead.Lift:F2}");
    }

    [Fact]
    public void The_adjective_head_is_not_a_previous_token_head_on_the_control_sentences()
    {
        Assert.True(F.AdjectiveHeadOnControls > 2 * F.PreviousTokenOnControls,
            $"{F.AdjectiveHeadOnControls:F2} on the adjective, {F.PreviousTokenOnControls:F2} on the previous word");
    }

    [Fact]
    public void Removing_the_adjective_head_drops_the_adjective_task_below_half()
    {
        var without = F.AdjectiveHead.AccuracyWithout[StoryTask.AdjectiveNoun];
        Assert.True(without < 0.5, $"adjective: {F.Accuracy[StoryTask.AdjectiveNoun]:P1} -> {without:P1}");
    }

    [Fact]
    public void The_culprit_head_attends_to_the_culprit_and_removing_it_breaks_the_mystery()
    {
        var c = F.CulpritHead;
        Assert.True(c.Lift > 2, $"{c.Head}: lift {c.Lift:F2}");
        Assert.True(F.Accuracy[StoryTask.Mystery] - c.AccuracyWithout[StoryTask.Mystery] > 0.3, $"mystery: {F.Accuracy[StoryTask.Mystery]:P0} -> {c.AccuracyWithout[StoryTask.Mystery]:P0}");
    }

    [Theory]
    [InlineData(StoryTask.AdjectiveNoun, StoryTask.Mystery)]
    [InlineData(StoryTask.AdjectiveNoun, StoryTask.Harry)]
    [InlineData(StoryTask.Mystery, StoryTask.AdjectiveNoun)]
    [InlineData(StoryTask.Mystery, StoryTask.Harry)]
    public void Removing_a_tasks_head_leaves_each_other_task_within_five_points(StoryTask headOf, StoryTask other)
    {
        var found = headOf == StoryTask.AdjectiveNoun ? F.AdjectiveHead : F.CulpritHead;
        double lost = F.Accuracy[other] - found.AccuracyWithout[other];
        Assert.True(lost <= Spared, $"{other}: {F.Accuracy[other]:P1} -> {found.AccuracyWithout[other]:P1} without {found.Head}");
    }

    [Fact]
    public void The_adjective_head_and_the_culprit_head_are_different_heads()
    {
        Assert.NotEqual(F.AdjectiveHead.Head, F.CulpritHead.Head);
    }

    [Fact]
    public void Harry_moves_toward_the_meaning_his_context_gives_block_by_block()
    {
        double start = F.HarryWizardLean[0] - F.HarryRoyalLean[0], end = F.HarryWizardLean[^1] - F.HarryRoyalLean[^1];
        Assert.True(end > start + 3, $"gap {start:F2} -> {end:F2}");
        Assert.True(F.HarryWizardLean[^1] > 0 && F.HarryRoyalLean[^1] < 0, $"wizard {F.HarryWizardLean[^1]:F2}, royal {F.HarryRoyalLean[^1]:F2}");
    }

    [Fact]
    public void The_adjective_heads_query_and_key_maps_pair_nouns_with_meaningful_adjectives()
    {
        string[] adjectives = StoryGrammar.Adjectives.Select(a => a.Adjective).ToArray();
        string[] fillers = ["old", "small", "blue", "quiet"];
        var scores = SmallGptReadout.QueryKeyScores(shipped.Model, F.AdjectiveHead.Head, StoryGrammar.Nouns, [.. adjectives, .. fillers]);

        double toMeaningful = scores.SubMatrix(0, StoryGrammar.Nouns.Count, 0, adjectives.Length).Enumerate().Average(v => (double)v);
        double toFillers = scores.SubMatrix(0, StoryGrammar.Nouns.Count, adjectives.Length, fillers.Length).Enumerate().Average(v => (double)v);
        Assert.True(toMeaningful > toFillers + 1, $"meaningful {toMeaningful:F2}, fillers {toFillers:F2}");
    }

    [Fact]
    public void A_head_that_does_not_exist_is_named()
    {
        Assert.Contains("L9 H0", Assert.Throws<ArgumentException>(() => SmallGptReadout.QueryKeyScores(shipped.Model, new HeadId(9, 0), ["pet"], ["old"])).Message);
    }
}
