using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.SmallGpt;

/// <summary>
/// What a trained head's W_Q and W_K read, by feeding them known directions: single word embeddings at an
/// average position, through the head's LayerNorm, give one query and one key per word, and their scaled dot
/// products say which keys each query word prefers (Elhage et al. 2021 call W_Qᵀ W_K the head's "QK circuit").
/// </summary>
public static class SmallGptReadout
{
    /// <summary>The head's attention scores <c>q · k / √d_k</c> between word embeddings.</summary>
    /// <param name="model">The model.</param>
    /// <param name="head">The head.</param>
    /// <param name="queryWords">Words read as queries (rows).</param>
    /// <param name="keyWords">Words read as keys (columns).</param>
    /// <returns>(queryWords, keyWords) scores before softmax.</returns>
    /// <exception cref="ArgumentException">A word is unknown, a list is empty, or the head does not exist.</exception>
    public static Matrix<float> QueryKeyScores(SmallGptModel model, HeadId head, IReadOnlyList<string> queryWords, IReadOnlyList<string> keyWords)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(queryWords);
        ArgumentNullException.ThrowIfNull(keyWords);
        var c = model.Config;
        if (head.Layer < 0 || head.Layer >= c.NumLayers || head.Head < 0 || head.Head >= c.NumHeads)
            throw new ArgumentException($"head {head} does not exist: the model has {c.NumLayers} layers of {c.NumHeads} heads.", nameof(head));
        if (queryWords.Count == 0 || keyWords.Count == 0)
            throw new ArgumentException($"queryWords has {queryWords.Count} and keyWords {keyWords.Count} words; both need at least one.", nameof(queryWords));
        var block = model.Weights.Blocks[head.Layer];
        int d = c.DModel, hd = c.HeadDim, inner = c.NumHeads * hd;
        // The average of the first 16 positions: where the grammar's adjectives and nouns sit.
        var position = model.Weights.PositionEmbedding.SubMatrix(0, 16, 0, d).ColumnSums() / 16f; // (dModel)
        Matrix<float> Read(IReadOnlyList<string> words, int offset)
        {
            var x = Matrix<float>.Build.Dense(words.Count, d, (i, j) => model.Weights.TokenEmbedding[StoryGrammar.Id(words[i]), j] + position[j]); // (n, dModel)
            var h = LayerNorm.Normalize(x, block.Norm1, SmallGptModel.LayerNormEpsilon);
            var w = block.WQkv.SubMatrix(offset + (head.Head * hd), hd, 0, d);   // (headDim, dModel)
            var b = block.BQkv.SubVector(offset + (head.Head * hd), hd);
            return Layers.Linear.Affine(h, w, b);                              // (n, headDim)
        }
        var q = Read(queryWords, 0);
        var k = Read(keyWords, inner);
        return Attention.Scale(Attention.Scores(q, k), hd); // (queries, keys)
    }
}
