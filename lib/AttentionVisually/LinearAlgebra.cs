using MathNet.Numerics;
using MathNet.Numerics.Providers.OpenBLAS;

namespace AttentionVisually;

/// <summary>
/// Which engine carries MathNet's matrix products: OpenBLAS through MathNet's native provider where it loads,
/// MathNet's managed provider (always available, slower) otherwise. The choice is made once, when this type is
/// first used; every result is the same up to float rounding either way.
/// </summary>
public static class LinearAlgebra
{
    private static readonly Lazy<string> Chosen = new(Choose, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// The active provider's description, e.g. "Managed" or "OpenBLAS ...", after trying the native one once.
    /// </summary>
    public static string ActiveProvider => Chosen.Value;

    /// <summary>Whether MathNet runs its matrix products on a native library (OpenBLAS) rather than managed code.</summary>
    public static bool IsNative => !ActiveProvider.StartsWith("Managed", StringComparison.Ordinal);

    /// <summary>Why the native provider is not active, or null when it is.</summary>
    public static string? NativeUnavailableReason { get; private set; }

    /// <summary>Makes the choice now (it is otherwise made on first use) and returns <see cref="ActiveProvider"/>.</summary>
    /// <returns>The active provider's description.</returns>
    public static string UseFastest() => ActiveProvider;

    /// <summary>Switches to the managed provider for the calls in <paramref name="action"/>, then back (for tests and benches).</summary>
    /// <param name="action">The work to run on the managed provider.</param>
    public static void WithManaged(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _ = ActiveProvider;
        var previous = MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider;
        Control.UseManaged();
        try
        {
            action();
        }
        finally
        {
            MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider = previous;
        }
    }

    private static string Choose()
    {
        try
        {
            if (OpenBlasControl.TryUseNativeOpenBLAS())
            {
                return MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider.ToString() ?? "OpenBLAS";
            }

            NativeUnavailableReason = "MathNet's OpenBLAS provider did not load (its native wrapper libMathNetNumericsOpenBLAS was not found).";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or NotSupportedException)
        {
            NativeUnavailableReason = $"MathNet's OpenBLAS provider did not load: {e.Message}";
        }

        Control.UseManaged();
        return MathNet.Numerics.Providers.LinearAlgebra.LinearAlgebraControl.Provider.ToString() ?? "Managed";
    }
}
