using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually;

/// <summary>
/// Shape and value checks used at every public boundary of the library, and by the notebooks
/// (in the spirit of d2l's <c>check_shape</c>): a check that fails names the argument and the sizes.
/// </summary>
public static class Shape
{
    /// <summary>Checks that <paramref name="m"/> has the given number of rows and columns.</summary>
    /// <param name="m">The matrix to check.</param>
    /// <param name="rows">Expected rows, or -1 for any.</param>
    /// <param name="cols">Expected columns, or -1 for any.</param>
    /// <param name="name">The argument name used in the message.</param>
    /// <returns>The same matrix, so a check can wrap an expression.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="m"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape differs from the expected one.</exception>
    public static Matrix<float> Check(Matrix<float> m, int rows, int cols, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        if ((rows >= 0 && m.RowCount != rows) || (cols >= 0 && m.ColumnCount != cols))
        {
            throw new ArgumentException(
                $"{name} has shape ({m.RowCount}, {m.ColumnCount}) but ({Dim(rows)}, {Dim(cols)}) was expected.", name);
        }
        return m;
    }

    /// <summary>Checks that <paramref name="m"/> has at least one row (a sequence must not be empty).</summary>
    /// <param name="m">A sequence of vectors, one per row.</param>
    /// <param name="name">The argument name used in the message.</param>
    /// <exception cref="ArgumentException">The matrix has no rows or no columns.</exception>
    public static void NotEmpty(Matrix<float> m, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        if (m.RowCount == 0 || m.ColumnCount == 0)
        {
            throw new ArgumentException($"{name} is empty: shape ({m.RowCount}, {m.ColumnCount}); a sequence needs at least one token.", name);
        }
    }

    /// <summary>Checks that every entry of <paramref name="m"/> is finite (no NaN, no infinity).</summary>
    /// <param name="m">The matrix to check.</param>
    /// <param name="name">The argument name used in the message.</param>
    /// <exception cref="ArgumentException">An entry is NaN or infinite; the message gives its position.</exception>
    public static void Finite(Matrix<float> m, string name)
    {
        ArgumentNullException.ThrowIfNull(m, name);
        for (int c = 0; c < m.ColumnCount; c++)
        {
            for (int r = 0; r < m.RowCount; r++)
            {
                float x = m[r, c];
                if (!float.IsFinite(x))
                {
                    throw new ArgumentException($"{name} contains {x} at ({r}, {c}); inputs must be finite.", name);
                }
            }
        }
    }

    private static string Dim(int d) => d < 0 ? "any" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
