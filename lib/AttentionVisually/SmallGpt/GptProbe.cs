using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.SmallGpt;

/// <summary>
/// Measurements on the trained small GPT that the chapter and the tests share: next-token accuracy on a task,
/// how much more than uniform a head attends from the scored word to its evidence (lift), how much it attends
/// to the previous token, and what removing heads' Δe does to the accuracy.
/// </summary>
public static class GptProbe
{
    /// <summary>The seed of each task's held-out sentences, so chapter, tool and tests score the same ones.</summary>
    /// <param name="task">The task.</param>
    /// <returns>Its seed.</returns>
    public static int HeldOutSeed(StoryTask task) => 9000 + (int)task;

    /// <summary>The held-out sentences the course reports accuracies on: 200 per task, fixed.</summary>
    /// <param name="task">The task.</param>
    /// <param name="count">How many, 200 by default.</param>
    /// <returns>The sentences.</returns>
    public static IReadOnlyList<StorySentence> HeldOut(StoryTask task, int count = 200) =>
        StoryGrammar.Sentences(task, StorySplit.HeldOut, count, HeldOutSeed(task));

    /// <summary>Whether the model's top next token at the sentence's scored word is an accepted answer.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sentence">The sentence.</param>
    /// <param name="ablated">Heads removed; none when null.</param>
    /// <returns>True when right.</returns>
    public static bool IsRight(SmallGptModel model, StorySentence sentence, IReadOnlyCollection<HeadId>? ablated = null) =>
        sentence.Accepted.Contains(TopWord(model, sentence, ablated));

    /// <summary>The model's top next word at the sentence's scored position.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sentence">The sentence.</param>
    /// <param name="ablated">Heads removed; none when null.</param>
    /// <returns>The word with the largest logit.</returns>
    public static string TopWord(SmallGptModel model, StorySentence sentence, IReadOnlyCollection<HeadId>? ablated = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sentence);
        var logits = model.Run(Prefix(sentence), ablated).Logits;
        return StoryGrammar.Vocabulary[logits.Row(sentence.QueryPosition).MaximumIndex()];
    }

    /// <summary>The share of sentences whose scored next word the model gets right.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sentences">The sentences, at least one.</param>
    /// <param name="ablated">Heads removed; none when null.</param>
    /// <returns>Accuracy in [0, 1].</returns>
    /// <exception cref="ArgumentException">No sentences.</exception>
    public static double Accuracy(SmallGptModel model, IReadOnlyList<StorySentence> sentences, IReadOnlyCollection<HeadId>? ablated = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0)
            throw new ArgumentException("sentences is empty; an accuracy needs at least one sentence.", nameof(sentences));
        return sentences.Count(s => IsRight(model, s, ablated)) / (double)sentences.Count;
    }

    /// <summary>
    /// Every head's lift from the scored word to its evidence: the attention weight on the cue position
    /// divided by the weight uniform attention would give (1 / the number of visible tokens), averaged over
    /// the sentences. 1 means "no preference"; a head that finds the adjective scores far above.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sentences">The sentences, at least one.</param>
    /// <returns>(numLayers, numHeads) mean lifts.</returns>
    public static Matrix<double> CueLift(SmallGptModel model, IReadOnlyList<StorySentence> sentences) =>
        MeanOverHeads(model, sentences, (pattern, s) => pattern[s.QueryPosition, s.CuePosition] * (s.QueryPosition + 1));

    /// <summary>Every head's mean attention from the scored word to the word just before it.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sentences">The sentences, at least one.</param>
    /// <returns>(numLayers, numHeads) mean weights in [0, 1].</returns>
    public static Matrix<double> PreviousTokenWeight(SmallGptModel model, IReadOnlyList<StorySentence> sentences) =>
        MeanOverHeads(model, sentences, (pattern, s) => pattern[s.QueryPosition, s.QueryPosition - 1]);

    /// <summary>Every head's mean attention from the scored word to its evidence.</summary>
    /// <param name="model">The model.</param>
    /// <param name="sentences">The sentences, at least one.</param>
    /// <returns>(numLayers, numHeads) mean weights in [0, 1].</returns>
    public static Matrix<double> CueWeight(SmallGptModel model, IReadOnlyList<StorySentence> sentences) =>
        MeanOverHeads(model, sentences, (pattern, s) => pattern[s.QueryPosition, s.CuePosition]);

    /// <summary>
    /// Every head's previous-token score over all positions of the sentences: the mean weight each token puts
    /// on the token before it. A previous-token head scores near 1.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="sentences">The sentences, at least one.</param>
    /// <returns>(numLayers, numHeads) mean weights in [0, 1].</returns>
    public static Matrix<double> PreviousTokenScore(SmallGptModel model, IReadOnlyList<StorySentence> sentences) =>
        MeanOverHeads(model, sentences, (pattern, _) => Enumerable.Range(1, pattern.RowCount - 1).Average(i => (double)pattern[i, i - 1]), fullSentence: true);

    /// <summary>The head with the largest value of a (numLayers, numHeads) table.</summary>
    /// <param name="table">A table from <see cref="CueLift"/> or the like.</param>
    /// <returns>Its head.</returns>
    public static HeadId Best(Matrix<double> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var best = new HeadId(0, 0);
        for (int l = 0; l < table.RowCount; l++)
        {
            for (int h = 0; h < table.ColumnCount; h++)
            {
                if (table[l, h] > table[best.Layer, best.Head]) best = new HeadId(l, h);
            }
        }
        return best;
    }

    /// <summary>The sentence's tokens up to and including its scored word (all the model sees when it predicts).</summary>
    /// <param name="sentence">The sentence.</param>
    /// <returns>The prefix.</returns>
    public static IReadOnlyList<string> Prefix(StorySentence sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return sentence.Tokens.Take(sentence.QueryPosition + 1).ToArray();
    }

    private static Matrix<double> MeanOverHeads(SmallGptModel model, IReadOnlyList<StorySentence> sentences, Func<Matrix<float>, StorySentence, double> measure, bool fullSentence = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sentences);
        if (sentences.Count == 0)
            throw new ArgumentException("sentences is empty; a measurement needs at least one sentence.", nameof(sentences));
        var sum = Matrix<double>.Build.Dense(model.Config.NumLayers, model.Config.NumHeads);
        foreach (var s in sentences)
        {
            var trace = model.Run(fullSentence ? s.Tokens : Prefix(s));
            for (int l = 0; l < model.Config.NumLayers; l++)
            {
                for (int h = 0; h < model.Config.NumHeads; h++)
                {
                    sum[l, h] += measure(trace.Patterns[l][h], s);
                }
            }
        }
        return sum / sentences.Count;
    }
}
