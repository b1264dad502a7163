namespace AttentionVisually.Tests;

public class TokensTests
{
    [Theory]
    [InlineData("a fluffy blue creature roamed the verdant forest")]
    [InlineData("one mole of carbon dioxide")]
    [InlineData("Je ne veux pas le caresser")]
    public void Tokens_put_back_together_give_the_text_and_decode_round_trips(string text)
    {
        var tokens = Tokens.Gpt2(text);
        Assert.Equal(text, string.Concat(tokens.Select(t => t.Text)));
        Assert.Equal(text, Tokens.Gpt2Decode(tokens.Select(t => t.Id)));
        Assert.All(tokens, t => Assert.InRange(t.Id, 0, Tokens.Gpt2VocabularySize - 1));
    }

    [Fact]
    public void A_rare_word_splits_into_several_sub_word_pieces()
    {
        Assert.True(Tokens.Gpt2(" verdant").Count >= 2);
        Assert.Single(Tokens.Gpt2(" forest"));
    }

    [Fact]
    public void Empty_text_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Tokens.Gpt2(""));
    }
}
