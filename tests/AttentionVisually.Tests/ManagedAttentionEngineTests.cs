using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class ManagedAttentionEngineTests
{
    private readonly ManagedAttentionEngine engine = new();

    [Theory]
    [MemberData(nameof(OnlineSoftmaxAttentionTests.Shapes), MemberType = typeof(OnlineSoftmaxAttentionTests))]
    public void Matches_the_explicit_double_precision_reference(int nQ, int nK, int dK, int dV, bool isCausal)
    {
        var q = AttentionReference.Random(nQ, dK, seed: 31);
        var k = AttentionReference.Random(nK, dK, seed: 32);
        var v = AttentionReference.Random(nK, dV, seed: 33);

        var output = engine.Attend(q, k, v, isCausal);

        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal), output);
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(257, false)]
    public void Agrees_with_the_readable_online_softmax(int n, bool isCausal)
    {
        var q = AttentionReference.Random(n, 64, seed: 34);
        var k = AttentionReference.Random(n, 64, seed: 35);
        var v = AttentionReference.Random(n, 64, seed: 36);

        AttentionReference.AssertClose(OnlineSoftmaxAttention.Compute(q, k, v, isCausal), engine.Attend(q, k, v, isCausal), relative: 1e-5);
    }

    [Fact]
    public void The_scalar_fallback_gives_the_same_result_as_the_default_path()
    {
        var q = AttentionReference.Random(150, 24, seed: 37);
        var k = AttentionReference.Random(150, 24, seed: 38);
        var v = AttentionReference.Random(150, 40, seed: 39);

        var scalar = ManagedAttentionEngine.Attend(q, k, v, isCausal: true, KernelPath.Scalar, maxDegreeOfParallelism: 1);

        AttentionReference.AssertClose(scalar, engine.Attend(q, k, v, isCausal: true), relative: 1e-6);
    }

    [Fact]
    public void Accepts_matrices_that_are_not_stored_densely()
    {
        var q = AttentionReference.Random(40, 8, seed: 40);
        var k = Matrix<float>.Build.SparseOfMatrix(AttentionReference.Random(40, 8, seed: 41));
        var v = Matrix<float>.Build.DiagonalIdentity(40, 40);

        var output = engine.Attend(q, k, v, isCausal: true);

        AttentionReference.AssertClose(AttentionReference.Attend(q, k, v, isCausal: true), output);
    }

    [Fact]
    public void Leaves_its_inputs_unchanged()
    {
        var q = AttentionReference.Random(70, 8, seed: 42);
        var k = AttentionReference.Random(70, 8, seed: 43);
        var v = AttentionReference.Random(70, 8, seed: 44);
        var (q0, k0, v0) = (q.Clone(), k.Clone(), v.Clone());

        engine.Attend(q, k, v, isCausal: true);

        Assert.Equal(q0, q);
        Assert.Equal(k0, k);
        Assert.Equal(v0, v);
    }

    [Fact]
    public void Rejects_keys_whose_dK_differs_from_the_queries_naming_both_shapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => engine.Attend(
            Matrix<float>.Build.Dense(4, 8), Matrix<float>.Build.Dense(5, 16), Matrix<float>.Build.Dense(5, 3), isCausal: true));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(4, 8)", ex.Message);
        Assert.Contains("(5, 16)", ex.Message);
    }

    [Fact]
    public void Rejects_values_whose_count_differs_from_the_keys()
    {
        var ex = Assert.Throws<ArgumentException>(() => engine.Attend(
            Matrix<float>.Build.Dense(4, 8), Matrix<float>.Build.Dense(5, 8), Matrix<float>.Build.Dense(6, 3), isCausal: false));
        Assert.Equal("v", ex.ParamName);
        Assert.Contains("(5, 8)", ex.Message);
        Assert.Contains("(6, 3)", ex.Message);
    }

    [Fact]
    public void Rejects_an_empty_query_sequence()
    {
        var ex = Assert.Throws<ArgumentException>(() => engine.Attend(
            Matrix<float>.Build.Dense(0, 8), Matrix<float>.Build.Dense(5, 8), Matrix<float>.Build.Dense(5, 3), isCausal: false));
        Assert.Equal("q", ex.ParamName);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Rejects_a_non_finite_query_and_says_where_it_is(float bad)
    {
        var q = Matrix<float>.Build.Dense(4, 8);
        q[3, 5] = bad;
        var ex = Assert.Throws<ArgumentException>(() => engine.Attend(
            q, Matrix<float>.Build.Dense(5, 8), Matrix<float>.Build.Dense(5, 3), isCausal: false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("(3, 5)", ex.Message);
    }

    [Fact]
    public void Rejects_null()
    {
        var m = Matrix<float>.Build.Dense(2, 2);
        Assert.Throws<ArgumentNullException>(() => engine.Attend(m, null!, m, isCausal: false));
    }

    [Theory]
    [InlineData(16, 12, 32, 32, false)]  // MiniLM's shape at 16 tokens
    [InlineData(100, 3, 64, 32, true)]   // dV other than dK, several query blocks, causal
    public void All_heads_in_one_call_equal_one_call_per_head_and_the_reference(int n, int numHeads, int dK, int dV, bool isCausal)
    {
        var q = AttentionReference.Random(n, numHeads * dK, seed: 41);
        var k = AttentionReference.Random(n, numHeads * dK, seed: 42);
        var v = AttentionReference.Random(n, numHeads * dV, seed: 43);

        var heads = engine.AttendHeads(q, k, v, numHeads, isCausal);
        var perHead = ((IAttentionEngine)new ExplicitAttentionEngine()).AttendHeads(q, k, v, numHeads, isCausal); // the default: a loop of Attend

        Assert.Equal((n, numHeads * dV), (heads.RowCount, heads.ColumnCount));
        for (int h = 0; h < numHeads; h++)
        {
            var qh = q.SubMatrix(0, n, h * dK, dK);
            var kh = k.SubMatrix(0, n, h * dK, dK);
            var vh = v.SubMatrix(0, n, h * dV, dV);
            var own = heads.SubMatrix(0, n, h * dV, dV);
            Assert.Equal(engine.Attend(qh, kh, vh, isCausal), own); // same kernel, same layout: bit for bit
            AttentionReference.AssertClose(AttentionReference.Attend(qh, kh, vh, isCausal), own);
            AttentionReference.AssertClose(perHead.SubMatrix(0, n, h * dV, dV), own, relative: 1e-5);
        }
    }

    [Fact]
    public void Heads_that_do_not_split_evenly_are_refused_naming_the_columns()
    {
        var q = Matrix<float>.Build.Dense(4, 10);
        var v = Matrix<float>.Build.Dense(4, 12);

        var error = Assert.Throws<ArgumentException>(() => engine.AttendHeads(q, q, v, numHeads: 4, isCausal: false));

        Assert.Equal("q", error.ParamName);
        Assert.Contains("10 columns", error.Message, StringComparison.Ordinal);
        Assert.Contains("4 heads", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_finite_entry_is_named_with_its_head()
    {
        var q = AttentionReference.Random(8, 3 * 16, seed: 44);
        q[5, (2 * 16) + 7] = float.NaN; // head 2, row 5, column 7 of the head

        var error = Assert.Throws<ArgumentException>(() => engine.AttendHeads(q, q, q, numHeads: 3, isCausal: true));

        Assert.Contains("head 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("(5, 7)", error.Message, StringComparison.Ordinal);
    }
}
