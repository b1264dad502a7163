using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Tests;

/// <summary>The named steps of <see cref="TorchAttention"/>, each checked on its own.</summary>
public class TorchAttentionTests
{
    [Theory]
    [InlineData(5, 3, 8)]
    [InlineData(1, 1, 1)]
    public void Project_computes_e_times_w_transposed(int seqLen, int dK, int dModel)
    {
        Matrix<float> e = AttentionReference.Random(seqLen, dModel, 1), w = AttentionReference.Random(dK, dModel, 2);
        using Tensor eT = TensorConvert.ToTensor(e), wT = TensorConvert.ToTensor(w);
        using Tensor projected = TorchAttention.Project(eT, wT);
        Assert.Equal(new long[] { seqLen, dK }, projected.shape);
        Matrix<float> expected = AttentionReference.Project(e, w);
        Assert.True((TensorConvert.ToMatrix(projected) - expected).Enumerate().All(x => Math.Abs(x) < 1e-5f));
    }

    [Fact]
    public void Project_with_stacked_heads_projects_each_head()
    {
        Matrix<float> e = AttentionReference.Random(6, 8, 1);
        Matrix<float>[] ws = [AttentionReference.Random(3, 8, 2), AttentionReference.Random(3, 8, 3)];
        using Tensor eT = TensorConvert.ToTensor(e), wT = TensorConvert.ToTensor(ws);
        using Tensor projected = TorchAttention.Project(eT, wT);
        Assert.Equal(new long[] { 2, 6, 3 }, projected.shape);
        Matrix<float>[] heads = TensorConvert.ToMatrices(projected);
        for (int h = 0; h < 2; h++)
        {
            Assert.True((heads[h] - AttentionReference.Project(e, ws[h])).Enumerate().All(x => Math.Abs(x) < 1e-5f));
        }
    }

    [Fact]
    public void Project_rejects_weights_for_another_d_model()
    {
        using Tensor e = zeros(4, 8), w = zeros(3, 7);
        var ex = Assert.Throws<ArgumentException>(() => TorchAttention.Project(e, w));
        Assert.Equal("w", ex.ParamName);
        Assert.Contains("(3, 7)", ex.Message);
        Assert.Contains("(4, 8)", ex.Message);
    }

    [Fact]
    public void Scale_divides_by_the_square_root_of_d_k()
    {
        using Tensor scores = full(2, 3, 8f);
        using Tensor scaled = TorchAttention.Scale(scores, 16);
        Assert.All(scaled.data<float>().ToArray(), x => Assert.Equal(2f, x));
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(3, 6)]
    [InlineData(6, 3)]
    public void The_causal_mask_lets_query_i_see_exactly_keys_up_to_i(int nQ, int nK)
    {
        using Tensor mask = TorchAttention.CausalMask(nQ, nK, CPU);
        Assert.Equal(new long[] { nQ, nK }, mask.shape);
        for (int i = 0; i < nQ; i++)
        {
            for (int j = 0; j < nK; j++)
            {
                Assert.Equal(j <= i, mask[i, j].item<bool>());
            }
        }
    }

    [Fact]
    public void Softmax_gives_rows_summing_to_one_and_zeros_for_a_fully_masked_row()
    {
        using Tensor scores = tensor(new float[] { 1, 2, 3, 0, 0, 0, 5, -1, 2 }, [3, 3]);
        using Tensor allowed = tensor(new[] { true, true, false, false, false, false, true, true, true }, [3, 3]);
        using Tensor masked = TorchAttention.ApplyMask(scores, allowed);
        using Tensor weights = TorchAttention.Softmax(masked);
        Matrix<float> w = TensorConvert.ToMatrix(weights);

        Assert.Equal(1f, w.Row(0).Sum(), 6);
        Assert.Equal(0f, w[0, 2]);
        Assert.All(w.Row(1).Enumerate(), x => Assert.Equal(0f, x)); // every key masked: zeros, not NaN
        Assert.Equal(1f, w.Row(2).Sum(), 6);
        Assert.Equal(Math.Exp(1) / (Math.Exp(1) + Math.Exp(2)), w[0, 0], 6);
    }

    [Fact]
    public void ApplyMask_rejects_a_mask_of_another_shape_or_type()
    {
        using Tensor scores = zeros(3, 4);
        using Tensor wrongShape = ones(3, 3, ScalarType.Bool);
        using Tensor wrongType = ones(3, 4);
        Assert.Equal("allowed", Assert.Throws<ArgumentException>(() => TorchAttention.ApplyMask(scores, wrongShape)).ParamName);
        Assert.Contains("Float32", Assert.Throws<ArgumentException>(() => TorchAttention.ApplyMask(scores, wrongType)).Message);
    }

    [Fact]
    public void Mix_rejects_values_for_another_number_of_keys()
    {
        using Tensor pattern = zeros(2, 5), v = zeros(4, 3);
        var ex = Assert.Throws<ArgumentException>(() => TorchAttention.Apply(pattern, v));
        Assert.Equal("v", ex.ParamName);
    }

    [Fact]
    public void Fused_and_explicit_agree_on_batched_cross_attention()
    {
        manual_seed(7);
        using Tensor q = randn(3, 5, 8), k = randn(3, 9, 8), v = randn(3, 9, 4);
        (Tensor output, Tensor pattern) = TorchAttention.Explicit(q, k, v, isCausal: true);
        using (output)
        using (pattern)
        using (Tensor fused = TorchAttention.Fused(q, k, v, isCausal: true))
        {
            Assert.Equal(new long[] { 3, 5, 4 }, fused.shape);
            Assert.Equal(new long[] { 3, 5, 9 }, pattern.shape);
            Assert.True(fused.allclose(output, rtol: 1e-5, atol: 1e-6));
        }
    }

    [Fact]
    public void Queries_and_keys_with_different_head_counts_are_rejected()
    {
        using Tensor q = zeros(2, 5, 8), k = zeros(3, 5, 8), v = zeros(3, 5, 8);
        var ex = Assert.Throws<ArgumentException>(() => TorchAttention.Fused(q, k, v, isCausal: false));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(2, 5, 8)", ex.Message);
    }
}
