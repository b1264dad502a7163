using AttentionVisually.Checks;
using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>How the TorchSharp engine computes attention.</summary>
public enum TorchAttentionMode
{
    /// <summary>Step by step (<see cref="TorchAttention.Explicit"/>); the pattern is available for plotting.</summary>
    Explicit,

    /// <summary>One call to TorchSharp's fused <c>scaled_dot_product_attention</c> (<see cref="TorchAttention.Fused"/>).</summary>
    Fused,
}

/// <summary>
/// The TorchSharp attention engine: the same <see cref="IAttentionEngine"/> contract as the managed engine,
/// computed by libtorch on a CPU or a CUDA device, explicitly or fused. Matrices in and out are copied
/// through <see cref="TensorConvert"/>; every temporary tensor is freed before a call returns.
/// </summary>
public sealed class TorchAttentionEngine : IAttentionEngine
{
    /// <summary>Creates an engine.</summary>
    /// <param name="mode">Explicit (keeps the pattern) or fused.</param>
    /// <param name="device">Where to compute; <see cref="TorchDevices.Default"/> when null (CUDA when a CUDA build and a GPU are present, else CPU).</param>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    /// <exception cref="ArgumentException">The device cannot be used on this machine.</exception>
    public TorchAttentionEngine(TorchAttentionMode mode = TorchAttentionMode.Fused, Device? device = null)
    {
        TorchRuntime.EnsureAvailable();
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentException($"mode {(int)mode} is not a TorchAttentionMode.", nameof(mode));
        }
        Mode = mode;
        Device = device is null ? TorchDevices.Default : TorchDevices.Check(device, nameof(device));
    }

    /// <summary>Explicit or fused.</summary>
    public TorchAttentionMode Mode { get; }

    /// <summary>The device every computation runs on.</summary>
    public Device Device { get; }

    /// <inheritdoc />
    public string Name => $"torch {(Mode == TorchAttentionMode.Fused ? "fused" : "explicit")} ({Device.type.ToString().ToLowerInvariant()})";

    /// <summary>softmax(Q K^T / sqrt(dK) + mask) V, computed by libtorch.</summary>
    /// <param name="q">Queries (nQ, dK).</param>
    /// <param name="k">Keys (nK, dK).</param>
    /// <param name="v">Values (nK, dV).</param>
    /// <param name="isCausal">When true, query i attends only keys j &lt;= i.</param>
    /// <returns>(nQ, dV).</returns>
    /// <exception cref="ArgumentException">A shape does not fit, an entry is NaN or infinite, or a sum could overflow float.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Explicit mode: the pattern would not fit in memory.</exception>
    public Matrix<float> Attend(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        AttentionInputs.Check(q, k, v);
        if (Mode == TorchAttentionMode.Explicit) Attention.PatternFits(q.RowCount, k.RowCount, new(nameof(k)));
        using var scope = NewDisposeScope();
        Tensor output = Compute(TensorConvert.ToTensor(q, Device), TensorConvert.ToTensor(k, Device), TensorConvert.ToTensor(v, Device), isCausal);
        return TensorConvert.ToMatrix(output);
    }

    /// <summary>Like <see cref="Attend(Matrix{float}, Matrix{float}, Matrix{float}, bool)"/>, and also returns the pattern (always computed explicitly).</summary>
    /// <param name="q">Queries (nQ, dK).</param>
    /// <param name="k">Keys (nK, dK).</param>
    /// <param name="v">Values (nK, dV).</param>
    /// <param name="isCausal">When true, query i attends only keys j &lt;= i.</param>
    /// <returns>Output (nQ, dV) and pattern (nQ, nK), row i = the weights query i gives each key.</returns>
    /// <exception cref="ArgumentException">A shape does not fit, an entry is NaN or infinite, or a sum could overflow float.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The pattern would not fit in memory.</exception>
    public (Matrix<float> Output, Matrix<float> Pattern) AttendWithPattern(Matrix<float> q, Matrix<float> k, Matrix<float> v, bool isCausal)
    {
        AttentionInputs.Check(q, k, v);
        Attention.PatternFits(q.RowCount, k.RowCount, new(nameof(k)));
        using var scope = NewDisposeScope();
        (Tensor output, Tensor pattern) = TorchAttention.ExplicitChecked(
            TensorConvert.ToTensor(q, Device), TensorConvert.ToTensor(k, Device), TensorConvert.ToTensor(v, Device), isCausal);
        return (TensorConvert.ToMatrix(output), TensorConvert.ToMatrix(pattern));
    }

    /// <summary>The tensor-level call: attention over tensors already on <see cref="Device"/>, with any leading dimensions (e.g. heads).</summary>
    /// <param name="q">Queries (..., nQ, dK).</param>
    /// <param name="k">Keys (..., nK, dK).</param>
    /// <param name="v">Values (..., nK, dV).</param>
    /// <param name="isCausal">When true, query i attends only keys j &lt;= i.</param>
    /// <returns>(..., nQ, dV); the caller owns it.</returns>
    /// <exception cref="ArgumentException">A tensor is on another device, is not float32, contains NaN or infinity, a shape does
    /// not fit, or q · k or a weighted sum of values could overflow float.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Explicit mode: the pattern would not fit in memory.</exception>
    public Tensor Attend(Tensor q, Tensor k, Tensor v, bool isCausal)
    {
        CheckPlacement(q, Device, nameof(q));
        CheckPlacement(k, Device, nameof(k));
        CheckPlacement(v, Device, nameof(v));
        TorchAttention.Check(q, k, v, new(nameof(q)), new(nameof(k)), new(nameof(v)));
        if (Mode == TorchAttentionMode.Explicit) TorchAttention.PatternFits(q, k, copies: 2, new(nameof(k)));
        using var scope = NewDisposeScope();
        return Compute(q, k, v, isCausal).MoveToOuterDisposeScope();
    }

    // Inputs are checked by the caller: each rule runs once per call.
    private Tensor Compute(Tensor q, Tensor k, Tensor v, bool isCausal) =>
        Mode == TorchAttentionMode.Fused ? TorchAttention.FusedChecked(q, k, v, isCausal) : TorchAttention.ExplicitChecked(q, k, v, isCausal).Output;

    /// <summary>The boundary check of every tensor entry point: on the right device, not empty, float32, finite.</summary>
    internal static void CheckTensor(Tensor t, Device device, string name)
    {
        CheckPlacement(t, device, name);
        TorchAttention.MaxMagnitude(t, new(name));
    }

    /// <summary>The boundary check of a tensor's placement and type: on the right device, not empty, float32.</summary>
    private static void CheckPlacement(Tensor t, Device device, string name)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        TorchDevices.CheckOn(t, device, name);
        if (t.numel() == 0)
        {
            throw new ArgumentException($"{name} is empty (shape {TensorConvert.ShapeOf(t)}); a sequence needs at least one token.", name);
        }
        if (t.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"{name} has type {t.dtype} but the engine computes in float32.", name);
        }
    }
}
