using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Lesson;

/// <summary>
/// The build-it exercises of chapters 02–06: each runs the learner's function against the library on seeded
/// random cases and edge cases (rectangular cross-attention shapes, n = 1, d_k = 1, scores that overflow a naive
/// exp, a fully masked query) and recognises the typical mistakes. Matrices are stored (queries, keys), one row
/// per query; a chart draws them keys down the side, queries across.
/// </summary>
public static class Exercises
{
    private static readonly MatrixBuilder<float> M = Matrix<float>.Build;

    /// <summary>02.scores: the grid of dot products, entry [i, j] = q_i · k_j, shape (numQueries, numKeys).</summary>
    public static BuildExercise<Func<Matrix<float>, Matrix<float>, Matrix<float>>> Scores { get; } = new("02.scores",
    [
        ScoresCase("random, 5 queries and 5 keys, d_k = 4", 5, 5, 4, seed: 1),
        ScoresCase("cross-attention shapes: 3 queries, 7 keys, d_k = 2", 3, 7, 2, seed: 2),
        ScoresCase("one token (n = 1), d_k = 3", 1, 1, 3, seed: 3),
        ScoresCase("d_k = 1: each score is a plain product", 4, 6, 1, seed: 4),
    ], []);

    /// <summary>03.softmax: softmax over the keys of scores / (√d_k · T), stable for large scores; a fully masked query gets zeros.</summary>
    public static BuildExercise<Func<Matrix<float>, int, float, Matrix<float>>> Softmax { get; } = new("03.softmax",
    [
        SoftmaxCase("random scores, 4 queries × 6 keys, d_k = 16, T = 1", Init.Normal(4, 6, seed: 11, std: 4), 16, 1f),
        SoftmaxCase("temperature T = 0.5 (d_k = 4)", Init.Normal(3, 5, seed: 12, std: 2), 4, 0.5f),
        SoftmaxCase("cross-attention shapes: 2 queries × 9 keys, d_k = 1, T = 2", Init.Normal(2, 9, seed: 13, std: 2), 1, 2f),
        SoftmaxCase("one key (n = 1)", M.DenseOfArray(new float[,] { { 3.5f } }), 8, 1f),
        SoftmaxCase("large scores (±2000, d_k = 1): a naive exp overflows", Init.Normal(3, 4, seed: 14, std: 1000), 1, 1f),
        SoftmaxCase("a fully masked query (all −∞) next to a partly masked one", M.DenseOfArray(new float[,]
        {
            { float.NegativeInfinity, float.NegativeInfinity, float.NegativeInfinity },
            { 1f, float.NegativeInfinity, 2f },
        }), 4, 1f),
    ], []);

    /// <summary>04.causal-mask: the causal pattern of square scaled scores, keys after their query hidden before softmax.</summary>
    public static BuildExercise<Func<Matrix<float>, Matrix<float>>> CausalMask { get; } = new("04.causal-mask",
    [
        CausalCase("random scaled scores, n = 6", Init.Normal(6, 6, seed: 21, std: 2)),
        CausalCase("all scores equal (n = 5): query i should spread 1/(i + 1) over keys 0..i", M.Dense(5, 5)),
        CausalCase("one token (n = 1)", M.DenseOfArray(new float[,] { { 0.7f } })),
        CausalCase("large scores (±2000), n = 4", Init.Normal(4, 4, seed: 22, std: 1000)),
    ], []);

    /// <summary>04.online-softmax: one query's output Σ_j softmax(s)_j v_j, computed block by block with a running maximum, sum and output.</summary>
    public static BuildExercise<Func<float[], Matrix<float>, int, float[]>> OnlineSoftmax { get; } = new("04.online-softmax",
    [
        OnlineCase("random: 10 keys, d_v = 3, blocks of 4", Init.Normal(1, 10, seed: 31, std: 2).Row(0).ToArray(), Init.Normal(10, 3, seed: 32), 4),
        OnlineCase("rising scores: every block raises the maximum (8 keys, blocks of 3)", [-4f, -3f, -2f, -1f, 0f, 1f, 2f, 3f], Init.Normal(8, 2, seed: 33), 3),
        OnlineCase("blocks of 1 key", Init.Normal(1, 5, seed: 34, std: 2).Row(0).ToArray(), Init.Normal(5, 2, seed: 35), 1),
        OnlineCase("one block larger than the sequence (3 keys, blocks of 64)", [0.5f, -1f, 2f], Init.Normal(3, 4, seed: 36), 64),
        OnlineCase("one key (n = 1)", [1.5f], Init.Normal(1, 3, seed: 37), 2),
        OnlineCase("large rising scores (up to 2000): a naive exp overflows", [-1000f, 500f, 1000f, 2000f], Init.Normal(4, 2, seed: 38), 2),
    ], []);

