using AttentionVisually;
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
