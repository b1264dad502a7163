using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// The multi-layer perceptron between attention steps (the "feed-forward" block): every position alone goes up
/// to dFf hidden neurons, through a ReLU, and back down, <c>Δe_i = W_down ReLU(W_up e_i + b_up)</c>
/// (Vaswani et al. 2017, section 3.3; GPT uses GELU, a smooth ReLU).
/// </summary>
/// <remarks>
/// The same weights are applied to each row, and row i of the output depends on row i of the input only: an MLP
/// never moves information between positions. That is attention's job.
/// </remarks>
public sealed class Mlp
{
    private readonly Matrix<float> wUp, wDown;
    private readonly Vector<float> bUp;

    /// <summary>Creates an MLP from its weights (they are copied).</summary>
    /// <param name="wUp">Up map, shape (dFf, dModel): row n is what hidden neuron n reads.</param>
    /// <param name="bUp">Bias of the hidden neurons, length dFf (a negative bias is a threshold).</param>
    /// <param name="wDown">Down map, shape (dModel, dFf): column n is what neuron n writes.</param>
    /// <exception cref="ArgumentException">The shapes do not agree, or an entry is not finite.</exception>
    public Mlp(Matrix<float> wUp, Vector<float> bUp, Matrix<float> wDown)
    {
        Shape.NotEmpty(wUp, nameof(wUp));
        ArgumentNullException.ThrowIfNull(bUp);
        int dFf = wUp.RowCount, dModel = wUp.ColumnCount;
        if (bUp.Count != dFf) throw new ArgumentException($"bUp has {bUp.Count} entries but wUp has dFf = {dFf} rows.", nameof(bUp));
        Shape.Check(wDown, dModel, dFf, nameof(wDown));
        Shape.Finite(wUp, nameof(wUp));
        Shape.Finite(wDown, nameof(wDown));
        if (bUp.Any(x => !float.IsFinite(x))) throw new ArgumentException("bUp has an entry that is not finite.", nameof(bUp));
        this.wUp = wUp.Clone();
        this.bUp = bUp.Clone();
        this.wDown = wDown.Clone();
    }

    /// <summary>Embedding width.</summary>
    public int DModel => wUp.ColumnCount;

    /// <summary>Number of hidden neurons (GPT-3: 4 · dModel).</summary>
    public int DFf => wUp.RowCount;

    /// <summary>Parameters: both matrices and the hidden bias.</summary>
    public long ParameterCount => 2L * DFf * DModel + DFf;

    /// <summary>The hidden neurons' activations, ReLU(E W_upᵀ + b_up).</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel). Not modified.</param>
    /// <returns>Shape (seqLen, dFf).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty or not finite.</exception>
    public Matrix<float> Hidden(Matrix<float> e)
    {
        Check(e);
        var pre = e.TransposeAndMultiply(wUp); // (seqLen, dFf)
        for (int i = 0; i < pre.RowCount; i++) pre.SetRow(i, pre.Row(i) + bUp);
        return pre.PointwiseMaximum(0f);
    }

    /// <summary>The MLP's proposed change for every position, Δe = ReLU(E W_upᵀ + b_up) W_downᵀ.</summary>
    /// <param name="e">Embeddings, shape (seqLen, dModel). Not modified.</param>
    /// <returns>Δe, shape (seqLen, dModel).</returns>
    /// <exception cref="ArgumentException">Wrong width, empty or not finite.</exception>
    public Matrix<float> DeltaE(Matrix<float> e) => Hidden(e).TransposeAndMultiply(wDown); // (seqLen, dModel)

    /// <summary>An MLP with seeded normal weights (std 1/√dModel up, 1/√dFf down) and zero bias.</summary>
    /// <param name="dModel">Embedding width, at least 1.</param>
    /// <param name="dFf">Hidden width, at least 1.</param>
    /// <param name="seed">Seed; the two matrices use seed and seed + 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    public static Mlp Random(int dModel, int dFf, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dModel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dFf, 1);
        return new Mlp(Init.Normal(dFf, dModel, seed, 1.0 / Math.Sqrt(dModel)), Vector<float>.Build.Dense(dFf),
            Init.Normal(dModel, dFf, seed + 1, 1.0 / Math.Sqrt(dFf)));
    }

    private void Check(Matrix<float> e)
    {
        Shape.NotEmpty(e, nameof(e));
        if (e.ColumnCount != DModel)
            throw new ArgumentException($"e has dModel = {e.ColumnCount} (shape ({e.RowCount}, {e.ColumnCount})) but this MLP expects dModel = {DModel}.", nameof(e));
        Shape.Finite(e, nameof(e));
    }
}
