using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Torch;

/// <summary>
/// Multi-head attention as 3Blue1Brown's chapter tells it, over TorchSharp tensors: every head h has its own query,
/// key, value-down and value-up maps; each head proposes a change for every position, and the changes of
/// all heads are summed into deltaE. Self-attention takes queries, keys and values from one sequence;
/// cross-attention takes queries from <c>e</c> and keys and values from a second sequence, <c>context</c>.
/// All heads run at once as one (numHeads, ...) batch.
/// </summary>
/// <remarks>
/// Summing value-up(head output) over heads equals the usual "concatenate the heads, then multiply by the
/// output matrix": the output matrix is the value-up matrices stapled side by side (3Blue1Brown, "Attention in transformers", 22:45).
/// The instance owns its weight tensors; dispose it to free them.
/// </remarks>
public sealed class TorchMultiHeadAttention : IDisposable
{
    private readonly Tensor wQ;         // (numHeads, dK, dModel)
    private readonly Tensor wK;         // (numHeads, dK, dModel)
    private readonly Tensor wValueDown; // (numHeads, dV, dModel)
    private readonly Tensor wValueUp;   // (numHeads, dModel, dV)
    private bool disposed;

    /// <summary>Copies the weights of every head to <paramref name="device"/>.</summary>
    /// <param name="wQ">Per head, the query map (dK, dModel).</param>
    /// <param name="wK">Per head, the key map (dK, dModel).</param>
    /// <param name="wValueDown">Per head, the value-down map (dV, dModel).</param>
    /// <param name="wValueUp">Per head, the value-up map (dModel, dV).</param>
    /// <param name="mode">Explicit or fused attention inside each head.</param>
    /// <param name="device">Where to compute; <see cref="TorchDevices.Default"/> when null.</param>
    /// <exception cref="ArgumentException">The lists differ in length or are empty, or a shape does not fit.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public TorchMultiHeadAttention(
        IReadOnlyList<Matrix<float>> wQ,
        IReadOnlyList<Matrix<float>> wK,
        IReadOnlyList<Matrix<float>> wValueDown,
        IReadOnlyList<Matrix<float>> wValueUp,
        TorchAttentionMode mode = TorchAttentionMode.Fused,
        Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(wQ);
        ArgumentNullException.ThrowIfNull(wK);
        ArgumentNullException.ThrowIfNull(wValueDown);
        ArgumentNullException.ThrowIfNull(wValueUp);
        if (wQ.Count == 0)
        {
            throw new ArgumentException("wQ is empty; at least one head is needed.", nameof(wQ));
        }
        NumHeads = wQ.Count;
        CheckCount(wK, nameof(wK));
        CheckCount(wValueDown, nameof(wValueDown));
        CheckCount(wValueUp, nameof(wValueUp));
        DK = wQ[0].RowCount;
        DModel = wQ[0].ColumnCount;
        DV = wValueDown[0].RowCount;
        for (int h = 0; h < NumHeads; h++)
        {
            Shape.Check(wQ[h], DK, DModel, $"wQ[{h}]");
            Shape.Check(wK[h], DK, DModel, $"wK[{h}]");
            Shape.Check(wValueDown[h], DV, DModel, $"wValueDown[{h}]");
            Shape.Check(wValueUp[h], DModel, DV, $"wValueUp[{h}]");
        }

