using AttentionVisually.Torch;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Tests;

/// <summary>
/// Multi-head self- and cross-attention against the reference built head by head from
/// <see cref="NaiveAttention"/>, and against the library's managed <see cref="MultiHeadAttention"/> holding the
/// same weights; same tolerance and error measure as <see cref="TorchAttentionEngineTests"/>.
/// </summary>
public class TorchMultiHeadAttentionTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int, bool, bool> Grid()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (int n in new[] { 1, 7, 64, 300 })
        {
            foreach (int dK in new[] { 1, 16, 64 })
            {
                foreach (int numHeads in new[] { 1, 4, 12 })
                {
                    foreach (bool isCausal in new[] { false, true })
                    {
                        data.Add(n, dK, numHeads, isCausal, false);
                        data.Add(n, dK, numHeads, isCausal, true);
                    }
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Grid))]
    public void Explicit_and_fused_multi_head_attention_match_the_reference(int n, int dK, int numHeads, bool isCausal, bool isCross)
    {
        int dModel = numHeads * dK;
        int seed = (n * 100_000) + (dK * 1000) + (numHeads * 10) + (isCross ? 1 : 0);
        Matrix<float> e = NaiveAttention.Random(seed, n, dModel);
        Matrix<float> context = isCross ? NaiveAttention.Random(seed + 1, (n / 3) + 2, dModel) : e;
        Weights w = Weights.Random(seed + 2, numHeads, dK, dModel);
        double[,] expected = Reference(e, context, w, isCausal);
        var managed = new MultiHeadAttention(Enumerable.Range(0, numHeads).Select(h => new AttentionHead(w.Q[h], w.K[h], w.ValueDown[h], w.ValueUp[h])).ToArray());
        double[,] managedDeltaE = managed.Forward(e, context, isCausal ? Mask.Causal(n, context.RowCount) : null).DeltaE.ToArray().ToDouble();

        foreach (TorchAttentionMode mode in new[] { TorchAttentionMode.Explicit, TorchAttentionMode.Fused })
        {
            using var attention = TorchMultiHeadAttention.From(managed, mode, TorchDevices.Cpu);
            Matrix<float> deltaE = attention.Forward(e, context, isCausal);
            Assert.Equal((n, dModel), (deltaE.RowCount, deltaE.ColumnCount));
            double error = NaiveAttention.RelativeError(deltaE, expected);
            Assert.True(error <= Tolerance, $"{mode}: relative error {error:E2} > {Tolerance:E0} against the double reference");
            double errorManaged = NaiveAttention.RelativeError(deltaE, managedDeltaE);
            Assert.True(errorManaged <= Tolerance, $"{mode}: relative error {errorManaged:E2} > {Tolerance:E0} against the managed block");
        }
    }

    [Fact]
    public void Every_head_pattern_is_returned_and_matches_that_head_alone()
    {
        Weights w = Weights.Random(5, 3, 4, 12);
        Matrix<float> e = NaiveAttention.Random(6, 9, 12), context = NaiveAttention.Random(7, 5, 12);
        using var attention = new TorchMultiHeadAttention(w.Q, w.K, w.ValueDown, w.ValueUp, TorchAttentionMode.Explicit, TorchDevices.Cpu);
        (Matrix<float> deltaE, Matrix<float>[] patterns) = attention.ForwardWithPatterns(e, context, isCausal: true);

        Assert.Equal(3, patterns.Length);
        for (int h = 0; h < 3; h++)
        {
            Assert.Equal((9, 5), (patterns[h].RowCount, patterns[h].ColumnCount));
            double[,] expected = NaiveAttention.Pattern(NaiveAttention.Project(e, w.Q[h]), NaiveAttention.Project(context, w.K[h]), isCausal: true);
            Assert.True(NaiveAttention.RelativeError(patterns[h], expected) <= Tolerance);
        }
        Assert.True(NaiveAttention.RelativeError(deltaE, Reference(e, context, w, isCausal: true)) <= Tolerance);
    }

    [Fact]
    public void Weights_of_mismatched_heads_are_rejected_naming_the_head()
    {
        Weights w = Weights.Random(1, 2, 4, 8);
        Matrix<float>[] badK = [w.K[0], Matrix<float>.Build.Dense(4, 7)];
        var ex = Assert.Throws<ArgumentException>(() => new TorchMultiHeadAttention(w.Q, badK, w.ValueDown, w.ValueUp, TorchAttentionMode.Fused, TorchDevices.Cpu));
        Assert.Equal("wK[1]", ex.ParamName);
        Assert.Contains("(4, 7)", ex.Message);
    }

    [Fact]
    public void A_different_number_of_heads_per_map_is_rejected()
    {
        Weights w = Weights.Random(1, 2, 4, 8);
        var ex = Assert.Throws<ArgumentException>(() => new TorchMultiHeadAttention(w.Q, w.K, w.ValueDown, [w.ValueUp[0]], TorchAttentionMode.Fused, TorchDevices.Cpu));
        Assert.Equal("wValueUp", ex.ParamName);
    }

    [Fact]
    public void A_sequence_of_another_d_model_is_rejected()
    {
        Weights w = Weights.Random(1, 2, 4, 8);
        using var attention = new TorchMultiHeadAttention(w.Q, w.K, w.ValueDown, w.ValueUp, TorchAttentionMode.Fused, TorchDevices.Cpu);
        var ex = Assert.Throws<ArgumentException>(() => attention.Forward(NaiveAttention.Random(2, 5, 9), isCausal: true));
        Assert.Equal("e", ex.ParamName);
        Assert.Contains("(5, 9)", ex.Message);
    }

    [Fact]
    public void The_weights_stay_valid_outside_the_callers_dispose_scope()
    {
        Weights w = Weights.Random(1, 2, 4, 8);
        Matrix<float> e = NaiveAttention.Random(2, 5, 8);
        TorchMultiHeadAttention attention;
        using (NewDisposeScope())
        {
            attention = new TorchMultiHeadAttention(w.Q, w.K, w.ValueDown, w.ValueUp, TorchAttentionMode.Fused, TorchDevices.Cpu);
        }
        using (attention)
        {
            Assert.True(NaiveAttention.RelativeError(attention.Forward(e, isCausal: false), Reference(e, e, w, isCausal: false)) <= Tolerance);
        }
        Assert.Throws<ObjectDisposedException>(() => attention.Forward(e, isCausal: false));
    }

    private static double[,] Reference(Matrix<float> e, Matrix<float> context, Weights w, bool isCausal)
    {
        int dModel = e.ColumnCount;
        var deltaE = new double[e.RowCount, dModel];
        for (int h = 0; h < w.Q.Length; h++)
        {
            double[,] head = NaiveAttention.Attend(
                NaiveAttention.Project(e, w.Q[h]), NaiveAttention.Project(context, w.K[h]), NaiveAttention.Project(context, w.ValueDown[h]), isCausal); // (nQ, dK)
            for (int i = 0; i < e.RowCount; i++)
            {
                for (int m = 0; m < dModel; m++)
                {
                    double sum = 0;
                    for (int c = 0; c < head.GetLength(1); c++)
                    {
                        sum += head[i, c] * w.ValueUp[h][m, c];
                    }
                    deltaE[i, m] += sum;
                }
            }
        }
        return deltaE;
    }

    private sealed record Weights(Matrix<float>[] Q, Matrix<float>[] K, Matrix<float>[] ValueDown, Matrix<float>[] ValueUp)
    {
        // Scaled by 1/sqrt(fan-in) so projections and outputs stay of order one at every size.
        public static Weights Random(int seed, int numHeads, int dK, int dModel)
        {
            double down = 1 / Math.Sqrt(dModel), up = 1 / Math.Sqrt(dK * numHeads);
            Matrix<float>[] Make(int offset, int rows, int cols, double scale) =>
                Enumerable.Range(0, numHeads).Select(h => NaiveAttention.Random(seed + (offset * 1000) + h, rows, cols, scale)).ToArray();
            return new Weights(Make(1, dK, dModel, down), Make(2, dK, dModel, down), Make(3, dK, dModel, down), Make(4, dModel, dK, up));
        }
    }
}
