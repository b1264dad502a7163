using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class HeadTests
{
    [Fact]
    public void The_factored_value_map_equals_value_up_times_value_down()
    {
        var head = AttentionHead.Random(dModel: 20, dK: 5, seed: 1);
        var e = Init.Normal(7, 20, 2);
        var viaFactors = head.Values(e);
        var viaFullRank = e.TransposeAndMultiply(head.ValueMatrix); // (7, 20)
        Assert.True(Reference.RelativeError(viaFactors, viaFullRank) < 1e-5);
        Assert.Equal(5, head.ValueMatrix.Rank());
    }

    [Fact]
    public void Delta_e_is_the_pattern_weighted_sum_of_values_and_e_prime_adds_it()
    {
        var head = AttentionHead.Random(dModel: 10, dK: 3, seed: 4);
        var e = Init.Normal(4, 10, 5);
        var o = head.Forward(e, isCausal: true);
        for (int i = 0; i < 4; i++)
        {
            var expected = Vector<float>.Build.Dense(10);
            for (int j = 0; j < 4; j++) expected += o.Pattern[i, j] * o.V.Row(j);
            Assert.True((expected - o.DeltaE.Row(i)).AbsoluteMaximum() < 1e-5f);
        }
        // With causality the first token can only look at itself.
        Assert.True((o.DeltaE.Row(0) - o.V.Row(0)).AbsoluteMaximum() < 1e-5f);
    }

    [Fact]
    public void Cross_attention_takes_queries_from_one_sequence_and_keys_from_another()
    {
        var head = AttentionHead.Random(dModel: 8, dK: 4, seed: 6);
        var english = Init.Normal(7, 8, 7);
        var french = Init.Normal(5, 8, 8);
        var o = head.Forward(french, english, mask: null);
        Assert.Equal((5, 7), (o.Pattern.RowCount, o.Pattern.ColumnCount));
        Assert.Equal((5, 8), (o.DeltaE.RowCount, o.DeltaE.ColumnCount));
        var expected = Reference.Attention(head.Queries(french), head.Keys(english), head.Values(english));
        Assert.True(Reference.RelativeError(o.DeltaE, expected) < 1e-5);
    }

    [Fact]
    public void Embeddings_of_the_wrong_width_are_rejected()
    {
        var head = AttentionHead.Random(dModel: 8, dK: 4, seed: 6);
        var ex = Assert.Throws<ArgumentException>(() => head.Forward(Init.Normal(3, 9, 1)));
        Assert.Contains("dModel = 9", ex.Message);
        Assert.Contains("dModel = 8", ex.Message);
    }

    [Fact]
    public void Weights_of_inconsistent_shapes_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new AttentionHead(Init.Normal(4, 8, 1), Init.Normal(4, 8, 2), Init.Normal(4, 8, 3), Init.Normal(8, 5, 4)));
        Assert.Equal("wValueUp", ex.ParamName);
    }
}

public class MultiHeadAttentionTests
{
    [Theory]
    [InlineData(1, 8, false)]
    [InlineData(4, 32, true)]
    [InlineData(12, 48, false)]
    public void The_stapled_output_matrix_form_equals_the_sum_of_the_heads_proposals(int numHeads, int dModel, bool isCausal)
    {
        var mha = MultiHeadAttention.Random(dModel, numHeads, seed: 9);
        var e = Init.Normal(6, dModel, 10);
        var mask = isCausal ? Mask.Causal(6) : null;
        var summed = mha.Forward(e, mask);
        var stapled = mha.DeltaEViaOutputMatrix(e, mask);
        Assert.True(Reference.RelativeError(stapled, summed.DeltaE) < 1e-5);
        var sumOfHeads = summed.Heads.Aggregate(Matrix<float>.Build.Dense(6, dModel), (acc, h) => acc + h.DeltaE);
        Assert.True(Reference.RelativeError(summed.DeltaE, sumOfHeads) < 1e-6);
        Assert.True(Reference.RelativeError(summed.Output, e + sumOfHeads) < 1e-6);
    }

    [Fact]
    public void The_output_matrix_staples_the_value_up_maps_side_by_side()
    {
        var mha = MultiHeadAttention.Random(dModel: 12, numHeads: 3, seed: 2);
        Assert.Equal((12, 12), (mha.WO.RowCount, mha.WO.ColumnCount));
        Assert.Equal(mha.Heads[1].WValueUp, mha.WO.SubMatrix(0, 12, 4, 4));
    }

    [Fact]
    public void Heads_that_do_not_divide_dModel_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => MultiHeadAttention.Random(dModel: 10, numHeads: 3, seed: 1));
        Assert.Equal("numHeads", ex.ParamName);
        Assert.Contains("dModel = 10", ex.Message);
    }

    [Fact]
    public void Parameter_count_equals_the_number_of_weights_the_block_holds()
    {
        var mha = MultiHeadAttention.Random(dModel: 24, numHeads: 4, seed: 1);
        long counted = mha.Heads.Sum(h => (long)(h.WQ.RowCount * h.WQ.ColumnCount + h.WK.RowCount * h.WK.ColumnCount
            + h.WValueDown.RowCount * h.WValueDown.ColumnCount + h.WValueUp.RowCount * h.WValueUp.ColumnCount));
        Assert.Equal(counted, mha.ParameterCount);
        var config = TransformerConfig.Create("tiny", vocabSize: 10, contextLength: 8, dModel: 24, numHeads: 4, numLayers: 1);
        Assert.Equal(counted, Sizing.AttentionBlock(config));
    }
}
