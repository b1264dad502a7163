using MathNet.Numerics.LinearAlgebra;

namespace AttentionVisually.Tests;

public class MlpTests
{
    [Fact]
    public void Each_output_row_depends_only_on_the_same_input_row()
    {
        var mlp = Mlp.Random(dModel: 8, dFf: 32, seed: 1);
        var e = Init.Normal(5, 8, seed: 2);
        var changed = e.Clone();
        changed.SetRow(4, Init.Normal(1, 8, seed: 3).Row(0));
        var a = mlp.DeltaE(e);
        var b = mlp.DeltaE(changed);
        Assert.Equal((5, 8), (a.RowCount, a.ColumnCount));
        Assert.Equal(0, Compare.MaxAbsDifference(a.SubMatrix(0, 4, 0, 8), b.SubMatrix(0, 4, 0, 8)));
        Assert.True((a.Row(4) - b.Row(4)).AbsoluteMaximum() > 1e-3f);
    }

    [Fact]
    public void DeltaE_is_relu_of_the_up_map_plus_bias_through_the_down_map()
    {
        var wUp = Matrix<float>.Build.DenseOfArray(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } });
        var bUp = Vector<float>.Build.DenseOfArray([0, -1, -3]);
        var wDown = Matrix<float>.Build.DenseOfArray(new float[,] { { 1, 2, 3 }, { 0, 0, 1 } });
        var mlp = new Mlp(wUp, bUp, wDown);
        var e = Matrix<float>.Build.DenseOfArray(new float[,] { { 2, 3 } });
        // hidden = relu([2, 3 - 1, 5 - 3]) = [2, 2, 2]; Δe = [2 + 4 + 6, 2]
        Assert.Equal(new float[] { 2, 2, 2 }, mlp.Hidden(e).Row(0).ToArray());
        Assert.Equal(new float[] { 12, 2 }, mlp.DeltaE(e).Row(0).ToArray());
        Assert.Equal(2L * 3 * 2 + 3, mlp.ParameterCount);
    }

    [Fact]
    public void Mismatched_sizes_are_named_with_their_sizes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Mlp(Matrix<float>.Build.Dense(3, 2), Vector<float>.Build.Dense(4), Matrix<float>.Build.Dense(2, 3)));
        Assert.Contains("bUp has 4", ex.Message);
        var mlp = Mlp.Random(4, 8, 1);
        var wrong = Assert.Throws<ArgumentException>(() => mlp.DeltaE(Matrix<float>.Build.Dense(2, 5)));
        Assert.Contains("dModel = 5", wrong.Message);
    }
}
