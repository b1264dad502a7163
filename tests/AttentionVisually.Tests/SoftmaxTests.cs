using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class SoftmaxTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 9, 2)]
    [InlineData(16, 64, 3)]
    public void Every_row_sums_to_one_and_is_non_negative(int rows, int cols, int seed)
    {
        var w = Softmax.OverKeys(Init.Normal(rows, cols, seed, std: 5));
        for (int i = 0; i < rows; i++)
        {
            Assert.Equal(1.0, w.Row(i).Sum(), 5);
            Assert.All(w.Row(i), x => Assert.InRange(x, 0f, 1f));
        }
    }

    [Theory]
    [InlineData(-1000f)]
    [InlineData(3.5f)]
    [InlineData(1000f)]
    public void Adding_a_constant_to_a_row_changes_nothing(float shift)
    {
        var s = Init.Normal(4, 7, 11);
        var shifted = s.Map(x => x + shift);
        var a = Softmax.OverKeys(s);
        var b = Softmax.OverKeys(shifted);
        Assert.True((a - b).Enumerate().All(x => Math.Abs(x) < 1e-5f));
    }

    [Fact]
    public void Huge_scores_do_not_overflow()
    {
        var w = Softmax.Apply([1e30f, 1e30f, -1e30f]);
        Assert.Equal(0.5f, w[0], 6);
        Assert.Equal(0.5f, w[1], 6);
        Assert.Equal(0f, w[2]);
    }

    [Fact]
    public void Low_temperature_sharpens_and_high_temperature_flattens()
    {
        float[] s = [1f, 2f, 3f];
        float cold = Softmax.Apply(s, 0.1f).Max();
        float warm = Softmax.Apply(s, 1f).Max();
        float hot = Softmax.Apply(s, 100f).Max();
        Assert.True(cold > warm && warm > hot);
        Assert.True(cold > 0.99f);
        Assert.InRange(hot, 1f / 3, 1f / 3 + 0.01f);
    }

    [Fact]
    public void A_fully_masked_row_gives_zeros_not_NaN()
    {
        var w = Softmax.Apply([float.NegativeInfinity, float.NegativeInfinity]);
        Assert.Equal([0f, 0f], w);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void NaN_or_positive_infinity_is_rejected_with_its_position(float bad)
    {
        var s = Matrix<float>.Build.Dense(2, 3);
        s[1, 2] = bad;
        var ex = Assert.Throws<ArgumentException>(() => Softmax.OverKeys(s));
        Assert.Contains("(1, 2)", ex.Message);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void A_non_positive_temperature_is_rejected(float t)
    {
        var ex = Assert.Throws<ArgumentException>(() => Softmax.Apply([1f, 2f], t));
        Assert.Equal("temperature", ex.ParamName);
    }

    [Fact]
    public void An_empty_row_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Softmax.Apply([]));
    }
}
