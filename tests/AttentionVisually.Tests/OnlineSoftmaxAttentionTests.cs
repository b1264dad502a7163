using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class OnlineSoftmaxAttentionTests
{
    // (nQ, nK, dK, dV, isCausal): lengths around the block size of 64, nQ != nK, d = 1, dV != dK.
    public static TheoryData<int, int, int, int, bool> Shapes() => new()
    {
        { 1, 1, 1, 1, false },
        { 1, 1, 1, 1, true },
        { 7, 7, 16, 16, true },
        { 63, 63, 64, 64, true },
        { 64, 64, 64, 64, true },
        { 65, 65, 64, 64, true },
        { 65, 65, 64, 64, false },
        { 300, 300, 64, 64, true },
        { 300, 300, 16, 16, false },
        { 7, 300, 16, 5, false },
        { 300, 65, 1, 3, false },
        { 65, 300, 64, 24, true },
        { 300, 65, 16, 16, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Matches_the_explicit_double_precision_reference(int nQ, int nK, int dK, int dV, bool isCausal)
    {
        var q = AttentionReference.Random(nQ, dK, seed: 1);
        var k = AttentionReference.Random(nK, dK, seed: 2);
        var v = AttentionReference.Random(nK, dV, seed: 3);

        var output = OnlineSoftmaxAttention.Compute(q, k, v, isCausal);

        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal), output);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Gives_the_same_result_for_any_block_size(int blockSize)
    {
        var q = AttentionReference.Random(130, 16, seed: 4);
        var k = AttentionReference.Random(130, 16, seed: 5);
        var v = AttentionReference.Random(130, 8, seed: 6);

        var output = OnlineSoftmaxAttention.Compute(q, k, v, isCausal: true, blockSize);

        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal: true), output);
    }

    [Fact]
    public void The_first_causal_query_returns_the_first_value_exactly()
    {
        // Query 0 sees only key 0, whose weight is exp(0) / exp(0) = 1.
        var q = AttentionReference.Random(20, 8, seed: 7);
        var k = AttentionReference.Random(20, 8, seed: 8);
        var v = AttentionReference.Random(20, 4, seed: 9);

        var output = OnlineSoftmaxAttention.Compute(q, k, v, isCausal: true, blockSize: 3);

        Assert.Equal(v.Row(0).ToArray(), output.Row(0).ToArray());
    }

    [Fact]
    public void Huge_scores_neither_overflow_nor_leave_the_range_of_the_values()
    {
        // Scores of several thousand would overflow a naive exp; every output must stay a convex
        // combination of value rows, so each column lies between that column's min and max.
        var q = AttentionReference.Random(50, 16, seed: 10, scale: 30);
        var k = AttentionReference.Random(50, 16, seed: 11, scale: 30);
        var v = AttentionReference.Random(50, 4, seed: 12);

        var output = OnlineSoftmaxAttention.Compute(q, k, v, isCausal: false, blockSize: 8);

        for (int c = 0; c < v.ColumnCount; c++)
        {
            float lo = v.Column(c).Minimum(), hi = v.Column(c).Maximum();
            Assert.All(output.Column(c), x => Assert.InRange(x, lo - 1e-5f, hi + 1e-5f)); // slack: float rounding of the mix
            Assert.All(output.Column(c), x => Assert.True(float.IsFinite(x)));
        }
    }

    [Fact]
    public void Leaves_its_inputs_unchanged()
    {
        var q = AttentionReference.Random(70, 8, seed: 13);
        var k = AttentionReference.Random(70, 8, seed: 14);
        var v = AttentionReference.Random(70, 8, seed: 15);
        var (q0, k0, v0) = (q.Clone(), k.Clone(), v.Clone());

        OnlineSoftmaxAttention.Compute(q, k, v, isCausal: true);

        Assert.Equal(q0, q);
        Assert.Equal(k0, k);
        Assert.Equal(v0, v);
    }

    [Fact]
    public void Rejects_keys_whose_dK_differs_from_the_queries()
    {
        var ex = Assert.Throws<ArgumentException>(() => OnlineSoftmaxAttention.Compute(
            Matrix<float>.Build.Dense(4, 8), Matrix<float>.Build.Dense(5, 16), Matrix<float>.Build.Dense(5, 3), isCausal: false));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(4, 8)", ex.Message);
        Assert.Contains("(5, 16)", ex.Message);
    }

    [Fact]
    public void Rejects_values_whose_count_differs_from_the_keys()
    {
        var ex = Assert.Throws<ArgumentException>(() => OnlineSoftmaxAttention.Compute(
            Matrix<float>.Build.Dense(4, 8), Matrix<float>.Build.Dense(5, 8), Matrix<float>.Build.Dense(6, 3), isCausal: false));
        Assert.Equal("v", ex.ParamName);
        Assert.Contains("(6, 3)", ex.Message);
    }

    [Fact]
    public void Rejects_an_empty_sequence()
    {
        var ex = Assert.Throws<ArgumentException>(() => OnlineSoftmaxAttention.Compute(
            Matrix<float>.Build.Dense(4, 8), Matrix<float>.Build.Dense(0, 8), Matrix<float>.Build.Dense(0, 3), isCausal: false));
        Assert.Equal("k", ex.ParamName);
    }

    [Fact]
    public void Rejects_a_NaN_and_says_where_it_is()
    {
        var v = Matrix<float>.Build.Dense(5, 3);
        v[2, 1] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => OnlineSoftmaxAttention.Compute(
            Matrix<float>.Build.Dense(4, 8), Matrix<float>.Build.Dense(5, 8), v, isCausal: false));
        Assert.Equal("v", ex.ParamName);
        Assert.Contains("(2, 1)", ex.Message);
    }

    [Fact]
    public void Rejects_a_block_size_below_one()
    {
        var m = Matrix<float>.Build.Dense(2, 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnlineSoftmaxAttention.Compute(m, m, m, isCausal: false, blockSize: 0));
    }
}
