using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using AttentionVisually.Kernels;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.OpenBLAS;
using MathNetProviders = MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl;

namespace AttentionVisually;

/// <summary>The two places a forward pass's products Y = X Wᵀ can run.</summary>
public enum ProductRoute
{
    /// <summary>The course's own register-tiled kernel (<c>TiledProduct</c>), on every core; always available.</summary>
    Managed,

    /// <summary>OpenBLAS's <c>cblas_sgemm</c> from the system's <c>libopenblas.so.0</c> (Debian's <c>libopenblas0</c>).</summary>
    OpenBlas,
}

/// <summary>
/// Where the course's matrix products run.
/// <list type="bullet">
/// <item>The products of the managed forward passes (<see cref="MultiplyTransposed"/>, used by the real model's
/// projections and feed-forward layers and by the small GPT) run on OpenBLAS where it loads, for products of at
/// least <see cref="OpenBlasMinRows"/> rows (tokens), and on the course's register-tiled kernel (the flash kernel's
/// micro-kernels, on every core) otherwise: measured on the course's machine (<c>bench products</c>), the tiled
/// kernel is faster for a few tokens and OpenBLAS for many. The environment variable <see cref="RouteVariable"/>
/// (<c>managed</c>, <c>openblas</c>) or <see cref="Using{T}"/> (one computation) picks one route for every size;
/// both agree to float rounding.</item>
/// <item>Debian 12's OpenBLAS (0.3.21) does not know every newer processor and then falls back to its slowest
/// kernels (SSE3's "Prescott": a fifth of the speed here). Before loading it, where <c>OPENBLAS_CORETYPE</c> is not
/// set, the course sets it from the instructions .NET detects: SkylakeX where AVX-512 (F, CD, BW, DQ, VL) is
/// there, Haswell where AVX2 and FMA are. <see cref="Status"/> names the kernels OpenBLAS took.</item>
/// <item>MathNet's own products use its OpenBLAS provider where that loads; it needs MathNet's native wrapper
/// library (<c>libMathNetNumericsOpenBLAS</c>), otherwise MathNet's managed provider stays active.</item>
/// </list>
/// </summary>
public static class MatrixProducts
{
    /// <summary>The environment variable that fixes the route for every size: <c>managed</c> or <c>openblas</c>; unset or <c>auto</c>, the route follows the size.</summary>
    public const string RouteVariable = "ATTENTION_MATRIX_PRODUCTS";

    /// <summary>Rows (tokens) from which a product goes to OpenBLAS by default, where it loaded.</summary>
    public const int OpenBlasMinRows = 64;

    private const int ColumnMajor = 102;
    private const int NoTranspose = 111;
    private const int Transpose = 112;

