using System.Globalization;
using System.Text;

namespace AttentionVisually.RealModel;

/// <summary>
/// The model's own tokenization, BERT's reference algorithm for an uncased vocabulary (Devlin et al. 2019,
/// google-research/bert <c>tokenization.py</c>, as Hugging Face's <c>BertTokenizer</c> runs it; Wu et al. 2016 for
/// WordPiece). First the basic tokenizer: drop NUL, U+FFFD and control characters, turn every whitespace into a
/// space, put spaces around CJK ideographs, split on whitespace, lower-case, strip accents (NFD without marks), and
/// split off every punctuation character (ASCII symbols such as $ + &lt; = &gt; ^ ` | ~ count, as do the Unicode
/// categories P*; other symbols such as € © → ♥ stay inside their word). Then WordPiece: each word becomes the
/// longest pieces found in <c>vocab.txt</c>, continuations marked <c>##</c>; a word longer than 100 characters, or one
/// with a part no piece matches (an emoji, say), becomes <c>[UNK]</c>. The result is wrapped in <c>[CLS] … [SEP]</c>.
/// </summary>
/// <remarks>
/// Nothing here depends on the host's globalization data: accents are stripped with the course's own table
/// (<see cref="AccentFolding"/>), and characters are read as Unicode code points, so an emoji is one character (one
/// <c>[UNK]</c>) and not two surrogates. Words keep their pieces, so an analysis can ask for "verdant" and get its
/// three tokens <c>ve ##rdan ##t</c>. The tests cross-check every step against an independent implementation
/// (FastBertTokenizer) on a corpus of hard strings.
/// </remarks>
public sealed class MiniLmTokenizer
{
    /// <summary>Words longer than this many characters become [UNK] (BERT's <c>max_input_chars_per_word</c>).</summary>
    public const int MaxCharsPerWord = 100;

    private readonly Dictionary<string, int> ids;
    private readonly string[] vocabulary;
    private readonly int unknownId;

    private MiniLmTokenizer(string[] vocabulary)
    {
        this.vocabulary = vocabulary;
        ids = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (int i = 0; i < vocabulary.Length; i++) ids[vocabulary[i]] = i; // as the reference reads vocab.txt: a repeated token keeps its last line
        ClsId = ids["[CLS]"];
        SepId = ids["[SEP]"];
        unknownId = ids["[UNK]"];
    }

    /// <summary>Reads a WordPiece vocabulary: one token per line, line n (from 0) is token id n.</summary>
    /// <param name="vocabulary">The vocab.txt stream. Read to its end; not disposed.</param>
    /// <returns>A tokenizer.</returns>
    /// <exception cref="InvalidDataException">The vocabulary lacks [CLS], [SEP] or [UNK].</exception>
    public static MiniLmTokenizer Load(Stream vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        using var reader = new StreamReader(vocabulary, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        string[] tokens = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (tokens.Length > 0 && tokens[^1].Length == 0) tokens = tokens[..^1];
        foreach (string special in new[] { "[CLS]", "[SEP]", "[UNK]" })
            if (!tokens.Contains(special)) throw new InvalidDataException($"The vocabulary has no {special} token; it is not a BERT vocabulary.");
        return new MiniLmTokenizer(tokens);
    }

    /// <summary>Number of tokens in the vocabulary (30522 for MiniLM).</summary>
    public int VocabSize => vocabulary.Length;

    /// <summary>Id of the classification token that starts every input.</summary>
    public int ClsId { get; }

    /// <summary>Id of the separator token that ends every input.</summary>
    public int SepId { get; }

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

    /// <summary>Tokenizes one text into <c>[CLS] pieces… [SEP]</c>.</summary>
    /// <param name="text">Any text; may be empty (then only [CLS] [SEP]).</param>
    /// <returns>Ids, token strings and which word each token belongs to.</returns>
    public TokenizedText Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokenIds = new List<int> { ClsId };
        var tokens = new List<string> { vocabulary[ClsId] };
        var wordOfToken = new List<int> { -1 };
        var words = BasicTokens(text);
        for (int w = 0; w < words.Count; w++)
        {
            foreach (int id in WordPieces(words[w]))
            {
                tokenIds.Add(id);
                tokens.Add(vocabulary[id]);
                wordOfToken.Add(w);
            }
        }
        tokenIds.Add(SepId);
        tokens.Add(vocabulary[SepId]);
        wordOfToken.Add(-1);
        return new TokenizedText(text, tokenIds, tokens, wordOfToken, words);
    }

