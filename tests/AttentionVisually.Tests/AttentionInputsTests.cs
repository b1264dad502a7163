using AttentionVisually.Checks;
using AttentionVisually.Kernels;
using CsCheck;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// Every managed attention entry point applies the same checks (AttentionInputs): whatever holds the numbers
/// (matrices, spans, a pattern to mix, a head's embeddings), bad or extreme input ends in an ArgumentException that
/// names the caller's argument, and NaN or infinity never comes out.
/// </summary>
public class AttentionInputsTests
{
    /// <summary>One entry point: (q, k, v, isCausal) to its output, and the names its errors may carry.</summary>
    public sealed record Entry(string Name, Func<Matrix<float>, Matrix<float>, Matrix<float>, bool, Matrix<float>> Attend, string[] Params)
    {
        public override string ToString() => Name;
    }

    private static readonly Entry[] EntryPoints =
    [
        new("Attention.ScaledDotProduct", (q, k, v, c) => Attention.ScaledDotProduct(q, k, v, c ? Mask.Causal(q.RowCount, k.RowCount) : null).Output, ["q", "k", "v"]),
        new("ExplicitAttentionEngine", (q, k, v, c) => new ExplicitAttentionEngine().Attend(q, k, v, c), ["q", "k", "v"]),
        new("ManagedAttentionEngine", (q, k, v, c) => new ManagedAttentionEngine().Attend(q, k, v, c), ["q", "k", "v"]),
        new("OnlineSoftmaxAttention", (q, k, v, c) => OnlineSoftmaxAttention.Compute(q, k, v, c, blockSize: 3), ["q", "k", "v"]),
        new("FlashAttention.Compute (span)", FlashOnSpans, ["q", "k", "v"]),
        new("FlashAttention.Compute (scalar path)", (q, k, v, c) => ManagedAttentionEngine.Attend(q, k, v, c, KernelPath.Scalar, 1), ["q", "k", "v"]),
    ];

    public static TheoryData<Entry> Entries() => new(EntryPoints);

    // The span API takes dK from its caller, so a mismatch there is a buffer of the wrong length (tested in KernelTests).
    public static TheoryData<Entry> MatrixEntries() => new(EntryPoints.Where(e => !e.Name.StartsWith("FlashAttention", StringComparison.Ordinal)));

    private static Matrix<float> FlashOnSpans(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        var output = new float[q.RowCount * v.ColumnCount];
        FlashAttention.Compute(q.ToRowMajorArray(), k.ToRowMajorArray(), v.ToRowMajorArray(), output, q.RowCount, k.RowCount, q.ColumnCount, v.ColumnCount, isCausal);
        return Matrix<float>.Build.DenseOfRowMajor(q.RowCount, v.ColumnCount, output);
    }

    private static Matrix<float> M(int rows, int cols, int seed, double scale = 1) => AttentionReference.Random(rows, cols, seed, scale);

