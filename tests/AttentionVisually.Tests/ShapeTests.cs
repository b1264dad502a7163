using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class ShapeTests
{
    [Fact]
    public void Check_names_the_argument_and_both_shapes()
    {
        var m = Matrix<float>.Build.Dense(3, 4);
        var ex = Assert.Throws<ArgumentException>(() => Shape.Check(m, 3, 5, "queries"));
        Assert.Equal("queries", ex.ParamName);
        Assert.Contains("(3, 4)", ex.Message);
        Assert.Contains("(3, 5)", ex.Message);
    }

    [Fact]
    public void Finite_reports_the_position_of_a_NaN()
    {
        var m = Matrix<float>.Build.Dense(2, 2);
        m[1, 0] = float.NaN;
        var ex = Assert.Throws<ArgumentException>(() => Shape.Finite(m, "e"));
        Assert.Contains("(1, 0)", ex.Message);
    }
}

public class CompareTests
{
    [Fact]
    public void A_single_NaN_makes_the_difference_NaN_so_a_tolerance_check_fails()
    {
        var a = Init.Normal(3, 3, 1);
        var b = a.Clone();
        b[2, 1] = float.NaN;
        Assert.True(double.IsNaN(Compare.MaxAbsDifference(a, b)));
        Assert.False(Compare.MaxAbsDifference(a, b) < 1e-5);
        Assert.Throws<InvalidOperationException>(() => AttentionVisually.Lesson.Expect.Near("d", Compare.MaxAbsDifference(a, b), 0, 1e-5));
    }

    [Fact]
    public void The_relative_difference_is_measured_against_the_largest_reference_entry()
    {
        var reference = MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.DenseOfArray(new float[,] { { 2f, -4f } });
        var a = MathNet.Numerics.LinearAlgebra.Matrix<float>.Build.DenseOfArray(new float[,] { { 2f, -3f } });
        Assert.Equal(0.25, Compare.RelativeDifference(a, reference), 12);
        Assert.Throws<ArgumentException>(() => Compare.MaxAbsDifference(a, Init.Normal(2, 2, 1)));
    }
}
