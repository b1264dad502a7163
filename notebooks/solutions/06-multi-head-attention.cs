// exercise: 06.multi-head
Matrix<float> MyBlockDeltaE(MultiHeadAttention block, Matrix<float> e, Mask? mask)
{
    // e: (seqLen, dModel) → Δe: (seqLen, dModel)
    var concat = Matrix<float>.Build.Dense(e.RowCount, block.ConcatWidth); // (seqLen, Σ d_k)
    int column = 0;
    foreach (var head in block.Heads)
    {
        var pattern = Attention.Pattern(head.Queries(e), head.Keys(e), mask); // (seqLen, seqLen)
        var small = pattern * e.TransposeAndMultiply(head.WValueDown);       // (seqLen, d_k)
        concat.SetSubMatrix(0, column, small);
        column += head.DK;
    }
    return concat.TransposeAndMultiply(block.WO); // (seqLen, Σ d_k) · W_Oᵀ
}
