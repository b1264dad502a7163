using AttentionVisually.Lesson;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// Every build-it check is fed the plausible wrong answers a learner writes and must reject each with the hint
/// aimed at it; a blank stub must read "not attempted yet"; the library's own function must pass.
/// </summary>
[Collection(ExerciseBookCollection.Name)]
public class ExercisesTests
{
    private static readonly MatrixBuilder<float> M = Matrix<float>.Build;

    public ExercisesTests() => ExerciseBook.Reset();

    private static void Rejected(string message, string hint)
    {
        Assert.StartsWith("❌", message);
        Assert.Contains(hint, message);
    }

    // A plain softmax over each stored row without the max subtraction: what a first attempt often looks like.
    private static Matrix<float> NaiveRows(Matrix<float> x)
    {
        var w = x.Map(v => MathF.Exp(v));
        for (int i = 0; i < w.RowCount; i++) w.SetRow(i, w.Row(i) / w.Row(i).Sum());
        return w;
    }

    [Fact]
    public void A_blank_stub_reads_not_attempted_yet_and_the_chapter_falls_back_on_the_library()
    {
        Func<Matrix<float>, Matrix<float>, Matrix<float>> blank = (_, _) => throw new NotImplementedException();
        Assert.StartsWith("⏳", Exercises.Scores.Check(blank));
        Assert.Contains("not attempted yet", Exercises.Scores.Check(blank));
        Func<Matrix<float>, Matrix<float>, Matrix<float>> library = Attention.Scores;
        Assert.Same(library, Exercises.Scores.PassedOr(blank, library));
        Assert.Equal("exercises done: 0 of 2 (· predict forest's best key; · the grid of dot products)", ExerciseBook.Done("02"));
    }

    [Fact]
    public void The_scores_check_rejects_a_transposed_grid_and_a_scaled_one_and_passes_the_library()
    {
        Rejected(Exercises.Scores.Check((q, k) => k.TransposeAndMultiply(q)), "Your grid is transposed");
        Rejected(Exercises.Scores.Check((q, k) => q.TransposeAndMultiply(k) / MathF.Sqrt(q.ColumnCount)), "too small by the same factor");
        Func<Matrix<float>, Matrix<float>, Matrix<float>> mine = Attention.Scores;
        Assert.StartsWith("✅", Exercises.Scores.Check(mine));
        Assert.Same(mine, Exercises.Scores.PassedOr(mine, (q, k) => M.Dense(1, 1)));
        Assert.Contains("exercises done: 1 of 2", ExerciseBook.Done("02"));
    }

    [Fact]
    public void A_wrong_answer_names_the_case_the_input_and_expected_versus_got()
    {
        var message = Exercises.Scores.Check((q, k) => k.TransposeAndMultiply(q));
        Assert.Contains("case 1 of 4, random, 5 queries and 5 keys", message);
        Assert.Contains("input: q of shape (5, 4), k of shape (5, 4)", message);
        Assert.Contains("expected", message);
        Assert.Contains("got", message);
    }

    [Fact]
    public void Hints_come_in_steps_a_nudge_first_then_more_on_the_next_attempt_or_on_request()
    {
        Func<Matrix<float>, Matrix<float>, Matrix<float>> transposed = (q, k) => k.TransposeAndMultiply(q);
        var first = Exercises.Scores.Check(transposed);
        Assert.Contains("hint 1 of 3", first);
        Assert.DoesNotContain("hint 2 of 3", first);
        Assert.Contains("hint 2 of 3", Exercises.Scores.Check(transposed));
        Assert.Contains("q.TransposeAndMultiply(k) is Q Kᵀ", Exercises.Scores.Hint(3));
    }

    [Fact]
    public void The_scores_check_names_the_shape_for_a_grid_of_the_wrong_shape()
    {
        // Q Qᵀ by slip: right while queries and keys are the same size, the wrong shape in cross-attention.
        var message = Exercises.Scores.Check((q, k) => q.RowCount == k.RowCount ? q.TransposeAndMultiply(k) : q.TransposeAndMultiply(q));
        Assert.StartsWith("❌", message);
        Assert.Contains("cross-attention shapes", message);
        Assert.Contains("expected shape (3, 7), got (3, 3)", message);
    }

