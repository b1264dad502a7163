using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>
/// The attention engines of the course, each set up on its own representation for timing side by side with
/// <see cref="InterleavedTiming"/>: libtorch's fused <c>scaled_dot_product_attention</c> (SDPA, the reference of
/// every ratio) and its step-by-step form on tensors already in place, the managed flash kernel on float arrays,
/// MathNet's explicit engine on matrices, and, as rows of their own, the copies a caller pays to move MathNet
/// matrices into tensors and the output back. Shared by the bench (tools/Bench) and chapter 09.
/// </summary>
public sealed class AttentionContenders : IDisposable
{
    private readonly Tensor q;
    private readonly Tensor k;
    private readonly Tensor v;
    private readonly Tensor sdpaOutput;
    private readonly float[] managedOutput;

    /// <summary>Draws seeded standard-normal q, k, v and places them in every representation.</summary>
    /// <param name="numHeads">Heads; the torch engines and the managed kernel take them all in one call, MathNet one call per head.</param>
    /// <param name="seqLen">Sequence length n (queries = keys).</param>
    /// <param name="headDim">Head dimension d.</param>
    /// <param name="isCausal">Whether query i sees only keys j &lt;= i.</param>
    /// <param name="managedThreads">Cores for the managed kernel; -1 for all (libtorch uses its own setting, <c>torch.get_num_threads()</c>).</param>
    /// <param name="explicitUpTo">Largest n at which MathNet's explicit engine (which forms the whole (n, n) pattern) is included.</param>
    /// <param name="seed">Seed of the inputs.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp cannot load on this machine.</exception>
    public AttentionContenders(int numHeads, int seqLen, int headDim, bool isCausal, int managedThreads = -1, int explicitUpTo = 1024, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numHeads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(seqLen, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(headDim, 1);
        TorchRuntime.EnsureAvailable();
        int h = numHeads, n = seqLen, d = headDim;
        Matrix<float>[] qs = Heads(h, n, d, seed, 0), ks = Heads(h, n, d, seed, 1), vs = Heads(h, n, d, seed, 2); // h x (n, d)
        float[] qa = RowMajor(qs), ka = RowMajor(ks), va = RowMajor(vs);                                            // (h, n, d)
        managedOutput = new float[h * n * d];
        q = tensor(qa, [1, h, n, d]); // (batch, heads, n, d): the 4-d layout libtorch's CPU flash kernel takes
        k = tensor(ka, [1, h, n, d]);
        v = tensor(va, [1, h, n, d]);
        sdpaOutput = TorchAttention.Fused(q, k, v, isCausal);
        double flops = h * Flops(n, d, isCausal);
        var explicitEngine = new ExplicitAttentionEngine();

        var all = new List<Contender>
        {
            new("torch SDPA", "tensors", flops, () =>
            {
                using var o = TorchAttention.Fused(q, k, v, isCausal);
            }),
            new("torch explicit", "tensors", flops, () =>
            {
                using var scope = NewDisposeScope();
                TorchAttention.Explicit(q, k, v, isCausal);
            }),
            new("managed flash", "float arrays", flops, () =>
                FlashAttention.ComputeHeads(qa, ka, va, managedOutput, h, n, n, d, d, isCausal, managedThreads)),
        };
        if (n <= explicitUpTo)
        {
            all.Add(new("managed explicit (MathNet)", "MathNet matrices", flops, () =>
            {
                for (int head = 0; head < h; head++)
                {
                    explicitEngine.Attend(qs[head], ks[head], vs[head], isCausal);
                }
            }));
        }

        all.Add(new("copy q, k, v: matrices to tensors", "MathNet -> tensor", double.NaN, () =>
        {
            using var scope = NewDisposeScope();
            TensorConvert.ToTensor(qs);
            TensorConvert.ToTensor(ks);
            TensorConvert.ToTensor(vs);
        }));
        all.Add(new("copy output: tensor to matrices", "tensor -> MathNet", double.NaN, () => TensorConvert.ToMatrices(sdpaOutput[0])));
        All = all;

        FlashAttention.ComputeHeads(qa, ka, va, managedOutput, h, n, n, d, d, isCausal, managedThreads);
        ManagedVersusSdpa = Compare.RelativeDifference(
            Matrix<float>.Build.Dense(1, managedOutput.Length, managedOutput),
            Matrix<float>.Build.Dense(1, managedOutput.Length, sdpaOutput.data<float>().ToArray()));
    }

    /// <summary>The contenders: SDPA first (the reference of every ratio), then the other engines, then the copies (FLOPs NaN).</summary>
    public IReadOnlyList<Contender> All { get; }

    /// <summary>max |managed - SDPA| / max |SDPA| over the outputs: a check that both compute the same thing.</summary>
    public double ManagedVersusSdpa { get; }

    /// <summary>
    /// Useful floating-point operations of one head: 2 per multiply-add in Q K^T and in P V, so 4 d per
    /// query-key pair; causal attention counts only the n (n + 1) / 2 unmasked pairs.
    /// </summary>
    /// <param name="seqLen">Sequence length n.</param>
    /// <param name="headDim">Head dimension d.</param>
    /// <param name="isCausal">Whether only pairs j &lt;= i count.</param>
    /// <returns>FLOPs of one head.</returns>
    public static double Flops(int seqLen, int headDim, bool isCausal) =>
        isCausal ? 4.0 * headDim * seqLen * (seqLen + 1) / 2 : 4.0 * headDim * seqLen * seqLen;

    /// <inheritdoc />
    public void Dispose()
    {
        q.Dispose();
        k.Dispose();
        v.Dispose();
        sdpaOutput.Dispose();
    }

    private static Matrix<float>[] Heads(int h, int n, int d, int seed, int stream) =>
        Enumerable.Range(0, h).Select(head => Init.Normal(n, d, seed: (seed * 1000) + (head * 3) + stream)).ToArray();

    private static float[] RowMajor(Matrix<float>[] heads) => heads.SelectMany(m => m.ToRowMajorArray()).ToArray();
}
