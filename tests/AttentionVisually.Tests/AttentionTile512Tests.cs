using System.Runtime.Intrinsics;
using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// The Vector512 path of the attention kernel (<see cref="AttentionTile512"/>) and the many-heads entry point
/// of <see cref="FlashAttention"/>, against the double-precision reference. On a processor without AVX-512 the
/// runtime emulates Vector512 in software, so these tests check the same arithmetic everywhere.
/// </summary>
public class AttentionTile512Tests
{
    public static TheoryData<int, int, int, int, bool> Shapes() => OnlineSoftmaxAttentionTests.Shapes();

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(KernelTests.HeadSizes), MemberType = typeof(KernelTests))]
    public void The_512_bit_path_matches_the_explicit_double_precision_reference(int nQ, int nK, int dK, int dV, bool isCausal)
    {
        var (q, k, v) = Inputs(nQ, nK, dK, dV, seed: 40);
        var expected = AttentionReference.Attend(q, k, v, isCausal);

        AttentionReference.AssertClose(expected, Run(q, k, v, isCausal, MatrixLayout.RowMajor, cores: 2));
        AttentionReference.AssertClose(expected, Run(q, k, v, isCausal, MatrixLayout.ColumnMajor, cores: 1));
    }

    [Fact]
    public void The_512_bit_exp_gives_the_256_bit_exp_bit_for_bit()
    {
        for (int step = 0; step <= 100_000; step++)
        {
            float x = -90f * step / 100_000f;
            Assert.Equal(AttentionTile.ExpNonPositive(Vector256.Create(x)).ToScalar(), AttentionTile512.ExpNonPositive(Vector512.Create(x)).ToScalar());
        }

        Assert.Equal(0f, AttentionTile512.ExpNonPositive(Vector512.Create(float.NegativeInfinity)).ToScalar());
    }

    [Theory]
    [InlineData(256, 128, true)]
    [InlineData(200, 128, false)]
    [InlineData(130, 64, true)]
    public void The_512_bit_path_matches_the_reference_at_the_bench_head_sizes(int n, int d, bool isCausal)
    {
        var (q, k, v) = Inputs(n, n, d, d, seed: 41);

        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal), Run(q, k, v, isCausal, MatrixLayout.RowMajor, cores: 2));
    }

    [Theory]
    [InlineData(3, 100, 64, true)]
    [InlineData(12, 70, 16, false)]
    [InlineData(1, 65, 8, true)]
    public void Every_head_of_a_many_heads_call_matches_its_own_reference(int numHeads, int n, int d, bool isCausal)
    {
        var heads = Enumerable.Range(0, numHeads).Select(h => Inputs(n, n, d, d, seed: 50 + (10 * h))).ToArray();
        float[] Stack(Func<(Matrix<float> Q, Matrix<float> K, Matrix<float> V), Matrix<float>> pick) =>
            heads.SelectMany(h => pick(h).ToRowMajorArray()).ToArray(); // (numHeads, n, d)
        var output = new float[numHeads * n * d];

        FlashAttention.ComputeHeads(Stack(h => h.Q), Stack(h => h.K), Stack(h => h.V), output, numHeads, n, n, d, d, isCausal, maxDegreeOfParallelism: 2);

        for (int h = 0; h < numHeads; h++)
        {
            var expected = AttentionReference.Attend(heads[h].Q, heads[h].K, heads[h].V, isCausal);
            AttentionReference.AssertClose(expected, Matrix<float>.Build.DenseOfRowMajor(n, d, output.AsSpan(h * n * d, n * d).ToArray()));
        }
    }

    [Fact]
    public void A_many_heads_call_names_the_head_of_an_infinite_entry()
    {
        var q = new float[2 * 4 * 8];
        q[(1 * 4 * 8) + (2 * 8) + 3] = float.PositiveInfinity;

        var error = Assert.Throws<ArgumentException>(() => FlashAttention.ComputeHeads(q, new float[64], new float[64], new float[64], 2, 4, 4, 8, 8, isCausal: true));

        Assert.Equal("q", error.ParamName);
        Assert.Contains("q (head 1) contains Infinity at (2, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_many_heads_call_rejects_buffers_sized_for_one_head()
    {
        var error = Assert.Throws<ArgumentException>(() => FlashAttention.ComputeHeads(new float[32], new float[64], new float[64], new float[64], 2, 4, 4, 8, 8, isCausal: false));

        Assert.Equal("q", error.ParamName);
        Assert.Contains("(numHeads, nQ, dK) = (2, 4, 8) needs 64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_automatic_path_is_the_widest_accelerated_one()
    {
        var expected = Vector512.IsHardwareAccelerated ? KernelPath.Vector512
            : Vector256.IsHardwareAccelerated ? KernelPath.Vector256
            : KernelPath.Scalar;

        Assert.Equal(expected, FlashAttention.AutoPath);
    }

    private static (Matrix<float> Q, Matrix<float> K, Matrix<float> V) Inputs(int nQ, int nK, int dK, int dV, int seed) =>
        (AttentionReference.Random(nQ, dK, seed), AttentionReference.Random(nK, dK, seed + 1000), AttentionReference.Random(nK, dV, seed + 2000));

    private static Matrix<float> Run(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal, MatrixLayout layout, int cores)
    {
        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount, dV = v.ColumnCount;
        var output = new float[nQ * dV];
        if (layout == MatrixLayout.RowMajor)
        {
            FlashAttention.Compute(q.ToRowMajorArray(), k.ToRowMajorArray(), v.ToRowMajorArray(), output, nQ, nK, dK, dV, isCausal, layout, KernelPath.Vector512, cores);
            return Matrix<float>.Build.DenseOfRowMajor(nQ, dV, output);
        }

        FlashAttention.Compute(q.ToColumnMajorArray(), k.ToColumnMajorArray(), v.ToColumnMajorArray(), output, nQ, nK, dK, dV, isCausal, layout, KernelPath.Vector512, cores);
        return Matrix<float>.Build.DenseOfColumnMajor(nQ, dV, output);
    }
}
