using AttentionVisually.SmallGpt;

namespace AttentionVisually.Tests;

public class StoryGrammarTests
{
    [Fact]
    public void Padding_and_the_start_token_are_the_first_two_ids()
    {
        Assert.Equal(0, StoryGrammar.Id(StoryGrammar.Pad));
        Assert.Equal(1, StoryGrammar.Id(StoryGrammar.Bos));
        Assert.Equal(StoryGrammar.Vocabulary.Count, StoryGrammar.Vocabulary.Distinct().Count());
    }

    [Theory]
    [InlineData(StoryTask.AdjectiveNoun)]
    [InlineData(StoryTask.Mystery)]
    [InlineData(StoryTask.Harry)]
    public void Held_out_sentences_never_come_from_the_training_sampler(StoryTask task)
    {
        var heldOut = StoryGrammar.Sentences(task, StorySplit.HeldOut, 100, seed: 1).Select(s => s.Text).ToHashSet();
        var train = StoryGrammar.Sentences(task, StorySplit.Train, 3000, seed: 2).Select(s => s.Text).ToHashSet();

        Assert.Empty(heldOut.Intersect(train));
        Assert.All(heldOut, t => Assert.Equal(StorySplit.HeldOut, StoryGrammar.SplitOf(t)));
    }

    [Fact]
    public void The_adjective_sits_one_to_four_words_before_the_noun_and_fixes_the_verb()
    {
        var sentences = StoryGrammar.Sentences(StoryTask.AdjectiveNoun, StorySplit.Train, 400, seed: 3);

        Assert.Equal([1, 2, 3, 4], sentences.Select(s => s.Distance).Distinct().Order());
        foreach (var s in sentences)
        {
            string verb = StoryGrammar.Adjectives.Single(a => a.Adjective == s.Tokens[s.CuePosition]).Verb;
            Assert.Equal(verb, s.Tokens[s.QueryPosition + 1]);
            Assert.Contains(s.Tokens[s.QueryPosition], StoryGrammar.Nouns);
        }
        // Most nouns follow a filler: the previous word alone cannot tell the verb.
        Assert.InRange(sentences.Count(s => s.Distance >= 2) / (double)sentences.Count, 0.6, 0.9);
    }

    [Fact]
    public void A_mystery_names_the_culprit_once_the_red_herring_twice_and_a_neutral_suspect_once()
    {
        foreach (var s in StoryGrammar.Sentences(StoryTask.Mystery, StorySplit.Train, 100, seed: 4))
        {
            string culprit = s.Label;
            Assert.Equal(["therefore", "the", "murderer", "was", culprit, "."], s.Tokens.TakeLast(6));
            Assert.Equal("to", s.Tokens[s.CuePosition - 1]);
            Assert.Equal(2, s.Tokens.Count(t => t == culprit)); // the evidence and the answer
            var others = s.Distractors.Select(i => s.Tokens[i]).ToArray();
            Assert.Equal(3, others.Length);
            Assert.DoesNotContain(culprit, others);
            Assert.Equal(2, others.GroupBy(o => o).Max(g => g.Count()));
            Assert.True(s.Tokens.Count <= 48, $"story of {s.Tokens.Count} tokens does not fit the context: {s.Text}");
        }
    }

    [Fact]
    public void Harry_follows_his_cue_word_and_continues_with_a_verb_of_the_meaning_it_gives()
    {
        var sentences = StoryGrammar.Sentences(StoryTask.Harry, StorySplit.Train, 200, seed: 5);
        foreach (var s in sentences)
        {
            Assert.Equal("harry", s.Tokens[s.QueryPosition]);
            Assert.Contains(s.Tokens[s.QueryPosition + 1], s.Accepted);
            var cues = s.Label == "wizard" ? StoryGrammar.WizardCues : StoryGrammar.RoyalCues;
            Assert.Contains(cues, c => c.EndsWith(s.Tokens[s.CuePosition], StringComparison.Ordinal));
            Assert.Equal(1, s.Distance);
        }
        // The openings move the cue and the name, so no fixed position tells the meaning.
        Assert.True(sentences.Select(s => s.QueryPosition).Distinct().Count() >= 4, "harry should stand at varying positions");
    }

    [Fact]
    public void A_training_batch_shifts_targets_by_one_and_ignores_padding()
    {
        var (inputs, targets) = StoryGrammar.TrainingBatch(new Random(6), batchSize: 4, contextLength: 48);

        Assert.Equal(4 * 48, inputs.Length);
        Assert.Equal(4 * 48, targets.Length);
        for (int b = 0; b < 4; b++)
        {
            Assert.Equal(StoryGrammar.Id(StoryGrammar.Bos), inputs[b * 48]);
            for (int t = 0; t + 1 < 48; t++)
            {
                if (targets[b * 48 + t] >= 0)
                {
                    Assert.Equal(inputs[(b * 48) + t + 1], targets[(b * 48) + t]);
                }
                else
                {
                    Assert.True(targets[(b * 48) + t + 1] < 0 || inputs[(b * 48) + t + 1] == 0, "after the first ignored target only padding follows");
                }
            }
        }
    }

    [Fact]
    public void Every_training_story_names_the_culprit_beside_at_least_one_other_suspect()
    {
        var (inputs, _) = StoryGrammar.TrainingBatch(new Random(9), batchSize: 64, contextLength: 48);
        var words = inputs.Select(i => StoryGrammar.Vocabulary[(int)i]).ToArray();
        int stories = 0;
        for (int row = 0; row < 64; row++)
        {
            var text = words.Skip(row * 48).Take(48).ToArray();
            int start = -1;
            for (int t = 0; t < text.Length; t++)
            {
                if (text[t] == "inspector") start = t;
                if (text[t] != "murderer") continue;
                Assert.True(start >= 0, $"row {row}: a story without its opening: {string.Join(' ', text)}");
                int names = text[start..t].Where(StoryGrammar.Suspects.Contains).Distinct().Count();
                Assert.True(names >= 2, $"row {row}: a story naming {names} suspect: {string.Join(' ', text[start..t])}");
                start = -1;
                stories++;
            }
        }
        Assert.True(stories >= 10, $"only {stories} stories in 64 rows");
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch_and_another_seed_another()
    {
        Assert.Equal(StoryGrammar.TrainingBatch(new Random(7), 2, 48).Inputs, StoryGrammar.TrainingBatch(new Random(7), 2, 48).Inputs);
        Assert.NotEqual(StoryGrammar.TrainingBatch(new Random(7), 2, 48).Inputs, StoryGrammar.TrainingBatch(new Random(8), 2, 48).Inputs);
    }

    [Fact]
    public void An_unknown_word_is_named_in_the_error()
    {
        var e = Assert.Throws<ArgumentException>(() => StoryGrammar.Id("dragon"));
        Assert.Contains("dragon", e.Message);
    }
}
