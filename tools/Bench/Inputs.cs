using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Bench;

/// <summary>Seeded standard-normal inputs, and the FLOP convention of the benches.</summary>
internal static class Inputs
{
    public static (Matrix<float> Q, Matrix<float> K, Matrix<float> V) Random(int n, int d, int seed) =>
        (Random(n, d, seed, 0), Random(n, d, seed, 1), Random(n, d, seed, 2)); // each (n, d)

    /// <summary>A (rows, cols) matrix of standard normal entries, the stream-th one drawn from <paramref name="seed"/>.</summary>
    public static Matrix<float> Random(int rows, int cols, int seed, int stream)
    {
        var normal = new Normal(0, 1, new System.Random(unchecked(seed * 31 + stream)) /* HashCode.Combine differs per process */);
        return Matrix<float>.Build.Dense(rows, cols, (_, _) => (float)normal.Sample());
    }

    /// <summary>
    /// Useful floating-point operations of one attention: 2 per multiply-add in Q K^T and in P V, so 4 d per
    /// query-key pair; causal attention counts only the n (n + 1) / 2 unmasked pairs.
    /// </summary>
    public static double Flops(int n, int d, bool isCausal) =>
        isCausal ? 4.0 * d * n * (n + 1) / 2 : 4.0 * d * n * n;

    /// <summary>max |a - b| / max |b|: the error relative to the largest entry of the reference.</summary>
    public static double RelativeDifference(Matrix<float> a, Matrix<float> b) => Compare.RelativeDifference(a, b); // NaN-aware
}
