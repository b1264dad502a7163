namespace AttentionVisually.Tests;

public class TransformerBlockTests
{
    private static TransformerBlock Block(bool norm) =>
        new(MultiHeadAttention.Random(dModel: 16, numHeads: 4, seed: 1), Mlp.Random(16, 64, seed: 5), norm);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_block_adds_attention_then_the_mlp_to_the_residual_stream(bool norm)
    {
        var block = Block(norm);
        var e = Init.Normal(6, 16, seed: 9);
        var o = block.Forward(e, Mask.Causal(6));
        var read = norm ? TransformerBlock.LayerNorm(e) : e;
        var attention = block.Attention.Forward(read, Mask.Causal(6)).DeltaE;
        Assert.True(Compare.MaxAbsDifference(o.AttentionDelta, attention) < 1e-6);
        Assert.True(Compare.MaxAbsDifference(o.AfterAttention, e + attention) < 1e-6);
        var readAgain = norm ? TransformerBlock.LayerNorm(o.AfterAttention) : o.AfterAttention;
        Assert.True(Compare.MaxAbsDifference(o.Output, o.AfterAttention + block.Mlp.DeltaE(readAgain)) < 1e-6);
    }

    [Fact]
    public void Layer_norm_gives_every_row_mean_zero_and_variance_one_without_changing_the_input()
    {
        var x = Init.Normal(4, 10, seed: 2) * 3f + 1f;
        var copy = x.Clone();
        var y = TransformerBlock.LayerNorm(x);
        Assert.Equal(copy, x);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, y.Row(i).Average(), 5);
            Assert.Equal(1, y.Row(i).Select(v => (double)v * v).Average(), 3);
        }
    }

    [Fact]
    public void A_block_whose_parts_disagree_on_dModel_is_rejected_with_both_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TransformerBlock(MultiHeadAttention.Random(16, 4, 1), Mlp.Random(8, 32, 1)));
        Assert.Contains("dModel = 8", ex.Message);
        Assert.Contains("dModel = 16", ex.Message);
    }
}
