namespace AttentionVisually.Tests;

public class EmbeddingTests
{
    private static readonly string[] Vocabulary = ["american", "shrew", "mole", "one", "of", "carbon", "dioxide", "take", "a", "biopsy", "the"];

    [Fact]
    public void The_initial_embedding_of_mole_is_the_same_in_every_context()
    {
        var table = TokenEmbedding.Random(Vocabulary, dModel: 16, seed: 1);
        string[][] sentences = [["american", "shrew", "mole"], ["one", "mole", "of", "carbon", "dioxide"], ["take", "a", "biopsy", "of", "the", "mole"]];
        var moles = sentences.Select(s => table.Embed(s).Row(Array.IndexOf(s, "mole"))).ToArray();
        Assert.Equal(moles[0], moles[1]);
        Assert.Equal(moles[0], moles[2]);
        Assert.Equal(table["mole"], moles[0]);
    }

    [Fact]
    public void Position_is_added_on_top_so_the_same_token_at_two_positions_differs_only_by_position()
    {
        var table = TokenEmbedding.Random(Vocabulary, dModel: 16, seed: 1);
        string[] s = ["the", "mole", "the"];
        var e = PositionalEncoding.Embed(table, s);
        var pe = PositionalEncoding.Sinusoidal(3, 16);
        Assert.True(((e.Row(2) - pe.Row(2)) - (e.Row(0) - pe.Row(0))).AbsoluteMaximum() < 1e-6f);
        Assert.NotEqual(e.Row(0), e.Row(2));
    }

    [Fact]
    public void An_unknown_token_is_named_in_the_error()
    {
        var table = TokenEmbedding.Random(Vocabulary, dModel: 4, seed: 1);
        var ex = Assert.Throws<KeyNotFoundException>(() => table.Embed(["the", "wombat"]));
        Assert.Contains("wombat", ex.Message);
    }

    [Fact]
    public void An_empty_sequence_is_rejected()
    {
        var table = TokenEmbedding.Random(Vocabulary, dModel: 4, seed: 1);
        Assert.Throws<ArgumentException>(() => table.Embed([]));
    }

    [Fact]
    public void Changing_the_weights_handed_out_does_not_change_the_table()
    {
        var table = TokenEmbedding.Random(["a", "b"], dModel: 3, seed: 1);
        var before = table["a"];
        table.Weights[0, 0] = 1e6f;
        Assert.Equal(before, table["a"]);
    }
}
