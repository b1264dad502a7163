using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// <see cref="MatrixProducts"/>: the OpenBLAS route (where libopenblas.so.0 is installed) and the managed route
/// give the same products, both checked against a double-precision product; the real model's linear layers
/// agree on both routes.
/// </summary>
public class MatrixProductsTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(16, 384, 384)]
    [InlineData(37, 384, 1536)]
    [InlineData(128, 1536, 384)]
    public void Both_routes_match_the_double_precision_product(int m, int k, int n)
    {
        var a = ExplicitReference.Random(m, k, seed: m + k);
        var b = ExplicitReference.Random(n, k, seed: n + (2 * k));
        var expected = a.ToDouble().TransposeAndMultiply(b.ToDouble()); // (m, n)

        var installed = MatrixProducts.MultiplyTransposed(a, b);
        var managed = MatrixProducts.WithManaged(() => MatrixProducts.MultiplyTransposed(a, b));

        AssertClose(expected, installed);
        AssertClose(expected, managed);
    }

    [Fact]
    public void A_linear_layer_gives_the_same_output_on_both_routes()
    {
        var x = ExplicitReference.Random(20, 64, seed: 1);
        var w = ExplicitReference.Random(96, 64, seed: 2);
        var b = ExplicitReference.Random(96, 1, seed: 3).Column(0);

        var installed = Linear.Apply(x, w, b);
        var managed = MatrixProducts.WithManaged(() => Linear.Apply(x, w, b));

        Assert.Equal((20, 96), (installed.RowCount, installed.ColumnCount));
        ExplicitReference.AssertClose(managed, installed, relative: 1e-5);
    }

    [Fact]
    public void The_managed_route_is_forced_only_inside_with_managed()
    {
        bool inside = MatrixProducts.WithManaged(() => MatrixProducts.ManagedForced);

        Assert.True(inside);
        Assert.Equal(!MatrixProducts.IsNative, MatrixProducts.ManagedForced);
    }

    [Fact]
    public void The_status_names_the_route_in_use_and_the_mathnet_provider()
    {
        string status = MatrixProducts.Status;

        Assert.StartsWith(MatrixProducts.IsNative ? "OpenBLAS" : "managed", status, StringComparison.Ordinal);
        Assert.Contains("MathNet provider: " + MatrixProducts.MathNetProvider, status, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_factors_whose_inner_sizes_differ()
    {
        var error = Assert.Throws<ArgumentException>(() => MatrixProducts.MultiplyTransposed(Matrix<float>.Build.Dense(3, 4), Matrix<float>.Build.Dense(5, 6)));

        Assert.Equal("b", error.ParamName);
        Assert.Contains("6", error.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(Matrix<double> expected, Matrix<float> actual)
    {
        Assert.Equal((expected.RowCount, expected.ColumnCount), (actual.RowCount, actual.ColumnCount));
        double scale = expected.Enumerate().Max(Math.Abs);
        double error = (expected - actual.ToDouble()).Enumerate().Max(Math.Abs);
        Assert.True(error <= 1e-5 * scale * Math.Sqrt(expected.ColumnCount + 1), $"max |difference| {error:E2} against max |expected| {scale:E2}");
    }
}
