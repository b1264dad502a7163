using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class EnginesTests
{
    [Fact]
    public void Every_engine_is_listed_once_and_all_agree_on_causal_attention()
    {
        IReadOnlyList<IAttentionEngine> engines = Engines.All();
        Assert.Equal(engines.Count, engines.Select(e => e.Name).Distinct().Count());
        Assert.Contains(engines, e => e is TorchAttentionEngine { Mode: TorchAttentionMode.Fused });
        Assert.Contains(engines, e => e is TorchAttentionEngine { Mode: TorchAttentionMode.Explicit });

        Matrix<float> q = AttentionReference.Random(37, 16, 1), k = AttentionReference.Random(37, 16, 2), v = AttentionReference.Random(37, 16, 3);
        double[,] expected = AttentionReference.Attend(q, k, v, isCausal: true);
        Assert.All(engines, e => Assert.True(AttentionReference.RelativeError(e.Attend(q, k, v, isCausal: true), expected) <= 1e-5, e.Name));
    }

    [Fact]
    public void The_torch_status_says_available_and_the_device()
    {
        Assert.StartsWith("available: ", Engines.TorchStatus());
        Assert.Contains(TorchDevices.Default.type.ToString().ToLowerInvariant(), Engines.TorchStatus());
    }
}
