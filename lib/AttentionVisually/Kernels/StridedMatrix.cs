using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// tile[r * tileStride + c] = this[row0 + r, c] * scale for r &lt; rows and every column. The loops walk the
    /// source's unit stride innermost: reading a column-major matrix across a row instead would step by the
    /// column length, and when that is a multiple of 1024 every step lands in the same cache set.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per block: too rarely to tier up
    public void ReadRows(int row0, int rows, float* tile, int tileStride, float scale)
    {
        if (ColStride == 1)
        {
            for (int r = 0; r < rows; r++)
            {
                Scale(Data + ((row0 + r) * RowStride), tile + (r * tileStride), Cols, scale);
            }
        }
        else
        {
            for (int c = 0; c < Cols; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    tile[(r * tileStride) + c] = this[row0 + r, c] * scale;
                }
            }
        }
    }

    /// <summary>tile[c * tileStride + r] = this[row0 + r, c] * scale: the transpose of <see cref="ReadRows"/>, same loop order rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per block: too rarely to tier up
    public void ReadRowsTransposed(int row0, int rows, float* tile, int tileStride, float scale)
    {
        if (ColStride == 1)
        {
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < Cols; c++)
                {
                    tile[(c * tileStride) + r] = this[row0 + r, c] * scale;
                }
            }
        }
        else
        {
            for (int c = 0; c < Cols; c++)
            {
                Scale(Data + (row0 * RowStride) + (c * ColStride), tile + (c * tileStride), rows, scale);
            }
        }
    }

    /// <summary>this[row0 + r, c] = tile[r * tileStride + c] * rowScale[r] for r &lt; rows: the inverse of <see cref="ReadRows"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once per block: too rarely to tier up
    public void WriteRows(int row0, int rows, float* tile, int tileStride, float* rowScale)
    {
        if (ColStride == 1)
        {
            for (int r = 0; r < rows; r++)
            {
                Scale(tile + (r * tileStride), Data + ((row0 + r) * RowStride), Cols, rowScale[r]);
            }
        }
        else
        {
            for (int c = 0; c < Cols; c++)
            {
                for (int r = 0; r < rows; r++)
                {
                    this[row0 + r, c] = tile[(r * tileStride) + c] * rowScale[r];
                }
            }
        }
    }

    /// <summary>destination[i] = source[i] * scale for i &lt; count, on whole vectors where they fit.</summary>
    private static void Scale(float* source, float* destination, int count, float scale)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> s = Vector256.Create(scale);
            for (; i <= count - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                (Vector256.Load(source + i) * s).Store(destination + i);
            }
        }

        for (; i < count; i++)
        {
            destination[i] = source[i] * scale;
        }
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
