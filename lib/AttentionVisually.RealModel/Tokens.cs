using Microsoft.ML.Tokenizers;

namespace AttentionVisually.RealModel;

/// <summary>
/// Text to tokens the way GPT-2 and GPT-3 do it: byte-pair encoding over a vocabulary of 50,257 pieces
/// (Microsoft.ML.Tokenizers with the GPT-2 data package). Common words are one token; rare words split
/// into sub-word pieces.
/// </summary>
public static class Tokens
{
    private static readonly Lazy<TiktokenTokenizer> gpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    /// <summary>The number of entries in GPT-2's vocabulary.</summary>
    public static int Gpt2VocabularySize => 50_257;

    /// <summary>Splits text into GPT-2 tokens.</summary>
    /// <param name="text">Any non-empty text.</param>
    /// <returns>Each token's id and its text (a leading space is part of the piece, as in GPT-2).</returns>
    /// <exception cref="ArgumentException">The text is null or empty.</exception>
    public static IReadOnlyList<Token> Gpt2(string text)
    {
        if (string.IsNullOrEmpty(text)) throw new ArgumentException("text is empty: there is nothing to tokenize.", nameof(text));
        return gpt2.Value.EncodeToTokens(text, out _).Select(t => new Token(t.Id, t.Value)).ToArray();
    }

    /// <summary>Turns GPT-2 token ids back into text.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>The decoded text.</returns>
    public static string Gpt2Decode(IEnumerable<int> ids) => gpt2.Value.Decode(ids) ?? "";
}

/// <summary>A token: its id in the vocabulary and the piece of text it stands for.</summary>
/// <param name="Id">Row of the embedding table.</param>
/// <param name="Text">The piece of text.</param>
public sealed record Token(int Id, string Text);