    /// <summary>05.update: e′ = e + Δe with Δe = A V, the stored pattern A (queries, keys) holding each query's weights in its row.</summary>
    public static BuildExercise<Func<Matrix<float>, Matrix<float>, Matrix<float>, Matrix<float>>> Update { get; } = new("05.update",
    [
        UpdateCase("random self-attention, 5 tokens, d_model = 4", 5, 5, 4, seed: 41, causal: false),
        UpdateCase("causal pattern, 6 tokens, d_model = 3", 6, 6, 3, seed: 42, causal: true),
        UpdateCase("cross-attention shapes: 3 queries, 6 keys, d_model = 4", 3, 6, 4, seed: 43, causal: false),
        UpdateCase("one token (n = 1)", 1, 1, 5, seed: 44, causal: false),
    ], []);

    /// <summary>06.multi-head: a block's Δe through the output matrix: every head's pattern · values-down, side by side, times W_Oᵀ.</summary>
    public static BuildExercise<Func<MultiHeadAttention, Matrix<float>, Mask?, Matrix<float>>> MultiHead { get; } = new("06.multi-head",
    [
        BlockCase("the toy block (adjective → noun, previous token), causal", new MultiHeadAttention([ToyLanguage.AdjectiveNounHead(), ToyLanguage.PreviousTokenHead()]),
            ToyLanguage.Embed(ToyLanguage.FluffyBlueCreature), causal: true),
        BlockCase("3 random heads, d_model = 12, d_k = 4, no mask", MultiHeadAttention.Random(dModel: 12, numHeads: 3, seed: 51), Init.Normal(5, 12, seed: 52), causal: false),
        BlockCase("heads of different widths (d_k = 1, 2, 5), causal", new MultiHeadAttention([AttentionHead.Random(6, 1, seed: 53), AttentionHead.Random(6, 2, seed: 54), AttentionHead.Random(6, 5, seed: 55)]),
            Init.Normal(4, 6, seed: 56), causal: true),
        BlockCase("one token (n = 1), 2 heads", MultiHeadAttention.Random(dModel: 8, numHeads: 2, seed: 57), Init.Normal(1, 8, seed: 58), causal: true),
    ], []);

    private static ExerciseCase<Func<Matrix<float>, Matrix<float>, Matrix<float>>> ScoresCase(string name, int numQueries, int numKeys, int dK, int seed)
    {
        var q = Init.Normal(numQueries, dK, seed);
        var k = Init.Normal(numKeys, dK, seed + 100);
        var expected = Attention.Scores(q, k); // (numQueries, numKeys)
        return new(name, $"q of shape ({numQueries}, {dK}), k of shape ({numKeys}, {dK}) (Init.Normal, seeds {seed} and {seed + 100})",
            () => expected, f => f(q.Clone(), k.Clone()), () =>
            [
                new Mistake("keys by queries", expected.Transpose(),
                [
                    "Your grid is transposed: check which index runs over the queries.",
                    "The stored grid is (queries, keys): entry [i, j] pairs query i (row i of q) with key j (row j of k). You computed K Qᵀ.",
                    "q.TransposeAndMultiply(k) is Q Kᵀ; or loop i over q's rows, j over k's rows.",
                ]),
                new Mistake("scaled", Attention.Scale(expected, dK),
                [
                    "Your numbers are too small by the same factor everywhere.",
                    "Leave out the 1/√d_k: this grid is the raw dot products; chapter 03 adds the scale.",
                ]),
            ])
        {
            GeneralHints =
            [
                "Compare one entry by hand: q.Row(i).DotProduct(k.Row(j)).",
                "Each entry is Σ_d q[i, d] · k[j, d]: the sum runs over the d_k columns of both matrices.",
            ],
            ShapeHints = ["The grid has one row per query and one column per key: (q.RowCount, k.RowCount)."],
        };
    }

