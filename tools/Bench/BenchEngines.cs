using AttentionVisually;
using AttentionVisually.Torch;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Bench;

/// <summary>
/// The engines the bench compares, in table order. The first is the baseline every ratio refers to.
/// To add an engine (for instance a TorchSharp one), reference its project and add one line to
/// <see cref="All"/>; anything implementing <see cref="IAttentionEngine"/> or wrapped in
/// <see cref="DelegateEngine"/> will do.
/// </summary>
internal static class BenchEngines
{
    public static IReadOnlyList<IAttentionEngine> All() =>
    [
        new MathNetExplicitEngine(),
        new ManagedAttentionEngine(),
        new DelegateEngine("online softmax (reference)", (q, k, v, isCausal) => OnlineSoftmaxAttention.Compute(q, k, v, isCausal)),
        .. TorchRuntime.IsAvailable
            ? new IAttentionEngine[] { new TorchAttentionEngine(TorchAttentionMode.Explicit), new TorchAttentionEngine(TorchAttentionMode.Fused) }
            : [],
    ];
}

/// <summary>An engine made from a name and a function, for code that is not an <see cref="IAttentionEngine"/> itself.</summary>
internal sealed class DelegateEngine(string name, Func<Matrix<float>, Matrix<float>, Matrix<float>, bool, Matrix<float>> attend)
    : IAttentionEngine
{
    public string Name => name;

    public Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal) => attend(q, k, v, isCausal);
}
