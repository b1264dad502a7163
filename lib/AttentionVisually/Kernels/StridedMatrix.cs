namespace AttentionVisually.Kernels;

/// <summary>
/// A borrowed view of a dense float matrix: element (row, col) lives at
/// <c>Data[row * RowStride + col * ColStride]</c>. Row-major spans and MathNet's column-major storage
/// are both views, so the kernel reads either without copying. The memory must stay pinned while the
/// view is in use.
/// </summary>
internal readonly unsafe struct StridedMatrix
{
    public StridedMatrix(float* data, int rows, int cols, nint rowStride, nint colStride)
    {
        Data = data;
        Rows = rows;
        Cols = cols;
        RowStride = rowStride;
        ColStride = colStride;
    }

    public float* Data { get; }

    public int Rows { get; }

    public int Cols { get; }

    public nint RowStride { get; }

    public nint ColStride { get; }

    public float this[int row, int col]
    {
        get => Data[(row * RowStride) + (col * ColStride)];
        set => Data[(row * RowStride) + (col * ColStride)] = value;
    }

    public static StridedMatrix Create(float* data, int rows, int cols, MatrixLayout layout) =>
        layout == MatrixLayout.RowMajor
            ? new StridedMatrix(data, rows, cols, cols, 1)
            : new StridedMatrix(data, rows, cols, 1, rows);
}

/// <summary>How a dense matrix is laid out in a flat buffer.</summary>
internal enum MatrixLayout
{
    /// <summary>Row by row: (row, col) at <c>row * cols + col</c>.</summary>
    RowMajor,

    /// <summary>Column by column, as MathNet stores dense matrices: (row, col) at <c>col * rows + row</c>.</summary>
    ColumnMajor,
}