    private static ExerciseCase<Func<Matrix<float>, int, float, Matrix<float>>> SoftmaxCase(string name, Matrix<float> scores, int dK, float temperature)
    {
        var expected = AttentionVisually.Softmax.OverKeys(Attention.Scale(scores, dK), temperature);
        string input = $"scores of shape ({scores.RowCount}, {scores.ColumnCount}) {Describe(scores)}, dK = {dK}, temperature = {temperature}";
        return new(name, input, () => expected, f => f(scores.Clone(), dK, temperature), () =>
        {
            var list = new List<Mistake>();
            if (Enumerable.Range(0, scores.RowCount).Any(i => scores.Row(i).All(float.IsNegativeInfinity)))
                list.Add(new("fully masked query", null,
                [
                    "A query whose every key is −∞ has no distribution: what should it get?",
                    "Give such a query all zeros (the library's convention: no update rather than NaN). When the query's maximum is −∞, fill its row with 0.",
                ], got => got.Enumerate().Any(float.IsNaN)));
            list.AddRange(new List<Mistake>
            {
                new("no max subtraction", null,
                [
                    "NaN or ∞ in your result: an exponential overflowed.",
                    "Softmax does not change when the same number is subtracted from every score of a query: subtract the query's maximum before exp, so the largest exponent is e⁰ = 1.",
                ], got => got.Enumerate().Any(x => !float.IsFinite(x)) && expected.Enumerate().All(float.IsFinite)),
            });
            if (scores.RowCount > 1 && scores.Enumerate().All(float.IsFinite))
                list.Add(new("normalised over queries", AttentionVisually.Softmax.OverKeys(Attention.Scale(scores, dK).Transpose(), temperature).Transpose(),
                [
                    "Each query's weights must sum to 1: check which index your sum runs over.",
                    "The stored scores are (queries, keys): normalise each row, one query over all its keys. Drawn as a chart (keys down the side) that row is a column, which is why the video says columns sum to 1.",
                ]));
            if (dK > 1)
                list.Add(new("forgot 1/√d_k", AttentionVisually.Softmax.OverKeys(scores, temperature),
                [
                    "Your weights are too peaked: something should shrink the scores first.",
                    "Divide the scores by √d_k before softmax (dK is a parameter).",
                ]));
            if (temperature != 1f)
            {
                list.Add(new("forgot the temperature", AttentionVisually.Softmax.OverKeys(Attention.Scale(scores, dK), 1f),
                [
                    "Your result does not change with the temperature.",
                    "Divide by T as well: softmax(x / (√d_k · T)).",
                ]));
                list.Add(new("multiplied by the temperature", AttentionVisually.Softmax.OverKeys(Attention.Scale(scores, dK), 1f / temperature),
                [
                    "The temperature works the wrong way round: a large T should flatten the weights.",
                    "Divide the scores by T; do not multiply.",
                ]));
            }
            return list;
        })
        {
            GeneralHints =
            [
                "Work one query by hand: divide its scores by √d_k · T, exponentiate, divide by the sum.",
                "Each row of the result (one query) must be positive and sum to 1. Compare your row with Softmax.Apply(row / √d_k, T).",
            ],
        };
    }

    private static ExerciseCase<Func<Matrix<float>, Matrix<float>>> CausalCase(string name, Matrix<float> scores)
    {
        int n = scores.RowCount;
        Matrix<float> Pattern(Func<int, int, bool> allowed)
        {
            var a = new bool[n, n];
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    a[i, j] = allowed(i, j);
            return AttentionVisually.Softmax.OverKeys(Attention.ApplyMask(scores, Mask.FromArray(a)));
        }
        var expected = Pattern((i, j) => j <= i);
        var all = AttentionVisually.Softmax.OverKeys(scores);
        var afterSoftmax = M.Dense(n, n, (i, j) => j <= i ? all[i, j] : 0f);
        var zeroed = AttentionVisually.Softmax.OverKeys(M.Dense(n, n, (i, j) => j <= i ? scores[i, j] : 0f));
        return new(name, $"scaled scores of shape ({n}, {n}) {Describe(scores)}", () => expected, f => f(scores.Clone()), () =>
        [
            new("masked after softmax", afterSoftmax,
            [
                "Your later keys get 0, but a query's weights no longer add up to 1.",
                "Mask before softmax: set the later keys' scores to −∞ first, so softmax shares the whole weight among the keys that remain.",
            ]),
            new("masked with 0", zeroed,
            [
                "Later keys still receive weight.",
                "A score of 0 still gives e⁰ = 1 in the sum: use float.NegativeInfinity, whose exp is exactly 0.",
            ]),
            new("a query cannot see itself", Pattern((i, j) => j < i),
            [
                "Look at the first query: what may it see?",
                "A query may see its own key: keep keys j ≤ i, not j < i (the diagonal stays).",
            ]),
            new("one key too many", Pattern((i, j) => j <= i + 1),
            [
                "Each query sees one key too many.",
                "Key i + 1 comes after query i: keep j ≤ i.",
            ]),
            new("hides the past", Pattern((i, j) => j >= i),
            [
                "Your mask hides the past and keeps the future.",
                "Hide the keys after the query (j > i). Stored (queries, keys) they are right of the diagonal; in the chart (keys down the side) below it.",
            ]),
            new("no mask", all,
            [
                "Nothing is masked yet.",
                "Set scores[i, j] to −∞ for every key j > i, then apply Softmax.OverKeys.",
            ]),
        ])
        {
            GeneralHints =
            [
                "Check one query: its weights on keys after it must be exactly 0, and the rest must sum to 1.",
                "Copy the scores (never change the input), set [i, j] to −∞ where j > i, then softmax over keys.",
            ],
            ShapeHints = ["The pattern has the scores' shape: (n, n)."],
        };
    }

