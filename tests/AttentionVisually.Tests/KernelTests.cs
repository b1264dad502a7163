using System.Runtime.Intrinsics;
using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class KernelTests
{
    public static TheoryData<int, int, int, int, bool> Shapes() => OnlineSoftmaxAttentionTests.Shapes();

    /// <summary>
    /// Bench-sized heads (d = 64, 128) where the edges of the kernel's tiles fall: one query, one key, lengths that
    /// are not whole blocks of 64 or whole row steps of 8 (the last key block is then read from a padded copy),
    /// more queries than keys and the reverse, dK that is not a whole 8 x 8 transpose, dV that is not a whole
    /// 32-float step (V is then packed).
    /// </summary>
    public static TheoryData<int, int, int, int, bool> HeadSizes() => new()
    {
        { 1, 1, 128, 128, false },
        { 1, 1, 128, 128, true },
        { 1, 300, 128, 128, true },
        { 300, 1, 128, 128, false },
        { 100, 100, 128, 128, true },
        { 100, 100, 128, 128, false },
        { 129, 129, 128, 128, false },
        { 70, 200, 128, 128, true },
        { 200, 70, 128, 64, false },
        { 130, 130, 64, 64, true },
        { 65, 130, 20, 36, true },
        { 77, 77, 100, 96, false },
    };

    // Both instruction paths, both layouts, one and two cores.
    private static readonly (KernelPath Path, MatrixLayout Layout, int Cores)[] Variants =
    [
        (KernelPath.Vector256, MatrixLayout.RowMajor, 2),
        (KernelPath.Vector256, MatrixLayout.ColumnMajor, 1),
        (KernelPath.Scalar, MatrixLayout.RowMajor, 1),
        (KernelPath.Scalar, MatrixLayout.ColumnMajor, 2),
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    [MemberData(nameof(HeadSizes))]
    public void Matches_the_explicit_double_precision_reference(int nQ, int nK, int dK, int dV, bool isCausal)
    {
        var (q, k, v) = Inputs(nQ, nK, dK, dV, seed: 20);
        var expected = AttentionReference.Attend(q, k, v, isCausal);

        foreach (var (path, layout, cores) in Variants)
        {
            AttentionReference.AssertClose(expected, Run(q, k, v, isCausal, path, layout, cores));
        }
    }

    [Theory]
    [InlineData(64, 128)]
    [InlineData(13, 21)]
    [InlineData(8, 8)]
    [InlineData(9, 7)]
    [InlineData(1, 1)]
    public unsafe void The_query_transpose_puts_every_entry_where_the_scalar_rule_does(int rows, int cols)
    {
        // Whole 8 x 8 blocks go through registers (where the processor has AVX), the edges one at a time.
        const int sourceStride = 130, tileStride = 64;
        float[] source = Enumerable.Range(0, rows * sourceStride).Select(i => (float)i).ToArray();
        float[] tile = new float[cols * tileStride];
        fixed (float* s = source, t = tile)
        {
            AttentionTile.TransposeScaled(s, sourceStride, rows, cols, t, tileStride, scale: 0.5f);
        }

        for (int c = 0; c < cols; c++)
        {
            for (int r = 0; r < tileStride; r++)
            {
                Assert.Equal(r < rows ? source[(r * sourceStride) + c] * 0.5f : 0f, tile[(c * tileStride) + r]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Vector_and_scalar_paths_agree(int nQ, int nK, int dK, int dV, bool isCausal)
    {
        var (q, k, v) = Inputs(nQ, nK, dK, dV, seed: 21);

        var scalar = Run(q, k, v, isCausal, KernelPath.Scalar, MatrixLayout.RowMajor, cores: 1);
        var vector = Run(q, k, v, isCausal, KernelPath.Vector256, MatrixLayout.RowMajor, cores: 2);

        AttentionReference.AssertClose(scalar, vector, relative: 1e-6);
    }

    [Theory]
    [InlineData(130, true)]
    [InlineData(200, false)]
    public void The_public_row_major_entry_point_matches_the_reference(int n, bool isCausal)
    {
        var (q, k, v) = Inputs(n, n, 32, 48, seed: 22);
        var output = new float[n * 48];

        FlashAttention.Compute(q.ToRowMajorArray(), k.ToRowMajorArray(), v.ToRowMajorArray(), output, n, n, 32, 48, isCausal);

        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal), Matrix<float>.Build.DenseOfRowMajor(n, 48, output));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(100)]
    public void A_causal_query_ignores_every_later_key_and_value(int i)
    {
        // Rewriting keys and values after position i must leave output rows 0..i untouched.
        var (q, k, v) = Inputs(150, 150, 16, 16, seed: 23);
        var before = Run(q, k, v, isCausal: true, KernelPath.Auto, MatrixLayout.RowMajor, cores: 2);
        var (k2, v2) = (k.Clone(), v.Clone());
        k2.SetSubMatrix(i + 1, 150 - i - 1, 0, 16, AttentionReference.Random(150 - i - 1, 16, seed: 24, scale: 10));
        v2.SetSubMatrix(i + 1, 150 - i - 1, 0, 16, AttentionReference.Random(150 - i - 1, 16, seed: 25, scale: 10));

        var after = Run(q, k2, v2, isCausal: true, KernelPath.Auto, MatrixLayout.RowMajor, cores: 2);

        Assert.Equal(before.SubMatrix(0, i + 1, 0, 16), after.SubMatrix(0, i + 1, 0, 16));
    }

    [Fact]
    public void Huge_scores_stay_finite_and_match_the_reference()
    {
        var q = AttentionReference.Random(100, 16, seed: 26, scale: 30);
        var k = AttentionReference.Random(100, 16, seed: 27, scale: 30);
        var v = AttentionReference.Random(100, 16, seed: 28);

        var output = Run(q, k, v, isCausal: true, KernelPath.Auto, MatrixLayout.RowMajor, cores: 2);

        // Scores near 1000 carry float rounding of about 1e-4 before the exp, hence the looser tolerance.
        Assert.All(output.Enumerate(), x => Assert.True(float.IsFinite(x)));
        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal: true), output, relative: 1e-3);
    }

    [Fact]
    public void The_fast_exp_is_within_two_ulp_and_exactly_zero_where_it_underflows()
    {
        for (int step = 0; step <= 200_000; step++)
        {
            float x = -87f * step / 200_000f;
            double exact = Math.Exp(x);
            float fast = AttentionTile.ExpNonPositive(Vector256.Create(x)).ToScalar();
            float ulp = MathF.BitIncrement((float)exact) - (float)exact;
            Assert.True(Math.Abs(fast - exact) <= 2 * ulp, $"exp({x}) = {fast}, exact {exact}");
        }

        Assert.Equal(0f, AttentionTile.ExpNonPositive(Vector256.Create(float.NegativeInfinity)).ToScalar());
        Assert.Equal(0f, AttentionTile.ExpNonPositive(Vector256.Create(-88f)).ToScalar());
        Assert.Equal(1f, AttentionTile.ExpNonPositive(Vector256.Create(0f)).ToScalar());
    }

    [Fact]
    public void Working_memory_does_not_grow_with_the_number_of_queries()
    {
        // One tile set per core in use, so "few" queries are still enough to keep every core of this machine busy
        // (one query block each): the comparison holds on any core count.
        int few = Math.Max(1 << 10, FlashAttention.QueryBlockSize * Environment.ProcessorCount);
        long atFew = FlashAttention.WorkingMemoryBytes(few, 65_536, 64, 64);
        long atMany = FlashAttention.WorkingMemoryBytes(few * 1024, 65_536, 64, 64);
        Assert.Equal(atFew, atMany);

        // Keys and values of 64 floats are read in place, so each core's tiles (well under 64 KiB) are all there is.
        // (The explicit pattern alone would be few * 1024 * 65,536 floats.)
        long bound = Environment.ProcessorCount * (64L << 10);
        Assert.True(atMany <= bound, $"{atMany} bytes on {Environment.ProcessorCount} cores, bound {bound}");
    }

    [Fact]
    public void Working_memory_holds_a_copy_of_v_only_when_its_rows_are_not_whole_vector_steps()
    {
        int n = 4096;
        long inPlace = FlashAttention.WorkingMemoryBytes(n, n, 64, 64);
        long packed = FlashAttention.WorkingMemoryBytes(n, n, 64, 48);

        // dV = 48 is padded to 64 floats a row: 4096 x 64 floats more, give or take the tiles' own padding.
        Assert.InRange(packed - inPlace, n * 64 * sizeof(float), (n * 64 * sizeof(float)) + (64L << 10));
    }

    [Fact]
    public void Rejects_a_buffer_whose_length_disagrees_with_its_shape()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            FlashAttention.Compute(new float[12], new float[12], new float[12], new float[11], 3, 3, 4, 4, isCausal: false));
        Assert.Equal("output", ex.ParamName);
        Assert.Contains("(3, 4)", ex.Message);
    }

    [Fact]
    public void Rejects_an_output_that_overlaps_an_input()
    {
        var shared = new float[16];
        var ex = Assert.Throws<ArgumentException>(() =>
            FlashAttention.Compute(shared, new float[16], new float[16], shared, 4, 4, 4, 4, isCausal: false));
        Assert.Equal("output", ex.ParamName);
    }

    [Fact]
    public void Rejects_an_infinite_entry_and_gives_its_row_and_column()
    {
        var k = new float[12];
        k[(2 * 4) + 1] = float.PositiveInfinity; // row 2, column 1 of a row-major (3, 4)
        var ex = Assert.Throws<ArgumentException>(() =>
            FlashAttention.Compute(new float[12], k, new float[12], new float[12], 3, 3, 4, 4, isCausal: false));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(2, 1)", ex.Message);
    }

    [Fact]
    public void Rejects_a_zero_size()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FlashAttention.Compute([], [], [], [], 0, 3, 4, 4, isCausal: false));
    }

    private static (Matrix<float> Q, Matrix<float> K, Matrix<float> V) Inputs(int nQ, int nK, int dK, int dV, int seed) =>
        (AttentionReference.Random(nQ, dK, seed), AttentionReference.Random(nK, dK, seed + 1000), AttentionReference.Random(nK, dV, seed + 2000));

    private static Matrix<float> Run(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal, KernelPath path, MatrixLayout layout, int cores)
    {
        int nQ = q.RowCount, nK = k.RowCount, dK = q.ColumnCount, dV = v.ColumnCount;
        var output = new float[nQ * dV];
        if (layout == MatrixLayout.RowMajor)
        {
            FlashAttention.Compute(q.ToRowMajorArray(), k.ToRowMajorArray(), v.ToRowMajorArray(), output, nQ, nK, dK, dV, isCausal, layout, path, cores);
            return Matrix<float>.Build.DenseOfRowMajor(nQ, dV, output);
        }

        FlashAttention.Compute(q.ToColumnMajorArray(), k.ToColumnMajorArray(), v.ToColumnMajorArray(), output, nQ, nK, dK, dV, isCausal, layout, path, cores);
        return Matrix<float>.Build.DenseOfColumnMajor(nQ, dV, output);
    }
}