    [Fact]
    public void The_softmax_check_rejects_each_typical_mistake_with_its_hint()
    {
        Rejected(Exercises.Softmax.Check((s, dK, t) => NaiveRows(s.Transpose() / (MathF.Sqrt(dK) * t)).Transpose()), "check which index your sum runs over");
        Rejected(Exercises.Softmax.Check((s, dK, t) => Softmax.OverKeys(s, t)), "too peaked");
        Rejected(Exercises.Softmax.Check((s, dK, t) => Softmax.OverKeys(Attention.Scale(s, dK))), "does not change with the temperature");
        Rejected(Exercises.Softmax.Check((s, dK, t) => Softmax.OverKeys(Attention.Scale(s, dK), 1 / t)), "wrong way round");
        Rejected(Exercises.Softmax.Check((s, dK, t) => NaiveRows(s / (MathF.Sqrt(dK) * t))), "an exponential overflowed");
    }

    [Fact]
    public void The_softmax_check_wants_zeros_for_a_fully_masked_query()
    {
        // Stable, but a fully masked query gives exp(−∞ − (−∞)) = NaN.
        var message = Exercises.Softmax.Check((s, dK, t) =>
        {
            var x = s / (MathF.Sqrt(dK) * t);
            var w = M.Dense(x.RowCount, x.ColumnCount);
            for (int i = 0; i < x.RowCount; i++)
            {
                float max = x.Row(i).Maximum();
                var row = x.Row(i).Map(v => MathF.Exp(v - max));
                w.SetRow(i, row / row.Sum());
            }
            return w;
        });
        Rejected(message, "has no distribution");
        Assert.Contains("fully masked", message);
        Assert.StartsWith("✅", Exercises.Softmax.Check((s, dK, t) => Softmax.OverKeys(Attention.Scale(s, dK), t)));
    }

    private static Matrix<float> Masked(Matrix<float> s, Func<int, int, bool> hide, float with)
    {
        var m = s.Clone();
        for (int i = 0; i < m.RowCount; i++)
            for (int j = 0; j < m.ColumnCount; j++)
                if (hide(i, j)) m[i, j] = with;
        return m;
    }

    [Fact]
    public void The_causal_check_rejects_masking_after_softmax_an_off_by_one_diagonal_zeros_and_no_mask()
    {
        Rejected(Exercises.CausalMask.Check(s => Masked(Softmax.OverKeys(s), (i, j) => j > i, 0f)), "no longer add up to 1");
        Rejected(Exercises.CausalMask.Check(s => Softmax.OverKeys(Masked(s, (i, j) => j >= i, float.NegativeInfinity))), "what may it see");
        Rejected(Exercises.CausalMask.Check(s => Softmax.OverKeys(Masked(s, (i, j) => j > i + 1, float.NegativeInfinity))), "one key too many");
        Rejected(Exercises.CausalMask.Check(s => Softmax.OverKeys(Masked(s, (i, j) => j < i, float.NegativeInfinity))), "hides the past");
        Rejected(Exercises.CausalMask.Check(s => Softmax.OverKeys(Masked(s, (i, j) => j > i, 0f))), "Later keys still receive weight");
        Rejected(Exercises.CausalMask.Check(s => Softmax.OverKeys(s)), "Nothing is masked yet");
        Assert.StartsWith("✅", Exercises.CausalMask.Check(s => Softmax.OverKeys(Masked(s, (i, j) => j > i, float.NegativeInfinity))));
    }

    [Fact]
    public void The_causal_check_reports_a_function_that_throws_without_throwing_itself()
    {
        var message = Exercises.CausalMask.Check(s => throw new IndexOutOfRangeException("index 6"));
        Assert.StartsWith("❌", message);
        Assert.Contains("IndexOutOfRangeException: index 6", message);
    }

