using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// One transformer block on the residual stream: multi-head attention adds its Δe to every position, then the
/// MLP adds its own, <c>e′ = e + Attn(norm(e))</c>, <c>e″ = e′ + MLP(norm(e′))</c> (GPT-2's pre-norm order;
/// nanoGPT's <c>Block</c>). A model is a stack of such blocks.
/// </summary>
/// <remarks>
/// The embeddings are never replaced, only added to: each sublayer reads the stream and writes a change into
/// it, which is why the stream is called residual. With <c>preLayerNorm</c> each sublayer reads a layer-normed
/// copy (every position rescaled to mean 0 and variance 1, with no learned gain or bias here); the stream
/// itself is not normalized.
/// </remarks>
public sealed class TransformerBlock
{
    /// <summary>Creates a block.</summary>
    /// <param name="attention">The multi-head attention step.</param>
    /// <param name="mlp">The MLP step; its dModel must match the attention's.</param>
    /// <param name="preLayerNorm">Whether each sublayer reads a layer-normed copy of the stream.</param>
    /// <exception cref="ArgumentException">The two steps have different dModel.</exception>
    public TransformerBlock(MultiHeadAttention attention, Mlp mlp, bool preLayerNorm = true)
    {
        ArgumentNullException.ThrowIfNull(attention);
        ArgumentNullException.ThrowIfNull(mlp);
        if (attention.DModel != mlp.DModel)
            throw new ArgumentException($"mlp has dModel = {mlp.DModel} but attention has dModel = {attention.DModel}.", nameof(mlp));
        Attention = attention;
        Mlp = mlp;
        PreLayerNorm = preLayerNorm;
    }

    /// <summary>The attention step.</summary>
    public MultiHeadAttention Attention { get; }

    /// <summary>The MLP step.</summary>
    public Mlp Mlp { get; }

    /// <summary>Whether each sublayer reads a layer-normed copy of the stream.</summary>
    public bool PreLayerNorm { get; }

    /// <summary>Embedding width.</summary>
    public int DModel => Attention.DModel;

    /// <summary>Runs the block: attention adds to the stream, then the MLP adds to it.</summary>
    /// <param name="e">The residual stream, shape (seqLen, dModel). Not modified.</param>
    /// <param name="mask">Optional attention mask, shape (seqLen, seqLen).</param>
    /// <returns>Each sublayer's change and the stream after each.</returns>
    /// <exception cref="ArgumentException">Wrong width, empty, not finite, or a mask of the wrong size.</exception>
    public BlockOutput Forward(Matrix<float> e, Mask? mask = null)
    {
        Shape.NotEmpty(e, nameof(e));
        var attentionDelta = Attention.Forward(Read(e), mask).DeltaE; // (seqLen, dModel)
        var afterAttention = e + attentionDelta;                       // (seqLen, dModel)
        var mlpDelta = Mlp.DeltaE(Read(afterAttention));               // (seqLen, dModel)
        return new BlockOutput(attentionDelta, afterAttention, mlpDelta, afterAttention + mlpDelta);
    }

    /// <summary>Layer norm without learned parameters: each row shifted to mean 0 and scaled to variance 1.</summary>
    /// <param name="x">Shape (seqLen, dModel). Not modified.</param>
    /// <param name="epsilon">Added to the variance so a constant row does not divide by zero.</param>
    /// <returns>A new matrix of the same shape.</returns>
    /// <exception cref="ArgumentException">x is empty or not finite.</exception>
    public static Matrix<float> LayerNorm(Matrix<float> x, float epsilon = 1e-5f)
    {
        Shape.NotEmpty(x, nameof(x));
        Shape.Finite(x, nameof(x));
        var y = Matrix<float>.Build.Dense(x.RowCount, x.ColumnCount);
        for (int i = 0; i < x.RowCount; i++)
        {
            var row = x.Row(i);
            float mean = row.Average();
            float variance = row.Select(v => (v - mean) * (v - mean)).Average();
            y.SetRow(i, (row - mean) / MathF.Sqrt(variance + epsilon));
        }
        return y;
    }

    private Matrix<float> Read(Matrix<float> stream) => PreLayerNorm ? LayerNorm(stream) : stream;
}

/// <summary>What one block did to the residual stream.</summary>
/// <param name="AttentionDelta">Attention's change, shape (seqLen, dModel).</param>
/// <param name="AfterAttention">The stream after attention, e′ = e + AttentionDelta.</param>
/// <param name="MlpDelta">The MLP's change, shape (seqLen, dModel).</param>
/// <param name="Output">The stream after the block, e″ = e′ + MlpDelta.</param>
public sealed record BlockOutput(Matrix<float> AttentionDelta, Matrix<float> AfterAttention, Matrix<float> MlpDelta, Matrix<float> Output);