    private static readonly Lazy<OpenBlasLibrary?> OpenBlas = new(LoadOpenBlas, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> MathNetChoice = new(ChooseMathNetProvider, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<ProductRoute?> Fixed = new(() => FixedRouteFor(Environment.GetEnvironmentVariable(RouteVariable)));
    private static readonly AsyncLocal<ProductRoute?> Chosen = new();

    private unsafe delegate void Sgemm(int layout, int transA, int transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc);

    private unsafe delegate byte* CoreName();

    /// <summary>OpenBLAS as loaded: its product and the name of the kernels it chose.</summary>
    private sealed record OpenBlasLibrary(Sgemm Sgemm, string Core);

    /// <summary>Whether OpenBLAS's <c>cblas_sgemm</c> loaded from the system (tried once, on first use).</summary>
    public static bool OpenBlasAvailable => OpenBlas.Value is not null;

    /// <summary>The kernels OpenBLAS chose for this processor (<c>openblas_get_corename</c>, e.g. "SkylakeX"), or null without OpenBLAS.</summary>
    public static string? OpenBlasCore => OpenBlas.Value?.Core;

    /// <summary>The route fixed for every size in the current flow (by <see cref="Using{T}"/> or <see cref="RouteVariable"/>), or null when it follows the size.</summary>
    public static ProductRoute? FixedRoute => Chosen.Value ?? Fixed.Value;

    /// <summary>MathNet's active linear-algebra provider, after trying its OpenBLAS provider once (e.g. "Managed").</summary>
    public static string MathNetProvider => MathNetChoice.Value;

    /// <summary>One line for an environment report: which route carries the forward passes' products, and MathNet's provider.</summary>
    public static string Status
    {
        get
        {
            string managed = $"the managed tiled kernel ({FlashAttention.AutoPath} path)";
            string openBlas = $"OpenBLAS (cblas_sgemm from libopenblas.so.0, {OpenBlasCore} kernels)";
            string route = (FixedRoute, OpenBlasAvailable) switch
            {
                (_, false) => managed + " (OpenBLAS's libopenblas.so.0 not found)",
                (ProductRoute.Managed, true) => $"{managed} at every size ({RouteVariable}=managed)",
                (ProductRoute.OpenBlas, true) => openBlas + " at every size",
                _ => $"{openBlas} from {OpenBlasMinRows} rows, {managed} below",
            };
            return $"{route}; MathNet provider: {MathNetProvider}";
        }
    }

    /// <summary>The route a product of <paramref name="rows"/> rows takes in the current flow.</summary>
    /// <param name="rows">Rows of the left factor (tokens).</param>
    /// <returns>The fixed route if there is one, else OpenBLAS from <see cref="OpenBlasMinRows"/> rows where it loaded, else managed.</returns>
    public static ProductRoute RouteFor(int rows) =>
        FixedRoute ?? (OpenBlasAvailable && rows >= OpenBlasMinRows ? ProductRoute.OpenBlas : ProductRoute.Managed);

    /// <summary>The product a bᵀ on <see cref="RouteFor"/> its row count.</summary>
    /// <param name="a">Left factor, shape (m, k).</param>
    /// <param name="b">Right factor, shape (n, k), used transposed (the course's (dOut, dIn) weights).</param>
    /// <returns>A new matrix, shape (m, n).</returns>
    /// <exception cref="ArgumentException">A matrix is empty or the inner sizes differ.</exception>
    public static Matrix<float> MultiplyTransposed(Matrix<float> a, Matrix<float> b)
    {
        Shape.NotEmpty(a, nameof(a));
        Shape.Check(b, -1, a.ColumnCount, nameof(b));
        return Affine(a, b, bias: null);
    }

    /// <summary>
    /// Y = X Wᵀ (+ b) on <see cref="RouteFor"/> the row count of <paramref name="x"/>, arguments already checked: the
    /// one place the route is chosen, for <see cref="MultiplyTransposed"/> and the linear layers.
    /// </summary>
    /// <param name="x">X, shape (m, k).</param>
    /// <param name="w">W, shape (n, k), used transposed.</param>
    /// <param name="bias">b, length n, or null for none.</param>
    /// <returns>A new matrix, shape (m, n).</returns>
    internal static Matrix<float> Affine(Matrix<float> x, Matrix<float> w, Vector<float>? bias)
    {
        float[] xData = x.AsColumnMajorArray() ?? x.ToColumnMajorArray(); // (m, k) column-major
        float[] wData = w.AsColumnMajorArray() ?? w.ToColumnMajorArray(); // (n, k) column-major
        float[]? b = bias is null ? null : bias.AsArray() ?? bias.ToArray();
        int m = x.RowCount, k = x.ColumnCount, n = w.RowCount;
        float[] y = RouteFor(m) == ProductRoute.OpenBlas
            ? Native(OpenBlas.Value!.Sgemm, xData, m, k, wData, n, b)
            : TiledProduct.MultiplyTransposed(xData, m, k, wData, n, b); // the bias is added inside the tiles
        return Matrix<float>.Build.Dense(m, n, y); // (m, n), column-major
    }

    /// <summary>Runs <paramref name="work"/> with every product on <paramref name="route"/> (for tests, benches and comparisons).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="route">The route for every product inside <paramref name="work"/>.</param>
    /// <param name="work">The computation.</param>
    /// <returns>Its result.</returns>
    /// <exception cref="InvalidOperationException"><see cref="ProductRoute.OpenBlas"/> is asked for and libopenblas.so.0 did not load.</exception>
    public static T Using<T>(ProductRoute route, Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (route == ProductRoute.OpenBlas && !OpenBlasAvailable)
        {
            throw new InvalidOperationException("OpenBLAS is not available: libopenblas.so.0 did not load (on Debian: apt-get install libopenblas0).");
        }

        ProductRoute? previous = Chosen.Value;
        Chosen.Value = route;
        try
        {
            return work();
        }
        finally
        {
            Chosen.Value = previous;
        }
    }

    /// <summary>Runs <paramref name="work"/> with its products on managed code, whatever is installed.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="work">The computation.</param>
    /// <returns>Its result.</returns>
    public static T WithManaged<T>(Func<T> work) => Using(ProductRoute.Managed, work);

    /// <summary>
    /// The route a value of <see cref="RouteVariable"/> fixes: none for unset, empty or <c>auto</c>; managed for
    /// <c>managed</c>; OpenBLAS for <c>openblas</c> where it loaded (managed where it did not).
    /// </summary>
    /// <exception cref="ArgumentException">The value is not one of <c>auto</c>, <c>managed</c>, <c>openblas</c>.</exception>
    internal static ProductRoute? FixedRouteFor(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => null,
        "managed" => ProductRoute.Managed,
        "openblas" => OpenBlasAvailable ? ProductRoute.OpenBlas : ProductRoute.Managed,
        _ => throw new ArgumentException($"{RouteVariable} is '{value}'; use auto, managed or openblas.", nameof(value)),
    };

    /// <summary>
    /// The OpenBLAS kernels for this processor by the instructions .NET detects, for OPENBLAS_CORETYPE: SkylakeX
    /// with AVX-512 F, CD, BW, DQ and VL, Haswell with AVX2 and FMA, else null (OpenBLAS's own choice).
    /// </summary>
    internal static string? CoreTypeForThisProcessor() =>
        Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported ? "SkylakeX"
        : Avx2.IsSupported && Fma.IsSupported ? "Haswell"
        : null;

    /// <summary>Y = X Wᵀ on OpenBLAS, then the bias down each contiguous column of the column-major result.</summary>
    private static unsafe float[] Native(Sgemm sgemm, float[] x, int m, int k, float[] w, int n, float[]? bias)
    {
        var y = new float[m * n]; // (m, n) column-major, ldc = m
        fixed (float* px = x, pw = w, py = y)
        {
            sgemm(ColumnMajor, NoTranspose, Transpose, m, n, k, 1f, px, m, pw, n, 0f, py, m); // lda = m, ldb = n
        }

        if (bias is not null)
        {
            for (int j = 0; j < n; j++)
            {
                var column = y.AsSpan(j * m, m);
                TensorPrimitives.Add(column, bias[j], column);
            }
        }

        return y;
    }

    private static unsafe OpenBlasLibrary? LoadOpenBlas()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is null && CoreTypeForThisProcessor() is { } core)
        {
            SetNativeEnvironment("OPENBLAS_CORETYPE", core); // read once, by the library's constructor, so before it loads
        }

        foreach (string name in new[] { "libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", "libopenblas.dll", "openblas" })
        {
            if (NativeLibrary.TryLoad(name, out IntPtr library) && NativeLibrary.TryGetExport(library, "cblas_sgemm", out IntPtr sgemm))
            {
                string coreName = "unknown";
                if (NativeLibrary.TryGetExport(library, "openblas_get_corename", out IntPtr corename))
                {
                    coreName = Marshal.PtrToStringUTF8((IntPtr)Marshal.GetDelegateForFunctionPointer<CoreName>(corename)()) ?? coreName;
                }

                return new OpenBlasLibrary(Marshal.GetDelegateForFunctionPointer<Sgemm>(sgemm), coreName);
            }
        }

        return null;
    }

    /// <summary>setenv(3) in the process's native environment, which Environment.SetEnvironmentVariable does not reach on Unix.</summary>
    private static unsafe void SetNativeEnvironment(string name, string value)
    {
        if (NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) && NativeLibrary.TryGetExport(libc, "setenv", out IntPtr setenv))
        {
            var call = (delegate* unmanaged<byte*, byte*, int, int>)setenv; // int setenv(const char*, const char*, int)
            byte[] nameBytes = System.Text.Encoding.UTF8.GetBytes(name + "\0"), valueBytes = System.Text.Encoding.UTF8.GetBytes(value + "\0");
            fixed (byte* n = nameBytes, v = valueBytes)
            {
                _ = call(n, v, 0); // 0: never overwrite a value already set
            }
        }
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
