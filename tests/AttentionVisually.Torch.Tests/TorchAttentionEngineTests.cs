using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionVisually.Tests;

/// <summary>
/// The TorchSharp engine, explicit and fused, against an independent double-precision reference and against
/// the library's managed <see cref="Attention.ScaledDotProduct"/>. Tolerance: <see cref="Tolerance"/> in the
/// max-norm relative error of <see cref="AttentionReference.RelativeError(Matrix{float}, double[,])"/>, max |actual - expected| / max(1, max |expected|)
/// (fp32 arithmetic against a double reference computed from the same fp32 inputs).
/// </summary>
public class TorchAttentionEngineTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int, bool> Grid()
    {
        var data = new TheoryData<int, int, int, bool>();
        foreach (int n in new[] { 1, 7, 64, 300 })
        {
            foreach (int dK in new[] { 1, 16, 64 })
            {
                foreach (bool isCausal in new[] { false, true })
                {
                    data.Add(n, n, dK, isCausal);           // self-attention
                    data.Add(n, n / 2 + 3, dK, isCausal);   // cross-attention, a different number of keys
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void Explicit_and_fused_engines_match_the_reference(int nQ, int nK, int dK, bool isCausal)
    {
        int seed = (nQ * 1000) + (nK * 10) + dK;
        Matrix<float> q = AttentionReference.Random(nQ, dK, seed), k = AttentionReference.Random(nK, dK, seed + 1), v = AttentionReference.Random(nK, 8, seed + 2);
        double[,] expected = AttentionReference.Attend(q, k, v, isCausal);
        double[,] managed = Attention.ScaledDotProduct(q, k, v, isCausal ? Mask.Causal(nQ, nK) : null).Output.ToArray().ToDouble();
        Assert.True(AttentionReference.RelativeError(Matrix<float>.Build.DenseOfArray(managed.ToSingle()), expected) <= Tolerance, "the two references disagree");

        foreach (TorchAttentionMode mode in new[] { TorchAttentionMode.Explicit, TorchAttentionMode.Fused })
        {
            Matrix<float> actual = new TorchAttentionEngine(mode, TorchDevices.Cpu).Attend(q, k, v, isCausal);
            Assert.Equal((nQ, 8), (actual.RowCount, actual.ColumnCount));
            double error = AttentionReference.RelativeError(actual, expected);
            Assert.True(error <= Tolerance, $"{mode}: relative error {error:E2} > {Tolerance:E0} against the double reference");
            double errorManaged = AttentionReference.RelativeError(actual, managed);
            Assert.True(errorManaged <= Tolerance, $"{mode}: relative error {errorManaged:E2} > {Tolerance:E0} against the managed engine");
        }
    }

    [Theory]
    [InlineData(7, 7, false)]
    [InlineData(64, 64, true)]
    [InlineData(5, 12, true)]
    [InlineData(12, 5, true)]
    public void The_pattern_matches_the_reference_and_its_rows_sum_to_one(int nQ, int nK, bool isCausal)
    {
        Matrix<float> q = AttentionReference.Random(nQ, 16, 1), k = AttentionReference.Random(nK, 16, 2), v = AttentionReference.Random(nK, 4, 3);
        (Matrix<float> output, Matrix<float> pattern) = new TorchAttentionEngine(TorchAttentionMode.Explicit, TorchDevices.Cpu).AttendWithPattern(q, k, v, isCausal);

        Assert.Equal((nQ, nK), (pattern.RowCount, pattern.ColumnCount));
        Assert.True(AttentionReference.RelativeError(pattern, AttentionReference.Pattern(q, k, isCausal)) <= Tolerance);
        Assert.True(AttentionReference.RelativeError(output, AttentionReference.Attend(q, k, v, isCausal)) <= Tolerance);
        for (int i = 0; i < nQ; i++)
        {
            Assert.Equal(1.0, pattern.Row(i).Sum(), 5);
            for (int j = i + 1; isCausal && j < nK; j++)
            {
                Assert.Equal(0f, pattern[i, j]); // exactly zero: exp(-infinity)
            }
        }
    }

    [Fact]
    public void Attend_does_not_change_its_inputs()
    {
        Matrix<float> q = AttentionReference.Random(9, 8, 4), k = AttentionReference.Random(9, 8, 5), v = AttentionReference.Random(9, 3, 6);
        Matrix<float> q0 = q.Clone(), k0 = k.Clone(), v0 = v.Clone();
        new TorchAttentionEngine(TorchAttentionMode.Explicit, TorchDevices.Cpu).AttendWithPattern(q, k, v, isCausal: true);
        new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu).Attend(q, k, v, isCausal: true);
        Assert.Equal(q0, q);
        Assert.Equal(k0, k);
        Assert.Equal(v0, v);
    }

    [Fact]
    public void Keys_with_another_d_k_are_rejected_with_both_shapes()
    {
        var engine = new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu);
        var ex = Assert.Throws<ArgumentException>(() =>
            engine.Attend(AttentionReference.Random(3, 4, 1), AttentionReference.Random(5, 3, 2), AttentionReference.Random(5, 2, 3), isCausal: false));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("dK = 3", ex.Message);
        Assert.Contains("dK = 4", ex.Message);
    }

    [Fact]
    public void Values_that_do_not_match_the_keys_are_rejected()
    {
        var engine = new TorchAttentionEngine(TorchAttentionMode.Explicit, TorchDevices.Cpu);
        var ex = Assert.Throws<ArgumentException>(() =>
            engine.Attend(AttentionReference.Random(3, 4, 1), AttentionReference.Random(5, 4, 2), AttentionReference.Random(6, 2, 3), isCausal: false));
        Assert.Equal("v", ex.ParamName);
        Assert.Contains("(6, 2)", ex.Message);
    }

    [Fact]
    public void A_NaN_input_is_rejected_with_its_position()
    {
        Matrix<float> q = AttentionReference.Random(3, 4, 1);
        q[2, 1] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() =>
            new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu).Attend(q, AttentionReference.Random(5, 4, 2), AttentionReference.Random(5, 2, 3), isCausal: false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("(2, 1)", ex.Message);
    }

    [Fact]
    public void A_tensor_on_another_device_is_rejected_naming_both_devices()
    {
        var engine = new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu);
        using Tensor onMeta = empty([4, 8], ScalarType.Float32, META);
        using Tensor k = randn(4, 8), v = randn(4, 8);
        var ex = Assert.Throws<ArgumentException>(() => engine.Attend(onMeta, k, v, isCausal: false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("meta", ex.Message);
        Assert.Contains("cpu", ex.Message);
    }

    [Fact]
    public void A_tensor_holding_infinity_is_rejected()
    {
        var engine = new TorchAttentionEngine(TorchAttentionMode.Explicit, TorchDevices.Cpu);
        using Tensor q = randn(4, 8), k = randn(4, 8), v = randn(4, 8);
        using Tensor bad = v.clone();
        bad[1, 2] = tensor(float.PositiveInfinity);
        var ex = Assert.Throws<ArgumentException>(() => engine.Attend(q, k, bad, isCausal: false));
        Assert.Equal("v", ex.ParamName);
    }

    [Fact]
    public void The_tensor_call_handles_leading_head_dimensions_like_separate_calls()
    {
        var engine = new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu);
        Matrix<float>[] qs = [AttentionReference.Random(6, 4, 1), AttentionReference.Random(6, 4, 2)];
        Matrix<float>[] ks = [AttentionReference.Random(6, 4, 3), AttentionReference.Random(6, 4, 4)];
        Matrix<float>[] vs = [AttentionReference.Random(6, 3, 5), AttentionReference.Random(6, 3, 6)];
        using Tensor q = TensorConvert.ToTensor(qs), k = TensorConvert.ToTensor(ks), v = TensorConvert.ToTensor(vs);
        using Tensor output = engine.Attend(q, k, v, isCausal: true);
        Matrix<float>[] heads = TensorConvert.ToMatrices(output);
        Assert.Equal(2, heads.Length);
        for (int h = 0; h < 2; h++)
        {
            Assert.True(AttentionReference.RelativeError(heads[h], AttentionReference.Attend(qs[h], ks[h], vs[h], isCausal: true)) <= Tolerance);
        }
    }

    [Fact]
    public void Many_calls_leave_no_live_tensors_behind()
    {
        Matrix<float> q = AttentionReference.Random(16, 8, 1), k = AttentionReference.Random(16, 8, 2), v = AttentionReference.Random(16, 8, 3);
        var engines = new[] { new TorchAttentionEngine(TorchAttentionMode.Explicit, TorchDevices.Cpu), new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu) };
        foreach (TorchAttentionEngine engine in engines)
        {
            engine.AttendWithPattern(q, k, v, isCausal: true); // first call may create long-lived state
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < 50; i++)
            {
                engine.Attend(q, k, v, isCausal: i % 2 == 0);
                engine.AttendWithPattern(q, k, v, isCausal: true);
            }
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }
    }

    [Fact]
    public void The_name_says_mode_and_device()
    {
        Assert.Equal("torch explicit (cpu)", new TorchAttentionEngine(TorchAttentionMode.Explicit, TorchDevices.Cpu).Name);
        Assert.Equal("torch fused (cpu)", new TorchAttentionEngine(TorchAttentionMode.Fused, TorchDevices.Cpu).Name);
    }
}
