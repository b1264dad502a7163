using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>Every engine meets bad input at its boundary with an ArgumentException that names the argument.</summary>
public class BadInputTests
{
    public static TheoryData<string> EngineNames() => new(Engines.All().Select(e => e.Name));

    private static IAttentionEngine Engine(string name) => Engines.All().Single(e => e.Name == name);

    private static Matrix<float> M(int rows, int cols, int seed) => Init.Normal(rows, cols, seed);

    [Theory]
    [MemberData(nameof(EngineNames))]
    public void Keys_of_another_dK_are_rejected_naming_k_and_both_shapes(string engine)
    {
        var ex = Assert.Throws<ArgumentException>(() => Engine(engine).Attend(M(3, 8, 1), M(4, 6, 2), M(4, 5, 3), isCausal: false));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(3, 8)", ex.Message);
        Assert.Contains("(4, 6)", ex.Message);
    }

    [Theory]
    [MemberData(nameof(EngineNames))]
    public void Values_that_do_not_match_the_keys_are_rejected_naming_v(string engine)
    {
        var ex = Assert.Throws<ArgumentException>(() => Engine(engine).Attend(M(3, 8, 1), M(4, 8, 2), M(5, 8, 3), isCausal: true));
        Assert.Equal("v", ex.ParamName);
        Assert.Contains("(5, 8)", ex.Message);
    }

    [Theory]
    [MemberData(nameof(EngineNames))]
    public void An_empty_sequence_is_rejected_naming_it(string engine)
    {
        var ex = Assert.Throws<ArgumentException>(() => Engine(engine).Attend(Matrix<float>.Build.Dense(0, 8), M(4, 8, 2), M(4, 8, 3), isCausal: false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("empty", ex.Message);
    }

    [Theory]
    [MemberData(nameof(EngineNames))]
    public void NaN_or_infinity_is_rejected_naming_the_argument(string engine)
    {
        var q = M(3, 8, 1);
        q[1, 2] = float.NaN;
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => Engine(engine).Attend(q, M(4, 8, 2), M(4, 8, 3), isCausal: false)).ParamName);
        var v = M(4, 8, 3);
        v[3, 0] = float.PositiveInfinity;
        Assert.Equal("v", Assert.Throws<ArgumentException>(() => Engine(engine).Attend(M(3, 8, 1), M(4, 8, 2), v, isCausal: false)).ParamName);
    }

    [Theory]
    [MemberData(nameof(EngineNames))]
    public void Finite_inputs_whose_scores_would_overflow_are_rejected_instead_of_returning_NaN(string engine)
    {
        var q = M(3, 8, 1) * 1e20f;
        var k = M(4, 8, 2) * 1e20f;
        var ex = Assert.Throws<ArgumentException>(() => Engine(engine).Attend(q, k, M(4, 8, 3), isCausal: false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("overflow", ex.Message);
    }

    [Fact]
    public void A_head_rejects_a_mask_of_the_wrong_size_empty_embeddings_and_NaN()
    {
        var head = AttentionHead.Random(dModel: 8, dK: 4, seed: 1);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => head.Forward(M(5, 8, 2), Mask.Causal(4))).ParamName);
        Assert.Equal("e", Assert.Throws<ArgumentException>(() => head.Forward(Matrix<float>.Build.Dense(0, 8))).ParamName);
        var e = M(5, 8, 2);
        e[0, 0] = float.NaN;
        Assert.Equal("e", Assert.Throws<ArgumentException>(() => head.Forward(e)).ParamName);
    }

    [Fact]
    public void A_block_rejects_a_mask_of_the_wrong_size_in_both_forms()
    {
        var block = MultiHeadAttention.Random(dModel: 8, numHeads: 2, seed: 1);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => block.Forward(M(5, 8, 2), Mask.Causal(6))).ParamName);
        Assert.Equal("mask", Assert.Throws<ArgumentException>(() => block.DeltaEViaOutputMatrix(M(5, 8, 2), Mask.Causal(6))).ParamName);
    }
}

public class TorchBadInputTests
{
    [Fact]
    public void The_torch_block_rejects_NaN_empty_and_non_float_tensors_naming_them()
    {
        using var block = AttentionVisually.Torch.TorchMultiHeadAttention.From(MultiHeadAttention.Random(dModel: 8, numHeads: 2, seed: 1));
        using var nan = TorchSharp.torch.full(3, 8, float.NaN);
        using var ok = TorchSharp.torch.zeros(3, 8);
        using var empty = TorchSharp.torch.zeros(0, 8);
        using var doubles = TorchSharp.torch.zeros(3, 8, dtype: TorchSharp.torch.ScalarType.Float64);
        Assert.Equal("e", Assert.Throws<ArgumentException>(() => block.Forward(nan, ok, isCausal: false)).ParamName);
        Assert.Equal("context", Assert.Throws<ArgumentException>(() => block.Forward(ok, empty, isCausal: false)).ParamName);
        Assert.Equal("e", Assert.Throws<ArgumentException>(() => block.Forward(doubles, ok, isCausal: false)).ParamName);
    }
}
