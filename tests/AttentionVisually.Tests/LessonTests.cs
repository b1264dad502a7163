using AttentionVisually.Lesson;

namespace AttentionVisually.Tests;

public class ToyLanguageTests
{
    private static readonly IReadOnlyList<string> S = ToyLanguage.FluffyBlueCreature;

    [Fact]
    public void In_the_adjective_noun_head_creature_attends_to_fluffy_and_blue_and_forest_to_verdant()
    {
        var o = ToyLanguage.AdjectiveNounHead().Forward(ToyLanguage.Embed(S), isCausal: true);
        int Pos(string w) => S.ToList().IndexOf(w);
        var a = o.Pattern;
        Assert.True(a[Pos("creature"), Pos("fluffy")] + a[Pos("creature"), Pos("blue")] > 0.95f);
        Assert.True(a[Pos("creature"), Pos("fluffy")] > 0.1f, "both adjectives should contribute");
        Assert.True(a[Pos("forest"), Pos("verdant")] > 0.95f);
    }

    [Fact]
    public void The_update_moves_creature_toward_blue_and_fluffy_and_forest_toward_green()
    {
        var e = ToyLanguage.Embed(S);
        var o = ToyLanguage.AdjectiveNounHead().Forward(e, isCausal: true);
        var after = e + o.DeltaE;
        int creature = 3, forest = 7;
        Assert.Equal(0f, e[creature, ToyLanguage.Feature("blue")]);
        Assert.True(after[creature, ToyLanguage.Feature("blue")] > 0.3f);
        Assert.True(after[creature, ToyLanguage.Feature("fluffy")] > 0.1f);
        Assert.True(after[forest, ToyLanguage.Feature("green")] > 0.9f);
        Assert.True(Math.Abs(after[forest, ToyLanguage.Feature("blue")]) < 0.05f);
    }

    [Fact]
    public void The_previous_token_head_looks_one_word_back()
    {
        var a = ToyLanguage.PreviousTokenHead().Forward(ToyLanguage.Embed(S), isCausal: true).Pattern;
        for (int i = 1; i < S.Count; i++) Assert.True(a[i, i - 1] > 0.9f, $"position {i}: {a[i, i - 1]}");
    }

    [Fact]
    public void The_embedding_of_a_word_has_exactly_its_features_before_position_is_added()
    {
        var table = ToyLanguage.Table();
        var creature = table["creature"];
        Assert.Equal(1f, creature[ToyLanguage.Feature("noun")]);
        Assert.Equal(1f, creature[ToyLanguage.Feature("creature")]);
        Assert.Equal(2f, creature.Sum());
    }
}

public class TranslationTests
{
    [Fact]
    public void Cross_attention_aligns_each_french_word_with_its_english_meaning()
    {
        var fr = Translation.French;
        var en = Translation.English.ToList();
        var o = Translation.AlignmentHead().Forward(Translation.Embed(fr), Translation.Embed(Translation.English), mask: null);
        Assert.Equal((6, 7), (o.Pattern.RowCount, o.Pattern.ColumnCount));
        (string fr, string en)[] pairs = [("Je", "I"), ("ne", "not"), ("veux", "want"), ("pas", "not"), ("le", "it"), ("caresser", "pet")];
        foreach (var (f, e) in pairs)
        {
            var row = o.Pattern.Row(fr.ToList().IndexOf(f));
            Assert.Equal(en.IndexOf(e), row.MaximumIndex());
            Assert.True(row[en.IndexOf(e)] > 0.9f);
        }
    }
}

public class MysteryNovelTests
{
    [Fact]
    public void The_last_word_puts_most_of_its_attention_on_clues_spread_across_the_whole_story()
    {
        var story = MysteryNovel.Story;
        var a = MysteryNovel.WhoDidItHead().Forward(MysteryNovel.Embed(), isCausal: true).Pattern;
        int last = story.Count - 1;
        double onClues = Enumerable.Range(0, story.Count).Where(j => MysteryNovel.Clues.Contains(story[j])).Sum(j => (double)a[last, j]);
        Assert.True(onClues > 0.9, $"weight on clues: {onClues}");
        int earliestClue = Enumerable.Range(0, story.Count).First(j => MysteryNovel.Clues.Contains(story[j]));
        Assert.True(earliestClue < 10 && a[last, earliestClue] > 0.05f);
        // Every other position has no reason to prefer clues: its row is uniform over what it can see.
        Assert.Equal(1f / 6, a[5, 0], 5);
    }
}
