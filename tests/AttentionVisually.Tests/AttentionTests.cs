using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class AttentionTests
{
    public static TheoryData<int, int, int, int, bool> Shapes => new()
    {
        { 1, 1, 1, 1, false },
        { 7, 7, 16, 16, true },
        { 5, 9, 8, 3, false },
        { 33, 33, 64, 64, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Scaled_dot_product_matches_a_double_precision_reference(int nQ, int nK, int dK, int dV, bool isCausal)
    {
        var q = Init.Normal(nQ, dK, 1);
        var k = Init.Normal(nK, dK, 2);
        var v = Init.Normal(nK, dV, 3);
        var result = Attention.ScaledDotProduct(q, k, v, isCausal ? Mask.Causal(nQ, nK) : null);
        Assert.Equal((nQ, dV), (result.Output.RowCount, result.Output.ColumnCount));
        Assert.Equal((nQ, nK), (result.Pattern.RowCount, result.Pattern.ColumnCount));
        var expected = AttentionReference.Attend(q, k, v, isCausal ? (i, j) => j <= i : null);
        Assert.True(AttentionReference.RelativeError(result.Output, expected) < 1e-5);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(40)]
    public void The_causal_mask_gives_exactly_zero_weight_to_later_tokens_and_rows_still_sum_to_one(int n)
    {
        var q = Init.Normal(n, 8, 5);
        var k = Init.Normal(n, 8, 6);
        var a = Attention.Pattern(q, k, Mask.Causal(n));
        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++) Assert.Equal(0f, a[i, j]);
            Assert.Equal(1.0, a.Row(i).Sum(), 5);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(256)]
    public void Dot_products_of_unit_variance_vectors_have_variance_dK_before_scaling_and_about_one_after(int dK)
    {
        const int n = 400;
        var q = Init.Normal(n, dK, 7);
        var k = Init.Normal(n, dK, 8);
        var scores = Attention.Scores(q, k);
        double Var(Matrix<float> m)
        {
            double mean = m.Enumerate().Average(x => (double)x);
            return m.Enumerate().Average(x => (x - mean) * (x - mean));
        }
        // 160,000 samples: the sample variance is within a few percent of the true one.
        Assert.InRange(Var(scores) / dK, 0.9, 1.1);
        Assert.InRange(Var(Attention.Scale(scores, dK)), 0.9, 1.1);
    }

    [Fact]
    public void Without_a_mask_attention_is_permutation_equivariant()
    {
        var head = AttentionHead.Random(dModel: 12, dK: 4, seed: 3);
        var e = Init.Normal(6, 12, 4);
        int[] perm = [3, 0, 5, 1, 4, 2];
        var ePerm = Matrix<float>.Build.Dense(6, 12, (i, j) => e[perm[i], j]);
        var out1 = head.Forward(e).DeltaE;
        var out2 = head.Forward(ePerm).DeltaE;
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 12; j++)
                Assert.Equal(out1[perm[i], j], out2[i, j], 4);
    }

    [Fact]
    public void A_fully_masked_query_gets_zero_weights_and_a_zero_output()
    {
        var allowed = new bool[2, 3];
        allowed[0, 1] = true;
        var r = Attention.ScaledDotProduct(Init.Normal(2, 4, 1), Init.Normal(3, 4, 2), Init.Normal(3, 5, 3), Mask.FromArray(allowed));
        Assert.Equal(1f, r.Pattern[0, 1], 6);
        Assert.All(r.Pattern.Row(1), x => Assert.Equal(0f, x));
        Assert.All(r.Output.Row(1), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void Padding_keys_get_no_weight()
    {
        var a = Attention.Pattern(Init.Normal(3, 4, 1), Init.Normal(4, 4, 2), Mask.Padding(3, [true, true, false, false]));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0f, a[i, 2]);
            Assert.Equal(0f, a[i, 3]);
            Assert.Equal(1.0, a.Row(i).Sum(), 5);
        }
    }

    [Fact]
    public void The_seed_view_puts_keys_on_rows_and_each_column_sums_to_one()
    {
        var a = Attention.Pattern(Init.Normal(3, 4, 1), Init.Normal(5, 4, 2));
        var view = Attention.KeysByQueries(a);
        Assert.Equal((5, 3), (view.RowCount, view.ColumnCount));
        for (int c = 0; c < 3; c++) Assert.Equal(1.0, view.Column(c).Sum(), 5);
    }

    [Fact]
    public void Mismatched_dK_is_rejected_naming_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Attention.Scores(Init.Normal(3, 8, 1), Init.Normal(4, 16, 2)));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(4, 16)", ex.Message);
        Assert.Contains("(3, 8)", ex.Message);
    }

    [Fact]
    public void Values_with_the_wrong_number_of_rows_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Attention.ScaledDotProduct(Init.Normal(3, 8, 1), Init.Normal(4, 8, 2), Init.Normal(5, 8, 3)));
        Assert.Equal("v", ex.ParamName);
    }

    [Fact]
    public void A_mask_of_the_wrong_size_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Attention.Pattern(Init.Normal(3, 8, 1), Init.Normal(4, 8, 2), Mask.Causal(3)));
        Assert.Equal("mask", ex.ParamName);
        Assert.Contains("(3, 3)", ex.Message);
        Assert.Contains("(3, 4)", ex.Message);
    }

    [Fact]
    public void An_empty_sequence_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Attention.Scores(Matrix<float>.Build.Dense(0, 8), Init.Normal(4, 8, 2)));
        Assert.Equal("q", ex.ParamName);
    }

    [Fact]
    public void Infinity_in_the_keys_is_rejected()
    {
        var k = Init.Normal(4, 8, 2);
        k[2, 3] = float.PositiveInfinity;
        var ex = Assert.Throws<ArgumentException>(() => Attention.Pattern(Init.Normal(3, 8, 1), k));
        Assert.Equal("k", ex.ParamName);
    }
}