    // The online loop with its two typical slips, written as a learner would.
    private static float[] Online(float[] s, Matrix<float> v, int blockSize, bool rescale, bool divide, bool subtractMax = true)
    {
        double m = double.NegativeInfinity, l = 0;
        var o = new double[v.ColumnCount];
        for (int start = 0; start < s.Length; start += blockSize)
        {
            int end = Math.Min(start + blockSize, s.Length);
            double newMax = m;
            for (int j = start; j < end; j++) newMax = Math.Max(newMax, s[j]);
            if (rescale && !double.IsNegativeInfinity(m))
            {
                double f = Math.Exp(m - newMax);
                l *= f;
                for (int d = 0; d < o.Length; d++) o[d] *= f;
            }
            for (int j = start; j < end; j++)
            {
                float w = subtractMax ? (float)Math.Exp(s[j] - newMax) : MathF.Exp(s[j]);
                l += w;
                for (int d = 0; d < o.Length; d++) o[d] += w * v[j, d];
            }
            m = newMax;
        }
        return o.Select(x => (float)(divide ? x / l : x)).ToArray();
    }

    [Fact]
    public void The_online_softmax_check_rejects_a_missing_rescale_a_missing_division_and_an_overflow()
    {
        Rejected(Exercises.OnlineSoftmax.Check((s, v, b) => Online(s, v, b, rescale: false, divide: true)), "Right when the largest score comes first");
        Rejected(Exercises.OnlineSoftmax.Check((s, v, b) => Online(s, v, b, rescale: true, divide: false)), "never normalised");
        Rejected(Exercises.OnlineSoftmax.Check((s, v, b) => Online(s, v, b, rescale: false, divide: true, subtractMax: false)), "overflowed");
        Assert.StartsWith("✅", Exercises.OnlineSoftmax.Check((s, v, b) => Online(s, v, b, rescale: true, divide: true)));
    }

    [Fact]
    public void The_update_check_rejects_a_missing_residual_and_a_transposed_pattern()
    {
        Rejected(Exercises.Update.Check((e, a, v) => a * v), "You returned the change only");
        Rejected(Exercises.Update.Check((e, a, v) => e + a.Transpose() * v), "that query's own weights");
        Rejected(Exercises.Update.Check((e, a, v) => e - a * v), "wrong way");
        Assert.StartsWith("✅", Exercises.Update.Check((e, a, v) => e + a * v));
    }

    [Fact]
    public void The_multi_head_check_rejects_one_head_a_forgotten_mask_and_the_residual()
    {
        Rejected(Exercises.MultiHead.Check((b, e, m) => b.Heads[0].Forward(e, m).DeltaE), "Only the first head");
        Rejected(Exercises.MultiHead.Check((b, e, m) => b.DeltaEViaOutputMatrix(e, null)), "leak");
        Rejected(Exercises.MultiHead.Check((b, e, m) => e + b.DeltaEViaOutputMatrix(e, m)), "asks for the change");
        Assert.StartsWith("✅", Exercises.MultiHead.Check((b, e, m) => b.DeltaEViaOutputMatrix(e, m)));
    }

    [Fact]
    public void Every_build_it_check_runs_an_edge_case_besides_random_ones()
    {
        Assert.Contains(Exercises.Scores.CaseNames, n => n.Contains("cross-attention"));
        Assert.Contains(Exercises.Scores.CaseNames, n => n.Contains("d_k = 1"));
        Assert.Contains(Exercises.Softmax.CaseNames, n => n.Contains("overflows"));
        Assert.Contains(Exercises.Softmax.CaseNames, n => n.Contains("fully masked"));
        Assert.Contains(Exercises.CausalMask.CaseNames, n => n.Contains("n = 1"));
        Assert.Contains(Exercises.OnlineSoftmax.CaseNames, n => n.Contains("raises the maximum"));
        Assert.Contains(Exercises.Update.CaseNames, n => n.Contains("cross-attention"));
        Assert.Contains(Exercises.MultiHead.CaseNames, n => n.Contains("different widths"));
    }
}

/// <summary>Tests that share the static record of attempts run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExerciseBookCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "exercise book";
}
