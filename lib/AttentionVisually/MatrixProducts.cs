using System.Runtime.InteropServices;
using AttentionVisually.Kernels;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.OpenBLAS;
using MathNetProviders = MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl;

namespace AttentionVisually;

/// <summary>
/// Where the course's matrix products run. Two native routes are tried once, on first use, and each falls back
/// to managed code that always works (results agree to float rounding):
/// <list type="bullet">
/// <item>the products of the managed forward passes (<see cref="MultiplyTransposed"/>, used by the real model's
/// projections and feed-forward layers) call OpenBLAS's <c>cblas_sgemm</c> directly from the system's
/// <c>libopenblas.so.0</c> (Debian's <c>libopenblas0</c>, which build/setup.sh installs), and without it the flash
/// kernel's register-blocked micro-kernels on all cores;</item>
/// <item>MathNet's own products use its OpenBLAS provider where that loads; it needs MathNet's native wrapper
/// library (<c>libMathNetNumericsOpenBLAS</c>), otherwise MathNet's managed provider stays active.</item>
/// </list>
/// </summary>
public static class MatrixProducts
{
    private const int ColumnMajor = 102;
    private const int NoTranspose = 111;
    private const int Transpose = 112;

    private static readonly Lazy<Sgemm?> NativeSgemm = new(LoadSgemm, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> MathNetChoice = new(ChooseMathNetProvider, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly AsyncLocal<bool> ForceManaged = new();

    private unsafe delegate void Sgemm(int layout, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    /// <summary>Whether <see cref="MultiplyTransposed"/> runs on OpenBLAS (true) or on managed code (false).</summary>
    public static bool IsNative => NativeSgemm.Value is not null;

    /// <summary>MathNet's active linear-algebra provider, after trying its OpenBLAS provider once (e.g. "Managed").</summary>
    public static string MathNetProvider => MathNetChoice.Value;

    /// <summary>One line for an environment report: which engine carries the forward passes' products, and MathNet's provider.</summary>
    public static string Status =>
        (IsNative ? "OpenBLAS (cblas_sgemm from libopenblas.so.0)" : "managed (OpenBLAS's libopenblas.so.0 not found)")
        + $"; MathNet provider: {MathNetProvider}";

    /// <summary>The product a bᵀ, on OpenBLAS where it loaded, else in managed code.</summary>
    /// <param name="a">Left factor, shape (m, k).</param>
    /// <param name="b">Right factor, shape (n, k), used transposed (the course's (dOut, dIn) weights).</param>
    /// <returns>A new matrix, shape (m, n).</returns>
    /// <exception cref="ArgumentException">A matrix is empty or the inner sizes differ.</exception>
    public static Matrix<float> MultiplyTransposed(Matrix<float> a, Matrix<float> b)
    {
        Shape.NotEmpty(a, nameof(a));
        Shape.Check(b, -1, a.ColumnCount, nameof(b));
        return NativeSgemm.Value is { } sgemm && !ForceManaged.Value ? Native(sgemm, a, b) : Managed(a, b);
    }

    /// <summary>Runs <paramref name="work"/> with <see cref="MultiplyTransposed"/> on managed code, whatever is installed (for tests and benches).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The computation.</param>
    /// <returns>Its result.</returns>
    public static T WithManaged<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        bool previous = ForceManaged.Value;
        ForceManaged.Value = true;
        try
        {
            return work();
        }
        finally
        {
            ForceManaged.Value = previous;
        }
    }

    /// <summary>Whether managed code is forced for the current flow (inside <see cref="WithManaged{T}"/>).</summary>
    internal static bool ManagedForced => ForceManaged.Value || !IsNative;

    private static Matrix<float> Managed(Matrix<float> a, Matrix<float> b) =>
        Matrix<float>.Build.Dense(a.RowCount, b.RowCount, TiledProduct.MultiplyTransposed(
            a.AsColumnMajorArray() ?? a.ToColumnMajorArray(), a.RowCount, a.ColumnCount,
            b.AsColumnMajorArray() ?? b.ToColumnMajorArray(), b.RowCount, bias: null)); // (m, n), column-major

    private static unsafe Matrix<float> Native(Sgemm sgemm, Matrix<float> a, Matrix<float> b)
    {
        int m = a.RowCount, k = a.ColumnCount, n = b.RowCount;
        float[] aData = a.AsColumnMajorArray() ?? a.ToColumnMajorArray(); // (m, k) column-major, lda = m
        float[] bData = b.AsColumnMajorArray() ?? b.ToColumnMajorArray(); // (n, k) column-major, ldb = n
        var c = new float[m * n];                                          // (m, n) column-major, ldc = m
        fixed (float* pa = aData, pb = bData, pc = c)
        {
            sgemm(ColumnMajor, NoTranspose, Transpose, m, n, k, 1f, pa, m, pb, n, 0f, pc, m);
        }

        return Matrix<float>.Build.Dense(m, n, c);
    }

    private static Sgemm? LoadSgemm()
    {
        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas" })
        {
            if (NativeLibrary.TryLoad(name, out IntPtr library) && NativeLibrary.TryGetExport(library, "cblas_sgemm", out IntPtr sgemm))
            {
                return Marshal.GetDelegateForFunctionPointer<Sgemm>(sgemm);
            }
        }

        return null;
    }

    private static string ChooseMathNetProvider()
    {
        try
        {
            if (OpenBlasControl.TryUseNativeOpenBLAS())
            {
                return MathNetProviders.Provider.ToString() ?? "OpenBLAS";
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or NotSupportedException)
        {
            // Falls through to the managed provider, which always works.
        }

        Control.UseManaged();
        return MathNetProviders.Provider.ToString() ?? "Managed";
    }
}
