using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>Sizes that cannot fit are refused up front, naming the argument, the size, the bytes and what to use instead.</summary>
public class MemoryCheckTests
{
    private const int Huge = 100_000;

    private static Matrix<float> Tall(int rows, int cols) => Matrix<float>.Build.Dense(rows, cols, (r, c) => ((r + c) % 7) / 7f);

    public static TheoryData<string, string> HugeCalls() => new()
    {
        { "Attention.Pattern", "k" },
        { "Attention.Scores", "k" },
        { "Attention.ScaledDotProduct", "k" },
        { "ExplicitAttentionEngine", "k" },
        { "AttentionHead.Forward(e)", "e" },
        { "AttentionHead.Forward(e, isCausal)", "e" },
        { "MultiHeadAttention.Forward(e)", "e" },
        { "Init.Normal", "rows" },
        { "PositionalEncoding.Sinusoidal", "seqLen" },
        { "Mask.Causal", "numQueries" },
    };

    private static void Call(string what)
    {
        var x = Tall(Huge, 8);
        var head = AttentionHead.Random(dModel: 8, dK: 4, seed: 1);
        switch (what)
        {
            case "Attention.Pattern": Attention.Pattern(x, x); break;
            case "Attention.Scores": Attention.Scores(x, x); break;
            case "Attention.ScaledDotProduct": Attention.ScaledDotProduct(x, x, x); break;
            case "ExplicitAttentionEngine": new ExplicitAttentionEngine().Attend(x, x, x, isCausal: true); break;
            case "AttentionHead.Forward(e)": head.Forward(x); break;
            case "AttentionHead.Forward(e, isCausal)": head.Forward(x, isCausal: true); break;
            case "MultiHeadAttention.Forward(e)": MultiHeadAttention.Random(dModel: 8, numHeads: 2, seed: 1).Forward(x); break;
            case "Init.Normal": Init.Normal(Huge, Huge, seed: 1); break;
            case "PositionalEncoding.Sinusoidal": PositionalEncoding.Sinusoidal(Huge, Huge); break;
            case "Mask.Causal": Mask.Causal(Huge); break;
            default: throw new ArgumentOutOfRangeException(nameof(what), what, "no such call");
        }
    }

    [Theory]
    [MemberData(nameof(HugeCalls))]
    public void A_call_at_100000_tokens_is_refused_before_any_work_naming_the_size_and_the_bytes(string call, string param)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Call(call));
        Assert.Equal(param, ex.ParamName);
        Assert.Contains("100000", ex.Message.Replace(",", ""));
        Assert.Matches(@"\d+\.\d (GB|TB)", ex.Message);
    }

    [Theory]
    [InlineData("Attention.Pattern")]
    [InlineData("AttentionHead.Forward(e)")]
    [InlineData("ExplicitAttentionEngine")]
    public void A_refused_pattern_points_to_the_flash_engine(string call)
    {
        Assert.Contains("ManagedAttentionEngine", Assert.Throws<ArgumentOutOfRangeException>(() => Call(call)).Message);
    }

    [Fact]
    public void The_flash_engine_runs_what_the_explicit_path_refuses()
    {
        var x = Tall(Huge, 8);
        var output = new ManagedAttentionEngine().Attend(x, x, x, isCausal: true);
        Assert.Equal((Huge, 8), (output.RowCount, output.ColumnCount));
        Assert.True(output.Enumerate().All(float.IsFinite));
    }
}
