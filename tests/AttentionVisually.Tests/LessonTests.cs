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
    private static readonly IReadOnlyList<string> Story = MysteryNovel.Story;
    private static int Last => Story.Count - 1;

    [Fact]
    public void The_last_word_ends_up_pointing_at_the_culprit_more_than_at_any_other_suspect()
    {
        var verdict = MysteryNovel.Verdict();
        Assert.All(verdict, v => Assert.Equal(0, v.Before));
        var culprit = verdict.Single(v => v.Suspect == MysteryNovel.Culprit);
        Assert.True(culprit.After > 0.4, $"culprit: {culprit.After}");
        foreach (var other in verdict.Where(v => v.Suspect != MysteryNovel.Culprit))
            Assert.True(culprit.After > other.After + 0.3, $"{other.Suspect}: {other.After} vs {culprit.After}");
    }

    [Fact]
    public void The_red_herring_is_read_but_the_neutral_mentions_are_not()
    {
        var a = MysteryNovel.WhoDidItHead().Forward(MysteryNovel.Embed(), isCausal: true).Pattern;
        int herring = Story.ToList().IndexOf(MysteryNovel.RedHerring);
        int firstGardener = Story.ToList().IndexOf("gardener");
        Assert.True(a[Last, herring] > 0.2f, $"red herring weight {a[Last, herring]}");
        Assert.True(a[Last, firstGardener] < 0.01f, $"neutral mention weight {a[Last, firstGardener]}");
        double onEvidence = Enumerable.Range(0, Story.Count).Where(j => MysteryNovel.Evidence.ContainsKey(Story[j])).Sum(j => (double)a[Last, j]);
        Assert.True(onEvidence > 0.95, $"weight on evidence: {onEvidence}");
    }

    [Fact]
    public void Without_values_that_carry_identities_the_last_word_learns_nothing_about_any_suspect()
    {
        // The value carries the verdict: drop the value-up and the last word learns nothing about anyone.
        var head = MysteryNovel.WhoDidItHead();
        var mute = new AttentionHead(head.WQ, head.WK, head.WValueDown, head.WValueUp * 0f);
        Assert.All(MysteryNovel.Verdict(mute), v => Assert.Equal(0, v.After));
    }
}
