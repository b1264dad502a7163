using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class RealModelPiecesTests
{
    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(5, 384, 2)]
    [InlineData(3, 17, 3)]
    [InlineData(16, 64, 4)]  // exactly one 512-bit run of tokens per feature
    [InlineData(37, 384, 5)] // whole runs and a tail
    public void LayerNorm_with_unit_scale_and_zero_shift_gives_rows_of_mean_zero_and_variance_one(int seqLen, int dModel, int seed)
    {
        var x = Init.Normal(seqLen, dModel, seed) * 3f + 5f;
        var before = x.Clone();
        var norm = new LayerNormWeights(Vector<float>.Build.Dense(dModel, 1f), Vector<float>.Build.Dense(dModel, 0f));
        var y = LayerNorm.Apply(x, norm, 1e-12f);
        Assert.Equal((seqLen, dModel), (y.RowCount, y.ColumnCount));
        Assert.Equal(before, x);
        for (int i = 0; i < seqLen; i++)
        {
            var row = y.Row(i).Enumerate().Select(v => (double)v).ToArray();
            double mean = row.Average();
            Assert.Equal(0, mean, 5);
            if (dModel > 1) Assert.Equal(1, row.Average(v => (v - mean) * (v - mean)), 4);
        }
    }

    [Fact]
    public void LayerNorm_scale_and_shift_act_per_feature()
    {
        var x = Init.Normal(4, 6, 9);
        var gamma = Vector<float>.Build.Dense([1f, 2f, 3f, 4f, 5f, 6f]);
        var beta = Vector<float>.Build.Dense([0f, -1f, 1f, 0f, 2f, 0f]);
        var plain = LayerNorm.Apply(x, new LayerNormWeights(Vector<float>.Build.Dense(6, 1f), Vector<float>.Build.Dense(6, 0f)), 1e-12f);
        var scaled = LayerNorm.Apply(x, new LayerNormWeights(gamma, beta), 1e-12f);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(plain[i, j] * gamma[j] + beta[j], scaled[i, j], 5);
    }

    [Theory]
    [InlineData(4, 6)]
    [InlineData(37, 50)]
    public void LayerNorm_equals_a_double_precision_reference_with_scale_and_shift(int seqLen, int dModel)
    {
        var x = Init.Normal(seqLen, dModel, 11) * 2f + 3f;
        var gamma = Init.Normal(dModel, 1, 12).Column(0);
        var beta = Init.Normal(dModel, 1, 13).Column(0);

        var y = LayerNorm.Apply(x, new LayerNormWeights(gamma, beta), 1e-5f);

        for (int i = 0; i < seqLen; i++)
        {
            double[] row = x.Row(i).Select(v => (double)v).ToArray();
            double mean = row.Average(), std = Math.Sqrt(row.Average(v => (v - mean) * (v - mean)) + 1e-5);
            for (int j = 0; j < dModel; j++)
            {
                double expected = ((row[j] - mean) / std * gamma[j]) + beta[j];
                Assert.True(Math.Abs(expected - y[i, j]) <= 1e-5 * (1 + Math.Abs(expected)), $"({i}, {j}): expected {expected}, got {y[i, j]}");
            }
        }
    }

    [Fact]
    public void LayerNorm_refuses_weights_of_another_width_naming_both_sizes()
    {
        var e = Assert.Throws<ArgumentException>(() => LayerNorm.Apply(Init.Normal(2, 5, 1), new LayerNormWeights(Vector<float>.Build.Dense(4), Vector<float>.Build.Dense(4)), 1e-5f));
        Assert.Contains("4", e.Message);
        Assert.Contains("(2, 5)", e.Message);
    }

    [Theory]
    [InlineData(0.1f)]
    [InlineData(0.7f)]
    [InlineData(1.5f)]
    [InlineData(3f)]
    public void GELU_satisfies_gelu_x_minus_gelu_minus_x_equals_x(float x)
    {
        // Φ(x) + Φ(−x) = 1, so x Φ(x) − (−x) Φ(−x) = x.
        Assert.Equal(x, FeedForward.Gelu(x) - FeedForward.Gelu(-x), 6);
    }

    [Theory]
    [InlineData(-3f)]
    [InlineData(-0.5f)]
    [InlineData(0f)]
    [InlineData(0.5f)]
    [InlineData(2f)]
    public void GELU_is_within_the_tanh_approximations_known_error(float x)
    {
        // Hendrycks and Gimpel's approximation 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))) differs by under 1e-3.
        double approx = 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        Assert.InRange(FeedForward.Gelu(x) - approx, -1e-3, 1e-3);
    }

    [Theory]
    [InlineData(-4.0)]
    [InlineData(-1.3)]
    [InlineData(-0.01)]
    [InlineData(0.0)]
    [InlineData(0.2)]
    [InlineData(0.9)]
    [InlineData(2.5)]
    [InlineData(6.0)]
    public void The_fast_erf_is_within_2e_7_of_a_full_precision_erf(double z)
    {
        Assert.InRange(FeedForward.Erf(z) - MathNet.Numerics.SpecialFunctions.Erf(z), -2e-7, 2e-7);
    }

    [Fact]
    public void The_vectorized_GELU_of_the_forward_pass_matches_the_exact_GELU()
    {
        // 2,001 entries from -12 to 12: whole vectors and a scalar tail, both tails of erf, and 0.
        float[] values = Enumerable.Range(0, 2001).Select(i => -12f + (i * 0.012f)).ToArray();
        float[] inputs = (float[])values.Clone();

        FeedForward.GeluInPlace(values);

        for (int i = 0; i < inputs.Length; i++)
        {
            double x = inputs[i], exact = 0.5 * x * (1 + MathNet.Numerics.SpecialFunctions.Erf(x / Math.Sqrt(2)));
            Assert.True(Math.Abs(values[i] - exact) <= 2e-7 * (1 + Math.Abs(x)), $"GELU({x}) = {values[i]}, exact {exact}");
        }
    }

    [Fact]
    public void Linear_applies_W_x_plus_b_to_every_row()
    {
        var x = Init.Normal(3, 4, 1);
        x[1, 2] = 0f; // a zero input contributes nothing and is skipped
        var w = Init.Normal(5, 4, 2);
        var b = Vector<float>.Build.Dense([1f, 2f, 3f, 4f, 5f]);
        var y = Linear.Apply(x, w, b);
        Assert.Equal((3, 5), (y.RowCount, y.ColumnCount));
        for (int i = 0; i < 3; i++)
            for (int o = 0; o < 5; o++)
            {
                double expected = b[o];
                for (int j = 0; j < 4; j++) expected += (double)w[o, j] * x[i, j];
                Assert.Equal(expected, y[i, o], 4);
            }
    }

    [Fact]
    public void Linear_refuses_a_weight_whose_input_width_differs()
    {
        var e = Assert.Throws<ArgumentException>(() => Linear.Apply(Init.Normal(3, 4, 1), Init.Normal(5, 6, 2), Vector<float>.Build.Dense(5)));
        Assert.Equal("w", e.ParamName);
        Assert.Contains("(5, 6)", e.Message);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    [InlineData(9, 12)]
    public void Multi_head_self_attention_gives_the_same_output_with_or_without_an_engine(int seqLen, int layer)
    {
        var weights = MiniLm.Shared.Weights.Layers[layer % 6].Attention;
        var h = Init.Normal(seqLen, 384, seqLen + layer);
        var explicitPath = MultiHeadSelfAttention.Apply(h, weights);
        var enginePath = MultiHeadSelfAttention.Apply(h, weights, new ExplicitAttentionEngine());
        Assert.Equal((seqLen, 384), (explicitPath.Output.RowCount, explicitPath.Output.ColumnCount));
        Assert.Equal(12, explicitPath.Patterns!.Count);
        Assert.Null(enginePath.Patterns);
        Assert.True(Compare.MaxAbsDifference(explicitPath.Output, enginePath.Output) < 1e-5);
    }

    [Fact]
    public void One_heads_pattern_is_the_course_pattern_of_its_slice_of_the_projections()
    {
        // Head 3 reads columns [96, 128) of Q and K: the same numbers the course's Attention.Pattern gives.
        var weights = MiniLm.Shared.Weights.Layers[1].Attention;
        var h = Init.Normal(7, 384, 4);
        var result = MultiHeadSelfAttention.Apply(h, weights);
        var q = Linear.Apply(h, weights.WQ.SubMatrix(96, 32, 0, 384), weights.BQ.SubVector(96, 32));
        var k = Linear.Apply(h, weights.WK.SubMatrix(96, 32, 0, 384), weights.BK.SubVector(96, 32));
        var expected = Attention.Pattern(q, k);
        Assert.True(Compare.MaxAbsDifference(result.Patterns![3], expected) < 1e-6);
    }

    [Fact]
    public void An_engine_that_returns_the_wrong_shape_is_named_in_the_error()
    {
        var weights = MiniLm.Shared.Weights.Layers[0].Attention;
        var e = Assert.Throws<InvalidOperationException>(() => MultiHeadSelfAttention.Apply(Init.Normal(3, 384, 1), weights, new TransposingEngine()));
        Assert.Contains("transposing", e.Message);
    }

    [Fact]
    public void Attention_weights_whose_shapes_disagree_are_refused()
    {
        var w = MiniLm.Shared.Weights.Layers[0].Attention;
        var broken = w with { WK = w.WK.SubMatrix(0, 100, 0, 384) };
        var e = Assert.Throws<ArgumentException>(() => MultiHeadSelfAttention.Apply(Init.Normal(3, 384, 1), broken));
        Assert.Contains("(100, 384)", e.Message);
    }

    private sealed class TransposingEngine : IAttentionEngine
    {
        public string Name => "transposing";

        public Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal) =>
            Attention.ScaledDotProduct(q, k, v).Output.Transpose();
    }
}