    private static ExerciseCase<Func<float[], Matrix<float>, int, float[]>> OnlineCase(string name, float[] scores, Matrix<float> v, int blockSize)
    {
        var expected = RowOf(ExactOutput(scores, v));
        var unnormalised = RowOf(OnlineVariant(scores, v, blockSize, rescale: true, normalise: false));
        var noRescale = RowOf(OnlineVariant(scores, v, blockSize, rescale: false, normalise: true));
        return new(name, $"scores [{string.Join(", ", scores.Select(s => s.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)))}], values of shape ({v.RowCount}, {v.ColumnCount}), blockSize = {blockSize}",
            () => expected, f => RowOf(f((float[])scores.Clone(), v.Clone(), blockSize) ?? throw new InvalidOperationException("your function returned null.")), () =>
            [
                new("never divided by the sum", unnormalised,
                [
                    "Your output is too big: the weights were never normalised.",
                    "At the end, divide the running output by the running sum.",
                ]),
                new("no rescaling when the maximum rises", noRescale,
                [
                    "Right when the largest score comes first, wrong when a later block raises the maximum.",
                    "When a block raises the running maximum from m to m′, multiply the running sum and the running output by exp(m − m′) before adding the block's terms.",
                ]),
                new("no running maximum", null,
                [
                    "NaN or ∞ in your output: an exponential overflowed.",
                    "Exponentiate score − running maximum, never the raw score.",
                ], got => got.Enumerate().Any(x => !float.IsFinite(x))),
            ])
        {
            GeneralHints =
            [
                "Compare with the explicit form: weights = Softmax.Apply(scores), output = Σ_j weights[j] · v.Row(j).",
                "Keep three things per query: the running maximum m, the running sum l of exp(s − m), and the running output o = Σ exp(s − m) v_j.",
            ],
            ShapeHints = ["The output has one entry per value dimension: v.ColumnCount."],
        };
    }

    private static Vector<float> ExactOutput(float[] scores, Matrix<float> v)
    {
        var w = AttentionVisually.Softmax.Apply(scores);
        var o = Vector<float>.Build.Dense(v.ColumnCount);
        for (int j = 0; j < w.Length; j++) o += w[j] * v.Row(j);
        return o;
    }

    // The two typical wrong versions of the online loop, to recognise them in a learner's output.
    private static Vector<float> OnlineVariant(float[] scores, Matrix<float> v, int blockSize, bool rescale, bool normalise)
    {
        double m = double.NegativeInfinity, l = 0;
        var o = new double[v.ColumnCount];
        for (int start = 0; start < scores.Length; start += blockSize)
        {
            int end = Math.Min(start + blockSize, scores.Length);
            double newMax = m;
            for (int j = start; j < end; j++) newMax = Math.Max(newMax, scores[j]);
            double factor = rescale && !double.IsNegativeInfinity(m) ? Math.Exp(m - newMax) : 1;
            l *= factor;
            for (int d = 0; d < o.Length; d++) o[d] *= factor;
            for (int j = start; j < end; j++)
            {
                double w = Math.Exp(scores[j] - newMax);
                l += w;
                for (int d = 0; d < o.Length; d++) o[d] += w * v[j, d];
            }
            m = newMax;
        }
        return Vector<float>.Build.Dense(o.Length, d => (float)(normalise ? o[d] / l : o[d]));
    }

