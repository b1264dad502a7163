using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.RealModel;

/// <summary>Extracts the course's word-vector set from the token table of all-MiniLM-L6-v2.</summary>
public static class WordVectorSource
{
    /// <summary>The words of <c>data/word-vectors.csv</c>, each a single token of the model's vocabulary.</summary>
    public static IReadOnlyList<string> Words { get; } =
    [
        "man", "woman", "king", "queen", "boy", "girl", "he", "she", "father", "mother",
        "actor", "actress", "brother", "sister", "uncle", "aunt", "son", "daughter",
        "cat", "cats", "dog", "dogs", "tree", "trees", "house", "houses", "car", "cars",
        "bird", "birds", "book", "books",
    ];

    /// <summary>Reads each word's row of the model's input (token) embedding table.</summary>
    /// <param name="model">The loaded model.</param>
    /// <returns>Words with their 384-dimensional vectors.</returns>
    /// <exception cref="InvalidOperationException">A word is not a single token of the vocabulary.</exception>
    public static IReadOnlyList<(string Word, Vector<float> Vector)> Extract(MiniLm model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Words.Select(w =>
        {
            var t = model.Tokenize(w);
            // [CLS] word [SEP]: exactly one piece in between.
            if (t.Count != 3) throw new InvalidOperationException($"\"{w}\" is {t.Count - 2} word pieces, not one token.");
            return (w, model.Weights.Embeddings.Word.Row(t.Ids[1]));
        }).ToArray();
    }
}
