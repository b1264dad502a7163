using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class RealModelAnalysisTests
{
    private static MiniLm Model => MiniLm.Shared;

    [Fact]
    public void A_words_vectors_by_layer_are_the_mean_of_its_tokens_rows()
    {
        var output = Model.Forward("the Eiffel tower");
        int eiffel = output.Tokens.IndexOfWord("eiffel");
        var rows = output.Tokens.TokensOfWord(eiffel);
        Assert.Equal(3, rows.Count); // e ##iff ##el
        var byLayer = ContextualEmbeddings.WordVectorsByLayer(output, eiffel);
        Assert.Equal(Model.Config.Transformer.NumLayers + 1, byLayer.Count);
        for (int l = 0; l < byLayer.Count; l++)
        {
            var expected = (output.HiddenStates[l].Row(rows[0]) + output.HiddenStates[l].Row(rows[1]) + output.HiddenStates[l].Row(rows[2])) / 3f;
            Assert.True((byLayer[l] - expected).AbsoluteMaximum() < 1e-6f);
            Assert.Equal(byLayer[l], ContextualEmbeddings.WordVector(output, eiffel, l));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Cosine_is_one_for_a_vector_and_its_positive_multiple_and_minus_one_for_its_negative(int seed)
    {
        var v = Init.Normal(1, 384, seed).Row(0);
        Assert.Equal(1.0, ContextualEmbeddings.Cosine(v, v * 2.5f), 6);
        Assert.Equal(-1.0, ContextualEmbeddings.Cosine(v, -v), 6);
        var w = Init.Normal(1, 384, seed + 10).Row(0);
        Assert.Equal(ContextualEmbeddings.Cosine(v, w), ContextualEmbeddings.Cosine(w, v), 12);
    }

    [Fact]
    public void Cosine_refuses_the_zero_vector_and_mismatched_lengths()
    {
        var v = Vector<float>.Build.Dense(3, 1f);
        Assert.Throws<ArgumentException>(() => ContextualEmbeddings.Cosine(v, Vector<float>.Build.Dense(3)));
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => ContextualEmbeddings.Cosine(v, Vector<float>.Build.Dense(4, 1f))).ParamName);
    }

    [Fact]
    public void The_same_word_in_different_sentences_has_identical_input_vectors_that_drift_apart_in_context()
    {
        var animal = Model.Forward("American shrew mole");
        var chemistry = Model.Forward("one mole of carbon dioxide");
        int a = animal.Tokens.IndexOfWord("mole"), c = chemistry.Tokens.IndexOfWord("mole");
        Assert.Equal(1.0, ContextualEmbeddings.Cosine(ContextualEmbeddings.InputVector(animal, a), ContextualEmbeddings.InputVector(chemistry, c)), 6);
        var byLayer = ContextualEmbeddings.CosineByLayer(animal, a, chemistry, c);
        Assert.Equal(Model.Config.Transformer.NumLayers + 1, byLayer.Count);
        Assert.True(byLayer[^1] < 0.99, $"after the last layer the two moles still have cosine {byLayer[^1]:F4}");
    }

    [Fact]
    public void Nearest_words_ranks_every_candidate_and_a_word_is_nearest_to_itself_at_the_embedding_layer()
    {
        var output = Model.Forward("tower");
        var vector = ContextualEmbeddings.WordVector(output, output.Tokens.IndexOfWord("tower"), 0);
        var ranked = ContextualEmbeddings.NearestWords(Model, vector, 0, ["carbon", "tower", "shrew"]);
        Assert.Equal(3, ranked.Count);
        Assert.Equal("tower", ranked[0].Word);
        Assert.Equal(1.0, ranked[0].Cosine, 5);
        Assert.True(ranked[1].Cosine >= ranked[2].Cosine);
    }

    [Fact]
    public void Word_pairs_link_every_token_of_the_noun_to_every_token_of_its_adjectives()
    {
        var tokens = Model.Tokenize("a fluffy blue creature roamed the verdant forest");
        var pairs = HeadFinder.WordPairs(tokens, ("creature", ["fluffy", "blue"]), ("forest", ["verdant"]));
        int creature = tokens.TokensOfWord(tokens.IndexOfWord("creature")).Single();
        int forest = tokens.TokensOfWord(tokens.IndexOfWord("forest")).Single();
        Assert.Equal(2 + 3, pairs.Count); // fluffy, blue; ve ##rdan ##t
        Assert.Equal(2, pairs.Count(p => p.From == creature));
        Assert.Equal(3, pairs.Count(p => p.From == forest));
    }

    [Fact]
    public void Head_scores_cover_every_head_and_their_mass_is_read_from_the_patterns()
    {
        var output = Model.Forward("a fluffy blue creature roamed the verdant forest");
        var pairs = HeadFinder.WordPairs(output.Tokens, ("creature", ["fluffy", "blue"]));
        var scores = HeadFinder.Score(output, pairs);
        Assert.Equal(6 * 12, scores.Count);
        Assert.Equal(72, scores.Select(s => (s.Layer, s.Head)).Distinct().Count());
        for (int i = 1; i < scores.Count; i++) Assert.True(scores[i - 1].Lift >= scores[i].Lift);
        int creature = pairs[0].From;
        foreach (var s in scores)
        {
            var a = output.Pattern(s.Layer, s.Head);
            Assert.Equal(a[creature, pairs[0].To] + (double)a[creature, pairs[1].To], s.Mass, 6);
            Assert.Equal(2.0 / output.Tokens.Count, s.Baseline, 12);
        }
    }

    [Fact]
    public void Previous_token_pairs_link_each_content_token_to_the_one_before()
    {
        var tokens = Model.Tokenize("the Eiffel tower");
        Assert.Equal([(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)], HeadFinder.PreviousTokenPairs(tokens));
    }

    [Fact]
    public void Head_scores_refuse_pairs_outside_the_sentence()
    {
        var output = Model.Forward("the Eiffel tower");
        Assert.Equal("pairs", Assert.Throws<ArgumentException>(() => HeadFinder.Score(output, [(0, 99)])).ParamName);
    }
}
