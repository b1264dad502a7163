using AttentionVisually.Kernels;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// <see cref="TiledProduct"/>, the managed Y = X Wᵀ + b: every instruction path against a double-precision
/// product, at sizes that are whole register steps (read in place) and sizes that are not (padded copies).
/// </summary>
public class TiledProductTests
{
    public static TheoryData<int, int, int, bool> Sizes() => new()
    {
        { 1, 1, 1, true },
        { 16, 384, 384, true },
        { 128, 1536, 384, true },
        { 37, 20, 50, false },
        { 7, 64, 33, true },
        { 130, 96, 160, true },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_path_matches_the_double_precision_product(int m, int k, int n, bool withBias)
    {
        var x = AttentionReference.Random(m, k, seed: m + k);
        var w = AttentionReference.Random(n, k, seed: n + (3 * k));
        var b = AttentionReference.Random(n, 1, seed: n).Column(0);
        var expected = x.ToDouble().TransposeAndMultiply(w.ToDouble()); // (m, n)
        if (withBias)
        {
            for (int i = 0; i < m; i++)
            {
                expected.SetRow(i, expected.Row(i) + b.ToDouble());
            }
        }

        foreach (var (path, cores) in new[] { (KernelPath.Vector512, 2), (KernelPath.Vector256, 1), (KernelPath.Scalar, 2) })
        {
            float[] y = TiledProduct.MultiplyTransposed(
                x.ToColumnMajorArray(), m, k, w.ToColumnMajorArray(), n, withBias ? b.ToArray() : null, path, cores);
            var actual = Matrix<float>.Build.Dense(m, n, y);

            double scale = expected.Enumerate().Max(Math.Abs);
            double error = (expected - actual.ToDouble()).Enumerate().Max(Math.Abs);
            Assert.True(error <= 1e-6 * scale * Math.Sqrt(k + 1), $"{path}: max |difference| {error:E2} against max |expected| {scale:E2}");
        }
    }
}
