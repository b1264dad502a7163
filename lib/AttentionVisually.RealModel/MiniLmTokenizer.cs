using System.Text;
using Microsoft.ML.Tokenizers;

namespace AttentionVisually.RealModel;

/// <summary>
/// The model's own WordPiece tokenization (BERT uncased, Devlin et al. 2019; Wu et al. 2016 for WordPiece):
/// lower-case, strip accents, split on whitespace and punctuation, split each word into the longest
/// pieces found in <c>vocab.txt</c> (continuations start with <c>##</c>), then wrap in <c>[CLS] … [SEP]</c>.
/// Built on Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/> with the packaged vocabulary.
/// </summary>
/// <remarks>
/// Accents are removed as Hugging Face's uncased BERT tokenizer does (its <c>do_lower_case</c> implies
/// <c>strip_accents</c>), so "café" and "cafe" give the same ids. Where .NET runs without ICU (invariant
/// globalization) this holds for Latin letters (U+00C0–U+017F) and combining marks; other scripts' accents stay. Words keep the span of their pieces,
/// so an analysis can ask for "verdant" and get its three tokens <c>ve ##rdan ##t</c>.
/// </remarks>
public sealed class MiniLmTokenizer
{
    private readonly BertTokenizer bert;
    private readonly string[] vocabulary;

    private MiniLmTokenizer(BertTokenizer bert, string[] vocabulary)
    {
        this.bert = bert;
        this.vocabulary = vocabulary;
    }

    /// <summary>Reads a WordPiece vocabulary: one token per line, line n (from 0) is token id n.</summary>
    /// <param name="vocabulary">The vocab.txt stream. Read to its end; not disposed.</param>
    /// <returns>A tokenizer.</returns>
    /// <exception cref="InvalidDataException">The vocabulary lacks [CLS], [SEP] or [UNK].</exception>
    public static MiniLmTokenizer Load(Stream vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        using var copy = new MemoryStream();
        vocabulary.CopyTo(copy);
        string[] tokens = Encoding.UTF8.GetString(copy.ToArray()).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (tokens.Length > 0 && tokens[^1].Length == 0) tokens = tokens[..^1];
        foreach (string special in new[] { "[CLS]", "[SEP]", "[UNK]" })
            if (!tokens.Contains(special)) throw new InvalidDataException($"The vocabulary has no {special} token; it is not a BERT vocabulary.");
        copy.Position = 0;
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = true,
            RemoveNonSpacingMarks = true, // accents go, as in the uncased model's training data
            ApplyBasicTokenization = true,
            IndividuallyTokenizeCjk = true,
        };
        return new MiniLmTokenizer(BertTokenizer.Create(copy, options), tokens);
    }

    /// <summary>Number of tokens in the vocabulary (30522 for MiniLM).</summary>
    public int VocabSize => vocabulary.Length;

    /// <summary>Id of the classification token that starts every input.</summary>
    public int ClsId => bert.ClassificationTokenId;

    /// <summary>Id of the separator token that ends every input.</summary>
    public int SepId => bert.SeparatorTokenId;

    /// <summary>The token string of an id.</summary>
    /// <param name="id">A token id in [0, VocabSize).</param>
    /// <returns>The vocabulary line, e.g. "mole" or "##rdan".</returns>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public string TokenOf(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, vocabulary.Length);
        return vocabulary[id];
    }

    /// <summary>
    /// Removes accents: drops combining marks and maps the precomposed Latin letters (U+00C0–U+017F) to their
    /// base letter. <see cref="BertTokenizer"/> strips accents through Unicode decomposition, which does
    /// nothing where .NET runs with invariant globalization (no ICU), so the common cases are done here.
    /// </summary>
    internal static string StripAccents(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            int at = Accented.IndexOf(c);
            builder.Append(at >= 0 ? Unaccented[at] : c);
        }
        return builder.ToString();
    }

    // Each letter of Accented decomposes canonically (NFD) into the letter of Unaccented at the same place plus marks.
    private const string Accented = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž";
    private const string Unaccented = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZz";

    /// <summary>Tokenizes one text into <c>[CLS] pieces… [SEP]</c>.</summary>
    /// <param name="text">Any text; may be empty (then only [CLS] [SEP]).</param>
    /// <returns>Ids, token strings and which word each token belongs to.</returns>
    public TokenizedText Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = bert.EncodeToTokens(StripAccents(text), out string? normalized);
        string source = normalized ?? text;
        var ids = new List<int> { ClsId };
        var tokens = new List<string> { vocabulary[ClsId] };
        var wordOfToken = new List<int> { -1 };
        var words = new List<string>();
        int wordStart = 0;
        for (int p = 0; p < pieces.Count; p++)
        {
            var piece = pieces[p];
            bool continues = piece.Value.StartsWith("##", StringComparison.Ordinal);
            if (!continues || words.Count == 0)
            {
                wordStart = piece.Offset.Start.GetOffset(source.Length);
                words.Add("");
            }
            int end = piece.Offset.End.GetOffset(source.Length);
            words[^1] = source[wordStart..end];
            ids.Add(piece.Id);
            tokens.Add(piece.Value);
            wordOfToken.Add(words.Count - 1);
        }
        ids.Add(SepId);
        tokens.Add(vocabulary[SepId]);
        wordOfToken.Add(-1);
        return new TokenizedText(text, ids, tokens, wordOfToken, words);
    }
}