    [Theory]
    [MemberData(nameof(Entries))]
    public void Finite_queries_and_keys_whose_scores_would_overflow_are_refused_naming_the_larger(Entry entry)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => entry.Attend(M(3, 8, 1, 1e21), M(4, 8, 2, 1e18), M(4, 5, 3), false));
        Assert.Equal("q", ex.ParamName);
        Assert.Contains("overflow", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void Finite_values_near_the_top_of_float_are_refused_naming_v_instead_of_returning_infinity(Entry entry)
    {
        var v = Matrix<float>.Build.Dense(4, 5, 1e38f);
        var ex = Assert.ThrowsAny<ArgumentException>(() => entry.Attend(M(3, 8, 1), M(4, 8, 2), v, true));
        Assert.Equal("v", ex.ParamName);
        Assert.Contains("overflow", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void NaN_and_infinity_are_refused_with_their_position(Entry entry)
    {
        var k = M(4, 8, 2);
        k[2, 5] = float.NaN;
        var ex = Assert.ThrowsAny<ArgumentException>(() => entry.Attend(M(3, 8, 1), k, M(4, 5, 3), false));
        Assert.Equal("k", ex.ParamName);
        Assert.Contains("(2, 5)", ex.Message);
    }

    [Theory]
    [MemberData(nameof(MatrixEntries))]
    public void A_dK_mismatch_has_one_wording_everywhere(Entry entry)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => entry.Attend(M(3, 8, 1), M(4, 6, 2), M(4, 5, 3), false));
        Assert.Equal("k", ex.ParamName);
        Assert.StartsWith("k has dK = 6 but q has dK = 8: q is (3, 8), k is (4, 6).", ex.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Mixing_values_with_a_pattern_that_holds_NaN_or_infinity_is_refused_naming_pattern(float bad)
    {
        var pattern = Matrix<float>.Build.Dense(3, 4, 0.25f);
        pattern[1, 2] = bad;
        Assert.Equal("pattern", Assert.ThrowsAny<ArgumentException>(() => Attention.Apply(pattern, M(4, 5, 3))).ParamName);
    }

    [Fact]
    public void Mixing_values_whose_weighted_sum_would_overflow_is_refused_naming_v()
    {
        var pattern = Matrix<float>.Build.Dense(3, 4, 1f);
        var v = Matrix<float>.Build.Dense(4, 5, 1e38f);
        Assert.Equal("v", Assert.ThrowsAny<ArgumentException>(() => Attention.Apply(pattern, v)).ParamName);
    }

    [Fact]
    public void Every_entry_point_gives_either_a_finite_output_equal_to_the_reference_or_a_named_ArgumentException()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        AttentionFuzz.Cases.Sample(c =>
        {
            foreach (var entry in EntryPoints)
            {
                string? failure = AttentionFuzz.Judge(entry.Attend, entry.Params, c);
                if (failure is not null) failures.Add($"{entry.Name} on {c}: {failure}");
            }
            string? mix = JudgeApply(c);
            if (mix is not null) failures.Add($"Attention.Apply on {c}: {mix}");
        }, iter: 3000);
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
    }

    [Fact]
    public void The_one_pass_magnitude_check_agrees_with_a_plain_loop_at_every_length_and_position()
    {
        // Lengths around the 32-float vector steps, every kind of non-finite entry at every position.
        var random = new Random(7);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -float.NaN];
        for (int length = 0; length <= 70; length++)
        {
            float[] data = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-40, 38)))).ToArray();
            float expected = data.Length == 0 ? 0f : data.Max(MathF.Abs);
            Assert.Equal(expected, AttentionInputs.MaxMagnitudeOrNonFinite(data));
            for (int position = 0; position < length; position++)
            {
                float[] bad = (float[])data.Clone();
                bad[position] = specials[position % specials.Length];
                Assert.False(float.IsFinite(AttentionInputs.MaxMagnitudeOrNonFinite(bad)), $"length {length}, {bad[position]} at {position}");
            }
        }

        Assert.Equal(float.MaxValue, AttentionInputs.MaxMagnitudeOrNonFinite([-float.MaxValue, 1f, -0f]));
        Assert.Equal(float.Epsilon, AttentionInputs.MaxMagnitudeOrNonFinite([-0f, -float.Epsilon, 0f]));
    }

    private static string? JudgeApply(AttentionFuzz.Case c)
    {
        Matrix<float> p = c.Weights(), v = c.V();
        Matrix<float> output;
        try
        {
            output = Attention.Apply(p, v);
        }
        catch (ArgumentException e)
        {
            return e.ParamName is "pattern" or "v" ? null : $"ArgumentException names '{e.ParamName}'";
        }
        catch (Exception e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }

        if (!AttentionFuzz.AllFinite(p) || !AttentionFuzz.AllFinite(v)) return "non-finite input accepted";
        if (!AttentionFuzz.AllFinite(output)) return "non-finite output";
        var expected = new double[p.RowCount, v.ColumnCount];
        for (int i = 0; i < p.RowCount; i++)
            for (int j = 0; j < p.ColumnCount; j++)
                for (int d = 0; d < v.ColumnCount; d++)
                    expected[i, d] += (double)p[i, j] * v[j, d];
        double error = AttentionFuzz.MaxDifference(output, expected);
        double bound = (4 * p.ColumnCount * AttentionFuzz.MaxAbs(p) * AttentionFuzz.MaxAbs(v) * AttentionFuzz.Eps) + 1e-35;
        return error <= bound ? null : $"max |output - reference| = {error:G3} > {bound:G3}";
    }

}