        Engine = new TorchAttentionEngine(mode, device);
        // Detached from any dispose scope the caller may be in: these live as long as this instance.
        this.wQ = TensorConvert.ToTensor(wQ, Device, nameof(wQ)).DetachFromDisposeScope();
        this.wK = TensorConvert.ToTensor(wK, Device, nameof(wK)).DetachFromDisposeScope();
        this.wValueDown = TensorConvert.ToTensor(wValueDown, Device, nameof(wValueDown)).DetachFromDisposeScope();
        this.wValueUp = TensorConvert.ToTensor(wValueUp, Device, nameof(wValueUp)).DetachFromDisposeScope();
    }

    /// <summary>Copies the heads of a managed <see cref="MultiHeadAttention"/> block, so both compute the same deltaE.</summary>
    /// <param name="attention">The managed block.</param>
    /// <param name="mode">Explicit or fused attention inside each head.</param>
    /// <param name="device">Where to compute; <see cref="TorchDevices.Default"/> when null.</param>
    /// <returns>A new instance; dispose it to free the weights.</returns>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static TorchMultiHeadAttention From(MultiHeadAttention attention, TorchAttentionMode mode = TorchAttentionMode.Fused, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(attention);
        return new TorchMultiHeadAttention(
            attention.Heads.Select(h => h.WQ).ToArray(),
            attention.Heads.Select(h => h.WK).ToArray(),
            attention.Heads.Select(h => h.WValueDown).ToArray(),
            attention.Heads.Select(h => h.WValueUp).ToArray(),
            mode,
            device);
    }

    /// <summary>Number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>Embedding size.</summary>
    public int DModel { get; }

    /// <summary>Query/key size of each head.</summary>
    public int DK { get; }

    /// <summary>Value-down size of each head (the head's output size before value-up).</summary>
    public int DV { get; }

    /// <summary>Explicit or fused.</summary>
    public TorchAttentionMode Mode => Engine.Mode;

    /// <summary>The device the weights live on and every call computes on.</summary>
    public Device Device => Engine.Device;

    private TorchAttentionEngine Engine { get; }

    /// <summary>Self-attention: the change every head proposes for every position, summed.</summary>
    /// <param name="e">The sequence (seqLen, dModel).</param>
    /// <param name="isCausal">When true, position i looks only at positions j &lt;= i.</param>
    /// <returns>deltaE (seqLen, dModel), to be added to <paramref name="e"/>.</returns>
    /// <exception cref="ArgumentException">A shape does not fit, or an entry is NaN or infinite.</exception>
    public Matrix<float> Forward(Matrix<float> e, bool isCausal) => Forward(e, e, isCausal);

    /// <summary>Cross-attention: queries from <paramref name="e"/>, keys and values from <paramref name="context"/>.</summary>
    /// <param name="e">The sequence being updated (nQ, dModel).</param>
    /// <param name="context">The sequence attended to (nK, dModel); pass <paramref name="e"/> for self-attention.</param>
    /// <param name="isCausal">When true, query i looks only at context positions j &lt;= i.</param>
    /// <returns>deltaE (nQ, dModel).</returns>
    /// <exception cref="ArgumentException">A shape does not fit, or an entry is NaN or infinite.</exception>
    public Matrix<float> Forward(Matrix<float> e, Matrix<float> context, bool isCausal)
    {
        CheckInputs(e, context);
        using var scope = NewDisposeScope();
        Tensor eT = TensorConvert.ToTensor(e, Device);
        Tensor contextT = ReferenceEquals(e, context) ? eT : TensorConvert.ToTensor(context, Device);
        return TensorConvert.ToMatrix(Compute(eT, contextT, isCausal, keepPatterns: false).DeltaE);
    }

    /// <summary>Like <see cref="Forward(Matrix{float}, Matrix{float}, bool)"/>, computed explicitly, also returning every head's pattern.</summary>
    /// <param name="e">The sequence being updated (nQ, dModel).</param>
    /// <param name="context">The sequence attended to (nK, dModel); pass <paramref name="e"/> for self-attention.</param>
    /// <param name="isCausal">When true, query i looks only at context positions j &lt;= i.</param>
    /// <returns>deltaE (nQ, dModel) and one pattern (nQ, nK) per head.</returns>
    /// <exception cref="ArgumentException">A shape does not fit, or an entry is NaN or infinite.</exception>
    public (Matrix<float> DeltaE, Matrix<float>[] Patterns) ForwardWithPatterns(Matrix<float> e, Matrix<float> context, bool isCausal)
    {
        CheckInputs(e, context);
        using var scope = NewDisposeScope();
        Tensor eT = TensorConvert.ToTensor(e, Device);
        Tensor contextT = ReferenceEquals(e, context) ? eT : TensorConvert.ToTensor(context, Device);
        (Tensor deltaE, Tensor? patterns) = Compute(eT, contextT, isCausal, keepPatterns: true);
        return (TensorConvert.ToMatrix(deltaE), TensorConvert.ToMatrices(patterns!));
    }

    /// <summary>The tensor-level call, on tensors already on <see cref="Device"/>.</summary>
    /// <param name="e">The sequence being updated (nQ, dModel), float32.</param>
    /// <param name="context">The sequence attended to (nK, dModel), float32.</param>
    /// <param name="isCausal">When true, query i looks only at context positions j &lt;= i.</param>
    /// <returns>deltaE (nQ, dModel); the caller owns it.</returns>
    /// <exception cref="ArgumentException">A tensor is on another device or a shape does not fit.</exception>
    public Tensor Forward(Tensor e, Tensor context, bool isCausal)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(context);
        TorchAttentionEngine.CheckTensor(e, Device, nameof(e));
        TorchAttentionEngine.CheckTensor(context, Device, nameof(context));
        if (e.dim() != 2 || e.shape[1] != DModel)
        {
            throw new ArgumentException($"e has shape {TensorConvert.ShapeOf(e)} but (seqLen, {DModel}) was expected.", nameof(e));
        }
        if (context.dim() != 2 || context.shape[1] != DModel)
        {
            throw new ArgumentException($"context has shape {TensorConvert.ShapeOf(context)} but (seqLen, {DModel}) was expected.", nameof(context));
        }
        using var scope = NewDisposeScope();
        return Compute(e, context, isCausal, keepPatterns: false).DeltaE.MoveToOuterDisposeScope();
    }

    /// <summary>Frees the weight tensors.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        wQ.Dispose();
        wK.Dispose();
        wValueDown.Dispose();
        wValueUp.Dispose();
    }

    private (Tensor DeltaE, Tensor? Patterns) Compute(Tensor e, Tensor context, bool isCausal, bool keepPatterns)
    {
        Tensor q = TorchAttention.Project(e, wQ);                 // (numHeads, nQ, dK)
        Tensor k = TorchAttention.Project(context, wK);           // (numHeads, nK, dK)
        Tensor vDown = TorchAttention.Project(context, wValueDown); // (numHeads, nK, dV)
        Tensor? patterns = null;
        Tensor heads;                                              // (numHeads, nQ, dV)
        if (keepPatterns)
        {
            (heads, patterns) = TorchAttention.Explicit(q, k, vDown, isCausal); // patterns (numHeads, nQ, nK)
        }
        else
        {
            heads = Engine.Mode == TorchAttentionMode.Fused
                ? TorchAttention.Fused(q, k, vDown, isCausal)
                : TorchAttention.Explicit(q, k, vDown, isCausal).Output;
        }
        Tensor proposals = heads.matmul(wValueUp.transpose(-2, -1)); // (numHeads, nQ, dV) x (numHeads, dV, dModel) -> (numHeads, nQ, dModel)
        return (proposals.sum(dim: 0), patterns);                       // (nQ, dModel)
    }

    private void CheckInputs(Matrix<float> e, Matrix<float> context)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Shape.NotEmpty(e, nameof(e));
        Shape.NotEmpty(context, nameof(context));
        Shape.Check(e, -1, DModel, nameof(e));
        Shape.Check(context, -1, DModel, nameof(context));
        Shape.Finite(e, nameof(e));
        if (!ReferenceEquals(e, context))
        {
            Shape.Finite(context, nameof(context));
        }
    }

    private void CheckCount(IReadOnlyList<Matrix<float>> ws, string name)
    {
        if (ws.Count != NumHeads)
        {
            throw new ArgumentException($"{name} has {ws.Count} heads but wQ has {NumHeads}.", name);
        }
    }
}