/// <summary>A tokenized text: <c>[CLS]</c>, the WordPiece tokens, <c>[SEP]</c>, and the words they spell.</summary>
public sealed record TokenizedText
{
    internal TokenizedText(string text, IReadOnlyList<int> ids, IReadOnlyList<string> tokens, IReadOnlyList<int> wordOfToken, IReadOnlyList<string> words)
    {
        Text = text;
        Ids = ids;
        Tokens = tokens;
        WordOfToken = wordOfToken;
        Words = words;
    }

    /// <summary>The original text.</summary>
    public string Text { get; }

    /// <summary>Token ids, one per position, starting with [CLS] and ending with [SEP].</summary>
    public IReadOnlyList<int> Ids { get; }

    /// <summary>Token strings, e.g. <c>[CLS] a fluffy … ve ##rdan ##t forest [SEP]</c>.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>For each token, the index of its word in <see cref="Words"/>, or −1 for [CLS] and [SEP].</summary>
    public IReadOnlyList<int> WordOfToken { get; }

    /// <summary>The words as the tokenizer split them (lower-cased, accents removed; punctuation is a word).</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Number of tokens, seqLen, including [CLS] and [SEP].</summary>
    public int Count => Ids.Count;

    /// <summary>The token positions that spell word <paramref name="word"/>, in order.</summary>
    /// <param name="word">A word index in [0, Words.Count).</param>
    /// <returns>One or more positions in the token sequence.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside the words.</exception>
    public IReadOnlyList<int> TokensOfWord(int word)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(word);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(word, Words.Count);
        return Enumerable.Range(0, Count).Where(i => WordOfToken[i] == word).ToArray();
    }

    /// <summary>Finds a word by its text (compared after the tokenizer's lower-casing).</summary>
    /// <param name="word">The word, e.g. "mole" or "Eiffel".</param>
    /// <param name="occurrence">Which occurrence, 0 for the first.</param>
    /// <returns>The word index.</returns>
    /// <exception cref="ArgumentException">The word does not occur that often; the message lists the words.</exception>
    public int IndexOfWord(string word, int occurrence = 0)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentOutOfRangeException.ThrowIfNegative(occurrence);
        int seen = 0;
        for (int w = 0; w < Words.Count; w++)
        {
            if (string.Equals(Words[w], word, StringComparison.OrdinalIgnoreCase) && seen++ == occurrence) return w;
        }
        throw new ArgumentException(
            $"word '{word}' (occurrence {occurrence}) is not in \"{Text}\"; its words are: {string.Join(" | ", Words)}.", nameof(word));
    }
}
