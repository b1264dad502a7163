using AttentionVisually.Layers;
using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

/// <summary>
/// <see cref="MatrixProducts"/>: the managed route (the default) and the OpenBLAS route (where libopenblas.so.0 is
/// installed) give the same products, both checked against a double-precision product; the real model's linear
/// layers agree on both routes; OpenBLAS runs the kernels of this processor's widest vectors; the route follows the
/// size unless a checked environment variable fixes it.
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
        var a = AttentionReference.Random(m, k, seed: m + k);
        var b = AttentionReference.Random(n, k, seed: n + (2 * k));
        var expected = a.ToDouble().TransposeAndMultiply(b.ToDouble()); // (m, n)

        var managed = MatrixProducts.WithManaged(() => MatrixProducts.MultiplyTransposed(a, b));
        AssertClose(expected, managed);
        if (!MatrixProducts.OpenBlasAvailable)
        {
            AssertOpenBlasRefused(); // optional: build/setup.sh installs it where it can
            return;
        }

        AssertClose(expected, MatrixProducts.Using(ProductRoute.OpenBlas, () => MatrixProducts.MultiplyTransposed(a, b)));
    }

    [Fact]
    public void A_linear_layer_gives_the_same_output_on_both_routes()
    {
        var x = AttentionReference.Random(20, 64, seed: 1);
        var w = AttentionReference.Random(96, 64, seed: 2);
        var b = AttentionReference.Random(96, 1, seed: 3).Column(0);

        if (!MatrixProducts.OpenBlasAvailable)
        {
            AssertOpenBlasRefused();
            return;
        }

        var openBlas = MatrixProducts.Using(ProductRoute.OpenBlas, () => Linear.Apply(x, w, b));
        var managed = MatrixProducts.WithManaged(() => Linear.Apply(x, w, b));

        Assert.Equal((20, 96), (openBlas.RowCount, openBlas.ColumnCount));
        AttentionReference.AssertClose(managed, openBlas, relative: 1e-5);
    }

    [Fact]
    public void A_chosen_route_holds_only_inside_using_and_by_default_the_route_follows_the_size()
    {
        ProductRoute inside = MatrixProducts.WithManaged(() => MatrixProducts.RouteFor(1000));

        Assert.Equal(ProductRoute.Managed, inside);
        Assert.Null(MatrixProducts.FixedRouteFor(null));
        Assert.Null(MatrixProducts.FixedRouteFor(" Auto "));
        Assert.Equal(ProductRoute.Managed, MatrixProducts.FixedRouteFor("managed"));
        if (Environment.GetEnvironmentVariable(MatrixProducts.RouteVariable) is null)
        {
            Assert.Equal(ProductRoute.Managed, MatrixProducts.RouteFor(MatrixProducts.OpenBlasMinRows - 1));
            Assert.Equal(MatrixProducts.OpenBlasAvailable ? ProductRoute.OpenBlas : ProductRoute.Managed, MatrixProducts.RouteFor(MatrixProducts.OpenBlasMinRows));
        }
    }

    [Fact]
    public void The_variable_fixes_openblas_only_where_it_loaded_and_refuses_an_unknown_name()
    {
        Assert.Equal(MatrixProducts.OpenBlasAvailable ? ProductRoute.OpenBlas : ProductRoute.Managed, MatrixProducts.FixedRouteFor("OpenBLAS"));

        var error = Assert.Throws<ArgumentException>(() => MatrixProducts.FixedRouteFor("mkl"));
        Assert.Contains(MatrixProducts.RouteVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains("'mkl'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenBLAS_takes_the_kernels_of_this_processors_widest_vectors_not_its_generic_fallback()
    {
        if (!MatrixProducts.OpenBlasAvailable)
        {
            Assert.Null(MatrixProducts.OpenBlasCore);
            return;
        }

        // Debian 12's OpenBLAS 0.3.21 takes "Prescott" (SSE3) on processors newer than it knows, unless told.
        string? expected = Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") ?? MatrixProducts.CoreTypeForThisProcessor();
        Assert.NotNull(MatrixProducts.OpenBlasCore);
        if (expected is not null)
        {
            Assert.Equal(expected, MatrixProducts.OpenBlasCore, ignoreCase: true);
        }
    }

    [Fact]
    public void The_status_names_the_route_by_size_the_openblas_kernels_and_the_mathnet_provider()
    {
        string status = MatrixProducts.Status;
        string managed = MatrixProducts.WithManaged(() => MatrixProducts.Status);

        Assert.Contains("MathNet provider: " + MatrixProducts.MathNetProvider, status, StringComparison.Ordinal);
        Assert.StartsWith("the managed tiled kernel", managed, StringComparison.Ordinal);
        if (MatrixProducts.OpenBlasAvailable && MatrixProducts.FixedRoute is null)
        {
            Assert.StartsWith("OpenBLAS", status, StringComparison.Ordinal);
            Assert.Contains($"{MatrixProducts.OpenBlasCore} kernels", status, StringComparison.Ordinal);
            Assert.Contains($"from {MatrixProducts.OpenBlasMinRows} rows", status, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rejects_factors_whose_inner_sizes_differ()
    {
        var error = Assert.Throws<ArgumentException>(() => MatrixProducts.MultiplyTransposed(Matrix<float>.Build.Dense(3, 4), Matrix<float>.Build.Dense(5, 6)));

        Assert.Equal("b", error.ParamName);
        Assert.Contains("6", error.Message, StringComparison.Ordinal);
    }

    private static void AssertOpenBlasRefused()
    {
        Assert.Equal(ProductRoute.Managed, MatrixProducts.RouteFor(1000));
        var error = Assert.Throws<InvalidOperationException>(() => MatrixProducts.Using(ProductRoute.OpenBlas, () => 0));
        Assert.Contains("libopenblas.so.0", error.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(Matrix<double> expected, Matrix<float> actual)
    {
        Assert.Equal((expected.RowCount, expected.ColumnCount), (actual.RowCount, actual.ColumnCount));
        double scale = expected.Enumerate().Max(Math.Abs);
        double error = (expected - actual.ToDouble()).Enumerate().Max(Math.Abs);
        Assert.True(error <= 1e-5 * scale * Math.Sqrt(expected.ColumnCount + 1), $"max |difference| {error:E2} against max |expected| {scale:E2}");
    }
}
