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
        var q = M(3, 8, 1) * 1e21f;
        var k = M(4, 8, 2) * 1e18f;
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
    private const int Huge = 100_000;

    private static Matrix<float> M(int rows, int cols, int seed, double scale = 1) => AttentionReference.Random(rows, cols, seed, scale);

    public static TheoryData<string> ExplicitCalls() =>
    [
        "engine.Attend(Matrix)", "engine.AttendWithPattern", "engine.Attend(Tensor)", "TorchAttention.Scores", "TorchAttention.Explicit",
    ];

    [Theory]
    [MemberData(nameof(ExplicitCalls))]
    public void The_explicit_path_at_100000_tokens_is_refused_up_front_instead_of_aborting_the_process(string call)
    {
        var x = M(Huge, 8, 1);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var engine = new AttentionVisually.Torch.TorchAttentionEngine(AttentionVisually.Torch.TorchAttentionMode.Explicit, TorchSharp.torch.CPU);
        var t = AttentionVisually.Torch.TensorConvert.ToTensor(x);
        Action act = call switch
        {
            "engine.Attend(Matrix)" => () => engine.Attend(x, x, x, isCausal: true),
            "engine.AttendWithPattern" => () => engine.AttendWithPattern(x, x, x, isCausal: true),
            "engine.Attend(Tensor)" => () => engine.Attend(t, t, t, isCausal: true),
            "TorchAttention.Scores" => () => AttentionVisually.Torch.TorchAttention.Scores(t, t),
            _ => () => AttentionVisually.Torch.TorchAttention.Explicit(t, t, t, isCausal: true),
        };
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(act);
        Assert.Matches(@"\d+\.\d (GB|TB)", ex.Message);
        Assert.Contains("100000", ex.Message.Replace(",", ""));
        Assert.Contains(ex.Message.Contains("flash engine") ? "flash engine" : "Fused", ex.Message);
    }

    [Theory]
    [InlineData(AttentionVisually.Torch.TorchAttentionMode.Fused)]
    [InlineData(AttentionVisually.Torch.TorchAttentionMode.Explicit)]
    public void Tensors_whose_scores_or_value_sums_would_overflow_are_refused_like_matrices(AttentionVisually.Torch.TorchAttentionMode mode)
    {
        var engine = new AttentionVisually.Torch.TorchAttentionEngine(mode, TorchSharp.torch.CPU);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var q = AttentionVisually.Torch.TensorConvert.ToTensor(M(3, 8, 1, 1e21));
        var k = AttentionVisually.Torch.TensorConvert.ToTensor(M(4, 8, 2, 1e18));
        var v = AttentionVisually.Torch.TensorConvert.ToTensor(M(4, 5, 3));
        var bigV = TorchSharp.torch.full(4, 5, 1e38f);
        var ok = AttentionVisually.Torch.TensorConvert.ToTensor(M(4, 8, 4));
        var ex = Assert.ThrowsAny<ArgumentException>(() => engine.Attend(q, k, v, isCausal: false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("overflow", ex.Message);
        Assert.Equal("v", Assert.ThrowsAny<ArgumentException>(() => engine.Attend(ok, ok, bigV, isCausal: true)).ParamName);
        Assert.Equal("v", Assert.ThrowsAny<ArgumentException>(() => engine.Attend(M(3, 8, 1), M(4, 8, 2), Matrix<float>.Build.Dense(4, 5, 1e38f), isCausal: true)).ParamName);
        Assert.Equal("v", Assert.ThrowsAny<ArgumentException>(() => AttentionVisually.Torch.TorchAttention.Fused(ok, ok, bigV, isCausal: false)).ParamName);
    }

    [Fact]
    public void Every_torch_entry_point_gives_either_a_finite_output_equal_to_the_reference_or_a_named_ArgumentException()
    {
        var fused = new AttentionVisually.Torch.TorchAttentionEngine(AttentionVisually.Torch.TorchAttentionMode.Fused, TorchSharp.torch.CPU);
        var explicitEngine = new AttentionVisually.Torch.TorchAttentionEngine(AttentionVisually.Torch.TorchAttentionMode.Explicit, TorchSharp.torch.CPU);
        var entries = new (string Name, Func<Matrix<float>, Matrix<float>, Matrix<float>, bool, Matrix<float>> Attend)[]
        {
            ("fused engine", fused.Attend),
            ("explicit engine", explicitEngine.Attend),
            ("fused engine on tensors", (q, k, v, c) => OnTensors(fused.Attend, q, k, v, c)),
            ("explicit engine on tensors", (q, k, v, c) => OnTensors(explicitEngine.Attend, q, k, v, c)),
        };
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        CsCheck.Check.Sample(AttentionFuzz.Cases, c =>
        {
            foreach (var (name, attend) in entries)
            {
                string? failure = AttentionFuzz.Judge(attend, ["q", "k", "v"], c);
                if (failure is not null) failures.Add($"{name} on {c}: {failure}");
            }
        }, iter: 300, threads: 1);
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
    }

    private static Matrix<float> OnTensors(
        Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, bool, TorchSharp.torch.Tensor> attend,
        Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var output = attend(AttentionVisually.Torch.TensorConvert.ToTensor(q), AttentionVisually.Torch.TensorConvert.ToTensor(k), AttentionVisually.Torch.TensorConvert.ToTensor(v), isCausal);
        return AttentionVisually.Torch.TensorConvert.ToMatrix(output);
    }
}
