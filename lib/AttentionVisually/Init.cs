using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using AttentionVisually.Checks;

namespace AttentionVisually;

/// <summary>Seeded random matrices, so every run of a chapter shows the same numbers.</summary>
public static class Init
{
    /// <summary>A matrix of independent normal entries with mean 0 and the given standard deviation.</summary>
    /// <param name="rows">Rows, at least 1.</param>
    /// <param name="cols">Columns, at least 1.</param>
    /// <param name="seed">Seed of the random source.</param>
    /// <param name="std">Standard deviation, positive; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, std is not positive and finite, or the matrix would not fit in memory.</exception>
    public static Matrix<float> Normal(int rows, int cols, int seed, double std = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cols, 1);
        if (!(std > 0) || !double.IsFinite(std))
            throw new ArgumentOutOfRangeException(nameof(std), std, "std must be positive and finite.");
        MemoryCheck.DenseFits(rows, cols, "the random matrix", nameof(rows), "use smaller sizes");
        var normal = new Normal(0, std, new Random(seed));
        var m = Matrix<float>.Build.Dense(rows, cols);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                m[r, c] = (float)normal.Sample();
        return m;
    }
}
