using MathNet.Numerics.LinearAlgebra;
using TorchSharp;

namespace AttentionVisually.Torch;

/// <summary>
/// Explicit conversions between the managed engine's matrices (MathNet <see cref="Matrix{T}"/>, one token
/// per row) and TorchSharp tensors of the same shape: a (rows, cols) matrix becomes a (rows, cols) float32
/// tensor, and a list of equally shaped matrices becomes a (count, rows, cols) stack. Every conversion
/// copies: neither side ever sees the other's memory.
/// </summary>
public static class TensorConvert
{
    /// <summary>Copies a matrix into a new float32 tensor of the same shape.</summary>
    /// <param name="m">The matrix: (rows, cols).</param>
    /// <param name="device">Where the tensor lives; CPU when null.</param>
    /// <returns>A tensor (rows, cols); the caller owns it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="m"/> is null.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static torch.Tensor ToTensor(Matrix<float> m, torch.Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(m);
        TorchRuntime.EnsureAvailable();
        // MathNet stores dense matrices column by column: read them as the transpose, then transpose back.
        float[] columnMajor = m.ToColumnMajorArray();
        using var scope = torch.NewDisposeScope();
        torch.Tensor transposed = torch.tensor(columnMajor, [m.ColumnCount, m.RowCount], torch.float32); // (cols, rows)
        torch.Tensor t = transposed.t().contiguous();                                                      // (rows, cols)
        if (device is not null && device.type != DeviceType.CPU)
        {
            t = t.to(device);
        }
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>Copies equally shaped matrices into one stacked float32 tensor.</summary>
    /// <param name="ms">The matrices, each (rows, cols); at least one.</param>
    /// <param name="device">Where the tensor lives; CPU when null.</param>
    /// <param name="name">The argument name used in error messages.</param>
    /// <returns>A tensor (count, rows, cols); the caller owns it.</returns>
    /// <exception cref="ArgumentException">The list is empty or the shapes differ.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static torch.Tensor ToTensor(IReadOnlyList<Matrix<float>> ms, torch.Device? device = null, string name = "ms")
    {
        ArgumentNullException.ThrowIfNull(ms, name);
        if (ms.Count == 0)
        {
            throw new ArgumentException($"{name} is empty; at least one matrix is needed.", name);
        }
        for (int i = 0; i < ms.Count; i++)
        {
            Shape.Check(ms[i], ms[0].RowCount, ms[0].ColumnCount, $"{name}[{i}]");
        }
        TorchRuntime.EnsureAvailable();
        using var scope = torch.NewDisposeScope();
        var parts = new torch.Tensor[ms.Count];
        for (int i = 0; i < ms.Count; i++)
        {
            parts[i] = ToTensor(ms[i]);
        }
        torch.Tensor t = torch.stack(parts); // (count, rows, cols)
        if (device is not null && device.type != DeviceType.CPU)
        {
            t = t.to(device);
        }
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>Copies a two-dimensional tensor (any device, any floating type) into a new matrix.</summary>
    /// <param name="t">The tensor: (rows, cols).</param>
    /// <returns>A matrix (rows, cols).</returns>
    /// <exception cref="ArgumentException">The tensor is not two-dimensional or not floating point.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static Matrix<float> ToMatrix(torch.Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        TorchRuntime.EnsureAvailable();
        if (t.dim() != 2)
        {
            throw new ArgumentException($"t has shape {ShapeOf(t)} but a two-dimensional tensor (rows, cols) was expected.", nameof(t));
        }
        if (!t.is_floating_point())
        {
            throw new ArgumentException($"t has type {t.dtype} but a floating-point tensor was expected.", nameof(t));
        }
        int rows = checked((int)t.shape[0]);
        int cols = checked((int)t.shape[1]);
        using var scope = torch.NewDisposeScope();
        // The transpose, made contiguous, is exactly MathNet's column-major layout.
        torch.Tensor columnMajor = t.detach().to(torch.float32).cpu().t().contiguous(); // (cols, rows)
        float[] data = columnMajor.data<float>().ToArray();
        return Matrix<float>.Build.Dense(rows, cols, data);
    }

    /// <summary>Copies a three-dimensional tensor (count, rows, cols) into one matrix per leading index.</summary>
    /// <param name="t">The tensor: (count, rows, cols).</param>
    /// <returns>count matrices, each (rows, cols).</returns>
    /// <exception cref="ArgumentException">The tensor is not three-dimensional or not floating point.</exception>
    /// <exception cref="TorchUnavailableException">TorchSharp's natives could not be loaded.</exception>
    public static Matrix<float>[] ToMatrices(torch.Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        TorchRuntime.EnsureAvailable();
        if (t.dim() != 3)
        {
            throw new ArgumentException($"t has shape {ShapeOf(t)} but a three-dimensional tensor (count, rows, cols) was expected.", nameof(t));
        }
        var result = new Matrix<float>[t.shape[0]];
        for (int i = 0; i < result.Length; i++)
        {
            using torch.Tensor slice = t[i];
            result[i] = ToMatrix(slice);
        }
        return result;
    }

    /// <summary>Formats a tensor's shape the way the library's messages do, e.g. "(3, 4)".</summary>
    /// <param name="t">The tensor.</param>
    /// <returns>The shape in parentheses.</returns>
    public static string ShapeOf(torch.Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return "(" + string.Join(", ", t.shape) + ")";
    }
}