    private static ExerciseCase<Func<Matrix<float>, Matrix<float>, Matrix<float>, Matrix<float>>> UpdateCase(string name, int numQueries, int numKeys, int dModel, int seed, bool causal)
    {
        var e = Init.Normal(numQueries, dModel, seed);
        var v = Init.Normal(numKeys, dModel, seed + 100);
        var pattern = Attention.Pattern(Init.Normal(numQueries, 2, seed + 200, std: 2), Init.Normal(numKeys, 2, seed + 300, std: 2),
            causal ? Mask.Causal(numQueries, numKeys) : null); // (numQueries, numKeys)
        var deltaE = pattern * v; // (numQueries, dModel)
        var expected = e + deltaE;
        return new(name, $"e of shape ({numQueries}, {dModel}), pattern of shape ({numQueries}, {numKeys}){(causal ? " (causal)" : "")}, v of shape ({numKeys}, {dModel}), seed {seed}",
            () => expected, f => f(e.Clone(), pattern.Clone(), v.Clone()), () =>
            {
                var list = new List<Mistake>
                {
                    new("forgot the residual", deltaE,
                    [
                        "You returned the change only.",
                        "e′ = e + Δe: add the original embeddings to the weighted sum.",
                    ]),
                    new("subtracted", e - deltaE, ["The change points the wrong way.", "Add Δe to e; do not subtract it."]),
                };
                if (numQueries == numKeys && numQueries > 1)
                    list.Add(new("transposed pattern", e + pattern.Transpose() * v,
                    [
                        "Each query's Δe must use that query's own weights.",
                        "Δe_i = Σ_j A[i, j] · v_j with the stored pattern (queries, keys): row i holds query i's weights over the keys (column i of the chart). You used column i of the stored pattern.",
                    ]));
                return list;
            })
        {
            GeneralHints =
            [
                "Check one query by hand: Δe_i = Σ_j pattern[i, j] · v.Row(j).",
                "In matrix form Δe = pattern · v, shape (numQueries, dModel); then add e.",
            ],
            ShapeHints = ["e′ has e's shape: one row per query, dModel columns. pattern · v is (numQueries, numKeys) · (numKeys, dModel)."],
        };
    }

    private static ExerciseCase<Func<MultiHeadAttention, Matrix<float>, Mask?, Matrix<float>>> BlockCase(string name, MultiHeadAttention block, Matrix<float> e, bool causal)
    {
        var mask = causal ? Mask.Causal(e.RowCount) : null;
        var output = block.Forward(e, mask);
        return new(name, $"a block of {block.NumHeads} heads (d_k = {string.Join(", ", block.Heads.Select(h => h.DK))}), e of shape ({e.RowCount}, {e.ColumnCount}), {(causal ? "causal mask" : "no mask")}",
            () => output.DeltaE, f => f(block, e.Clone(), mask), () =>
            {
                var list = new List<Mistake>
                {
                    new("added the residual", output.Output,
                    [
                        "This exercise asks for the change Δe, not e + Δe.",
                        "Return concat · W_Oᵀ without adding e.",
                    ]),
                    new("one head only", output.Heads[0].DeltaE,
                    [
                        "Only the first head's proposal is in your result.",
                        "Loop over block.Heads: each head's pattern · its values-down is (seqLen, d_k); set them side by side (SetSubMatrix) before the one product with W_O.",
                    ]),
                };
                if (mask is not null && e.RowCount > 1)
                    list.Add(new("forgot the mask", block.Forward(e, null).DeltaE,
                    [
                        "Later tokens leak into earlier ones.",
                        "Pass the mask to every head's pattern: Attention.Pattern(q, k, mask).",
                    ]));
                return list;
            })
        {
            GeneralHints =
            [
                "Compare with the sum of the heads' proposals: block.Forward(e, mask).DeltaE, row by row.",
                "For head h: q = head.Queries(e), k = head.Keys(e), A = Attention.Pattern(q, k, mask), small = A · (e · W_downᵀ); concat the smalls by columns, then Δe = concat · W_Oᵀ.",
            ],
            ShapeHints = ["Δe has e's shape (seqLen, dModel): concat is (seqLen, Σ d_k) and W_O is (dModel, Σ d_k), so Δe = concat · W_Oᵀ."],
        };
    }

    private static Matrix<float> RowOf(Vector<float> v) => M.DenseOfRowVectors(v);

    private static Matrix<float> RowOf(float[] v) => M.DenseOfRowArrays(v);

    private static string Describe(Matrix<float> m)
    {
        var finite = m.Enumerate().Where(float.IsFinite).ToArray();
        string range = finite.Length == 0 ? "all −∞" : $"from {finite.Min():G4} to {finite.Max():G4}";
        return finite.Length < m.RowCount * m.ColumnCount && finite.Length > 0 ? $"({range}, some −∞)" : $"({range})";
    }
}
