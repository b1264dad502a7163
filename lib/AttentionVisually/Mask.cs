using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>
/// Which keys each query may attend to: <c>mask[i, j]</c> is true when query i may look at key j.
/// Masked scores are set to −∞ before softmax, so they become exactly 0 after it
/// (3Blue1Brown, "Attention in transformers", the masking step).
/// </summary>
/// <remarks>
/// Why −∞ and not a large negative number such as −1e9: exp(−∞) is exactly 0, so a masked key gets
/// exactly zero weight whatever the other scores are, and the remaining weights still sum to 1.
/// </remarks>
public sealed class Mask
{
    private readonly bool[,] allowed;

    private Mask(bool[,] allowed) => this.allowed = allowed;

    /// <summary>Number of queries (rows).</summary>
    public int NumQueries => allowed.GetLength(0);

    /// <summary>Number of keys (columns).</summary>
    public int NumKeys => allowed.GetLength(1);

    /// <summary>True when query <paramref name="i"/> may attend to key <paramref name="j"/>.</summary>
    /// <param name="i">Query index.</param>
    /// <param name="j">Key index.</param>
    public bool this[int i, int j] => allowed[i, j];

    /// <summary>
    /// The causal mask: query i may attend to key j only when j ≤ i, so later tokens never
    /// influence earlier ones. Top-left aligned when the counts differ (as PyTorch's <c>is_causal</c>).
    /// </summary>
    /// <param name="numQueries">Number of queries, at least 1.</param>
    /// <param name="numKeys">Number of keys, at least 1; defaults to <paramref name="numQueries"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is less than 1.</exception>
    public static Mask Causal(int numQueries, int numKeys = -1)
    {
        if (numKeys == -1) numKeys = numQueries;
        ArgumentOutOfRangeException.ThrowIfLessThan(numQueries, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numKeys, 1);
        MemoryCheck.DenseFits(numQueries, numKeys, "the causal mask", nameof(numQueries), "pass isCausal: true to ManagedAttentionEngine (the flash engine), which needs no mask", bytesPerEntry: sizeof(bool));
        var a = new bool[numQueries, numKeys];
        for (int i = 0; i < numQueries; i++)
            for (int j = 0; j <= Math.Min(i, numKeys - 1); j++)
                a[i, j] = true;
        return new Mask(a);
    }

    /// <summary>A padding mask: every query may attend to the real keys and never to padding.</summary>
    /// <param name="numQueries">Number of queries, at least 1.</param>
    /// <param name="keyIsReal">One entry per key: true for a real token, false for padding.</param>
    /// <exception cref="ArgumentException"><paramref name="keyIsReal"/> is empty.</exception>
    public static Mask Padding(int numQueries, IReadOnlyList<bool> keyIsReal)
    {
        ArgumentNullException.ThrowIfNull(keyIsReal);
        ArgumentOutOfRangeException.ThrowIfLessThan(numQueries, 1);
        if (keyIsReal.Count == 0) throw new ArgumentException("keyIsReal is empty: a padding mask needs one entry per key.", nameof(keyIsReal));
        MemoryCheck.DenseFits(numQueries, keyIsReal.Count, "the padding mask", nameof(numQueries), "use a shorter sequence", bytesPerEntry: sizeof(bool));
        var a = new bool[numQueries, keyIsReal.Count];
        for (int i = 0; i < numQueries; i++)
            for (int j = 0; j < keyIsReal.Count; j++)
                a[i, j] = keyIsReal[j];
        return new Mask(a);
    }

    /// <summary>An arbitrary mask from a boolean grid (copied; the caller's array is not kept).</summary>
    /// <param name="allowed">Shape (numQueries, numKeys); true where attention is allowed.</param>
    /// <exception cref="ArgumentException">The grid has no rows or no columns.</exception>
    public static Mask FromArray(bool[,] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (allowed.GetLength(0) == 0 || allowed.GetLength(1) == 0)
            throw new ArgumentException($"allowed has shape ({allowed.GetLength(0)}, {allowed.GetLength(1)}); a mask needs at least one query and one key.", nameof(allowed));
        return new Mask((bool[,])allowed.Clone());
    }

    /// <summary>Checks that this mask fits a grid of scores.</summary>
    /// <param name="numQueries">Rows of the score grid.</param>
    /// <param name="numKeys">Columns of the score grid.</param>
    /// <param name="name">The argument name used in the message.</param>
    /// <exception cref="ArgumentException">The mask has another size.</exception>
    public void CheckFits(int numQueries, int numKeys, string name)
    {
        if (NumQueries != numQueries || NumKeys != numKeys)
            throw new ArgumentException($"{name} has shape ({NumQueries}, {NumKeys}) but the scores have shape ({numQueries}, {numKeys}).", name);
    }
}
