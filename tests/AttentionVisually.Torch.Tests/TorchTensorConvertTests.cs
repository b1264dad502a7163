using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace AttentionVisually.Tests;

public class TorchTensorConvertTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(64, 7)]
    public void A_matrix_becomes_a_tensor_of_the_same_shape_entry_by_entry(int rows, int cols)
    {
        Matrix<float> m = AttentionReference.Random(rows, cols, rows + cols);
        using Tensor t = TensorConvert.ToTensor(m);
        Assert.Equal(new long[] { rows, cols }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        float[] rowMajor = t.data<float>().ToArray();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                Assert.Equal(m[i, j], rowMajor[(i * cols) + j]);
            }
        }
    }

    [Fact]
    public void A_matrix_survives_the_round_trip_exactly()
    {
        Matrix<float> m = AttentionReference.Random(17, 9, 3);
        using Tensor t = TensorConvert.ToTensor(m);
        Assert.Equal(m, TensorConvert.ToMatrix(t));
    }

    [Fact]
    public void The_tensor_is_a_copy_so_changing_it_leaves_the_matrix_alone()
    {
        Matrix<float> m = AttentionReference.Random(4, 4, 3);
        float before = m[1, 2];
        using Tensor t = TensorConvert.ToTensor(m);
        t[1, 2] = tensor(123f);
        Assert.Equal(before, m[1, 2]);
    }

    [Fact]
    public void A_transposed_view_converts_to_the_transposed_matrix()
    {
        Matrix<float> m = AttentionReference.Random(3, 6, 5);
        using Tensor t = TensorConvert.ToTensor(m);
        using Tensor view = t.t(); // not contiguous
        Assert.Equal(m.Transpose(), TensorConvert.ToMatrix(view));
    }

    [Fact]
    public void A_double_tensor_converts_to_float()
    {
        using Tensor t = tensor(new double[] { 1.5, -2, 3, 4 }, [2, 2]);
        Matrix<float> m = TensorConvert.ToMatrix(t);
        Assert.Equal(Matrix<float>.Build.DenseOfArray(new float[,] { { 1.5f, -2 }, { 3, 4 } }), m);
    }

    [Fact]
    public void Stacked_matrices_keep_their_order()
    {
        Matrix<float>[] ms = [AttentionReference.Random(2, 3, 1), AttentionReference.Random(2, 3, 2), AttentionReference.Random(2, 3, 3)];
        using Tensor t = TensorConvert.ToTensor(ms);
        Assert.Equal(new long[] { 3, 2, 3 }, t.shape);
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < 2; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    Assert.Equal(ms[c][i, j], t[c, i, j].item<float>());
                }
            }
        }
        Assert.Equal(ms, TensorConvert.ToMatrices(t));
    }

    [Fact]
    public void Stacking_matrices_of_different_shapes_names_the_culprit()
    {
        Matrix<float>[] ms = [Matrix<float>.Build.Dense(2, 3), Matrix<float>.Build.Dense(2, 4)];
        var ex = Assert.Throws<ArgumentException>(() => TensorConvert.ToTensor(ms, name: "wQ"));
        Assert.Equal("wQ[1]", ex.ParamName);
        Assert.Contains("(2, 4)", ex.Message);
    }

    [Fact]
    public void A_tensor_that_is_not_two_dimensional_is_rejected_with_its_shape()
    {
        using Tensor t = zeros(2, 3, 4);
        var ex = Assert.Throws<ArgumentException>(() => TensorConvert.ToMatrix(t));
        Assert.Contains("(2, 3, 4)", ex.Message);
    }

    [Fact]
    public void An_integer_tensor_is_rejected()
    {
        using Tensor t = zeros(2, 2, ScalarType.Int64);
        Assert.Throws<ArgumentException>(() => TensorConvert.ToMatrix(t));
    }
}