    /// <summary>
    /// BERT's basic tokenizer: clean, space out CJK ideographs, split on whitespace, lower-case, strip accents,
    /// split off punctuation. Returns the words in order.
    /// </summary>
    internal static List<string> BasicTokens(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        void EndWord()
        {
            if (word.Length == 0) return;
            // Lower-case, then strip accents (NFD without marks), as the reference does for each whitespace token.
            string folded = AccentFolding.Strip(Lower(word.ToString()));
            word.Clear();
            var piece = new StringBuilder();
            foreach (Rune r in folded.EnumerateRunes())
            {
                if (IsPunctuation(r))
                {
                    if (piece.Length > 0) words.Add(piece.ToString());
                    piece.Clear();
                    words.Add(r.ToString());
                }
                else
                {
                    piece.Append(r.ToString());
                }
            }
            if (piece.Length > 0) words.Add(piece.ToString());
        }

        foreach (Rune r in Runes(text))
        {
            if (r.Value == 0 || r.Value == 0xFFFD || IsControl(r)) continue; // _clean_text drops them
            if (IsWhitespace(r))
            {
                EndWord();
            }
            else if (IsCjk(r.Value))
            {
                EndWord();                  // " " + ideograph + " ": each one is a word of its own
                word.Append(r.ToString());
                EndWord();
            }
            else
            {
                word.Append(r.ToString());
            }
        }
        EndWord();
        return words;
    }

    /// <summary>
    /// Lower-cases one whitespace token as the reference's <c>str.lower()</c> does: the simple mappings, plus the two
    /// that depend on more than the character (Unicode's SpecialCasing): İ becomes i with a combining dot (which the
    /// accent stripping then removes), and Σ at the end of a word becomes the final sigma ς.
    /// </summary>
    private static string Lower(string token)
    {
        var runes = token.EnumerateRunes().ToArray();
        var builder = new StringBuilder(token.Length);
        for (int i = 0; i < runes.Length; i++)
        {
            Rune r = runes[i];
            if (r.Value == 0x0130) builder.Append("i\u0307");
            else if (r.Value == 0x03A3 && IsFinalSigma(runes, i)) builder.Append('ς');
            else builder.Append(Rune.ToLowerInvariant(r).ToString());
        }
        return builder.ToString();
    }

    // Unicode's Final_Sigma condition: a cased letter before (skipping marks), and none after (skipping marks).
    private static bool IsFinalSigma(Rune[] runes, int at)
    {
        static bool IsMark(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format;
        static bool IsCased(Rune r) => Rune.IsUpper(r) || Rune.IsLower(r) || Rune.GetUnicodeCategory(r) == UnicodeCategory.TitlecaseLetter;
        int before = at - 1;
        while (before >= 0 && IsMark(runes[before])) before--;
        int after = at + 1;
        while (after < runes.Length && IsMark(runes[after])) after++;
        return before >= 0 && IsCased(runes[before]) && !(after < runes.Length && IsCased(runes[after]));
    }

    /// <summary>WordPiece: greedy longest match first; [UNK] for a word too long or with a part no piece matches.</summary>
    private List<int> WordPieces(string word)
    {
        // Code-point boundaries: a piece never splits a surrogate pair.
        var starts = new List<int>();
        for (int i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1) starts.Add(i);
        starts.Add(word.Length);
        int chars = starts.Count - 1;
        if (chars > MaxCharsPerWord) return [unknownId];
        var pieces = new List<int>();
        int start = 0;
        while (start < chars)
        {
            int end = chars, found = -1;
            for (; end > start; end--)
            {
                string candidate = word[starts[start]..starts[end]];
                if (start > 0) candidate = "##" + candidate;
                if (ids.TryGetValue(candidate, out found)) break;
                found = -1;
            }
            if (found < 0) return [unknownId];
            pieces.Add(found);
            start = end;
        }
        return pieces;
    }

    /// <summary>The code points of a text; a lone surrogate (not a character) is read as U+FFFD, which is then dropped.</summary>
    private static IEnumerable<Rune> Runes(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            if (Rune.TryGetRuneAt(text, i, out Rune r))
            {
                yield return r;
                i += r.Utf16SequenceLength;
            }
            else
            {
                yield return Rune.ReplacementChar;
                i++;
            }
        }
    }

    // BERT's _is_whitespace: space, tab, newline, carriage return, and the category Zs.
    private static bool IsWhitespace(Rune r) =>
        r.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(r) == UnicodeCategory.SpaceSeparator
        || Rune.IsWhiteSpace(r); // also U+2028 and U+2029, which the reference's str.split() splits on

    // BERT's _is_control: the categories C* (control, format, private use, unassigned), except tab, newline and return.
    private static bool IsControl(Rune r)
    {
        if (r.Value is '\t' or '\n' or '\r') return false;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate;
    }

    // BERT's _is_punctuation: every non-letter, non-digit ASCII character, and the categories P*.
    private static bool IsPunctuation(Rune r)
    {
        int cp = r.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    // BERT's _is_chinese_char: the CJK Unified Ideographs blocks and their extensions and compatibility blocks.
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
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
