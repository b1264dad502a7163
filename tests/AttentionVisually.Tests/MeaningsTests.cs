using AttentionVisually.Lesson;

namespace AttentionVisually.Tests;

public class MeaningsTests
{
    private static (double Before, double After) Along(AttentionHead head, IReadOnlyList<string> sentence, string word, string feature)
    {
        var (before, after) = Meanings.Move(head, sentence, word);
        return (Meanings.Along(before, feature), Meanings.Along(after, feature));
    }

    [Theory]
    [InlineData(0, "animal")]
    [InlineData(1, "chemistry")]
    [InlineData(2, "skin")]
    public void Mole_moves_toward_the_meaning_its_sentence_settles_and_past_the_other_two(int sentence, string meaning)
    {
        var head = Meanings.SenseHead();
        var (before, after) = Meanings.Move(head, Meanings.MoleSentences[sentence], "mole");
        string[] senses = ["animal", "chemistry", "skin"];
        Assert.Equal(0.5, Meanings.Along(before, meaning));
        Assert.True(Meanings.Along(after, meaning) > 2, $"{meaning}: {Meanings.Along(after, meaning)}");
        foreach (var other in senses.Where(s => s != meaning))
            Assert.True(Meanings.Along(after, other) < 0.6, $"{other} grew to {Meanings.Along(after, other)}");
    }

    [Fact]
    public void Tower_moves_toward_Paris_with_Eiffel_and_then_from_large_to_small_with_miniature()
    {
        var head = Meanings.SenseHead();
        var alone = Meanings.Move(head, Meanings.TowerSentences[0], "tower").After;
        var eiffel = Meanings.Move(head, Meanings.TowerSentences[1], "tower").After;
        var miniature = Meanings.Move(head, Meanings.TowerSentences[2], "tower").After;
        Assert.True(Meanings.Along(alone, "Paris") < 0.01);
        Assert.True(Meanings.Along(eiffel, "Paris") > 1.5);
        Assert.True(Meanings.Along(eiffel, "large") > 0.9);
        Assert.True(Meanings.Along(miniature, "Paris") > 0.9);
        Assert.True(Meanings.Along(miniature, "small") > Meanings.Along(miniature, "large") + 0.9);
    }

    [Fact]
    public void Harry_moves_toward_wizard_next_to_Hogwarts_and_toward_royalty_next_to_Prince_and_Meghan()
    {
        var head = Meanings.NameHead();
        var wizard = Along(head, Meanings.HarrySentences[0], "Harry", "wizard");
        var royalInWizardSentence = Along(head, Meanings.HarrySentences[0], "Harry", "royalty");
        var royal = Along(head, Meanings.HarrySentences[1], "Harry", "royalty");
        var wizardInRoyalSentence = Along(head, Meanings.HarrySentences[1], "Harry", "wizard");
        Assert.True(wizard.After > royalInWizardSentence.After + 1.5);
        Assert.True(royal.After > wizardInRoyalSentence.After + 1.5);
    }

    [Fact]
    public void The_sense_head_does_not_move_Harry_and_the_name_head_does_not_move_mole()
    {
        var sense = Meanings.Move(Meanings.SenseHead(), Meanings.HarrySentences[0], "Harry");
        var name = Meanings.Move(Meanings.NameHead(), Meanings.MoleSentences[0], "mole");
        Assert.True((sense.After - sense.Before).AbsoluteMaximum() < 1e-3f);
        Assert.True((name.After - name.Before).AbsoluteMaximum() < 1e-3f);
    }

    [Fact]
    public void Without_attention_the_three_moles_leave_the_MLP_identical_and_with_it_each_gets_its_own_topic()
    {
        var block = Meanings.SenseBlock();
        string[] topics = ["nature", "science", "medicine"];
        var mlpOnly = Meanings.MoleSentences.Select(s => MoleRow(s, block.Mlp.DeltaE(Meanings.Embed(s)))).ToArray();
        var withAttention = Meanings.MoleSentences.Select(s => MoleRow(s, block.Forward(Meanings.Embed(s)).Output)).ToArray();
        Assert.Equal(0f, (mlpOnly[0] - mlpOnly[1]).AbsoluteMaximum());
        Assert.Equal(0f, (mlpOnly[0] - mlpOnly[2]).AbsoluteMaximum());
        for (int s = 0; s < 3; s++)
        {
            int top = topics.Select(t => withAttention[s][Meanings.Feature(t)]).ToList().IndexOf(topics.Max(t => withAttention[s][Meanings.Feature(t)]));
            Assert.Equal(topics[s], topics[top]);
        }
    }

    [Fact]
    public void A_second_block_gives_every_word_of_a_technical_sentence_a_technical_tone_and_none_to_the_shrew()
    {
        var first = Meanings.SenseBlock();
        var second = Meanings.ToneBlock();
        double MinTone(IReadOnlyList<string> s, bool twoBlocks)
        {
            var one = first.Forward(Meanings.Embed(s)).Output;
            var stream = twoBlocks ? second.Forward(one).Output : one;
            return stream.Column(Meanings.Feature("technical tone")).Minimum();
        }
        Assert.Equal(0, MinTone(Meanings.MoleSentences[1], twoBlocks: false));
        Assert.True(MinTone(Meanings.MoleSentences[1], twoBlocks: true) > 0.3);
        Assert.True(MinTone(Meanings.MoleSentences[2], twoBlocks: true) > 0.3);
        Assert.Equal(0, MinTone(Meanings.MoleSentences[0], twoBlocks: true));
    }

    [Fact]
    public void A_word_outside_the_sentence_is_named_in_the_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => Meanings.Move(Meanings.SenseHead(), Meanings.MoleSentences[0], "tower"));
        Assert.Contains("tower", ex.Message);
    }

    private static MathNet.Numerics.LinearAlgebra.Vector<float> MoleRow(IReadOnlyList<string> sentence, MathNet.Numerics.LinearAlgebra.Matrix<float> m) =>
        m.Row(sentence.ToList().IndexOf("mole"));
}
