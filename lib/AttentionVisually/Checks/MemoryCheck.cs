using System.Globalization;

namespace AttentionVisually.Checks;

/// <summary>
/// Refuses, before any work, an allocation that cannot succeed: more entries than one .NET array holds, or more
/// bytes than this machine's memory. The message names the size, the bytes it needs and what to use instead, so a
/// notebook cell fails at once with an explanation instead of running for seconds and dying deep in a library
/// (or taking the kernel down with it).
/// </summary>
internal static class MemoryCheck
{
    /// <summary>What to use instead of a full attention pattern.</summary>
    public const string UseFlash =
        "use ManagedAttentionEngine (the flash engine), which never builds the pattern, or a shorter sequence";

    /// <summary>The most entries one array (and so one MathNet dense matrix) can hold.</summary>
    public static long MaxArrayLength => Array.MaxLength;

    /// <summary>Bytes of memory this process can use: the machine's physical memory or its container limit.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>
    /// Checks that a dense (rows, cols) float matrix can be allocated (times <paramref name="copies"/> held at once).
    /// </summary>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="what">What the matrix is, e.g. "the attention pattern" (starts the message).</param>
    /// <param name="param">The caller's argument the size came from.</param>
    /// <param name="instead">What to do instead.</param>
    /// <param name="copies">How many such matrices exist at once.</param>
    /// <param name="bytesPerEntry">4 for floats, 1 for booleans.</param>
    public static void DenseFits(long rows, long cols, string what, string param, string instead, int copies = 1, int bytesPerEntry = sizeof(float))
    {
        long entries = SafeProduct(rows, cols);
        double bytes = (double)entries * bytesPerEntry * copies;
        string kind = bytesPerEntry == sizeof(float) ? "floats" : "entries";
        if (entries > MaxArrayLength)
        {
            throw new ArgumentOutOfRangeException(param, Text(
                $"{what} would be ({rows}, {cols}) = {entries:N0} {kind} ({Size(bytes)}), more than one array can hold ({MaxArrayLength:N0} entries); {instead}."));
        }

        if (bytes > AvailableBytes)
        {
            throw new ArgumentOutOfRangeException(param, Text(
                $"{what} would be ({rows}, {cols}) = {entries:N0} {kind}{(copies > 1 ? $", {copies} at once" : "")}: {Size(bytes)}, more than this machine's {Size(AvailableBytes)} of memory; {instead}."));
        }
    }

    /// <summary>Checks a tensor of <paramref name="entries"/> floats against this machine's memory.</summary>
    /// <param name="entries">Entries of each tensor.</param>
    /// <param name="shape">Its shape, for the message.</param>
    /// <param name="what">What the tensor is.</param>
    /// <param name="param">The caller's argument the size came from.</param>
    /// <param name="instead">What to do instead.</param>
    /// <param name="copies">How many such tensors exist at once.</param>
    public static void TensorFits(double entries, string shape, string what, string param, string instead, int copies = 1)
    {
        double bytes = entries * sizeof(float) * copies;
        if (bytes > AvailableBytes)
        {
            throw new ArgumentOutOfRangeException(param, Text(
                $"{what} would be {shape} = {entries:N0} floats{(copies > 1 ? $", {copies} at once" : "")}: {Size(bytes)}, more than this machine's {Size(AvailableBytes)} of memory; {instead}."));
        }
    }

    /// <summary>A byte count for people: "40.0 GB".</summary>
    /// <param name="bytes">Bytes.</param>
    public static string Size(double bytes) => bytes switch
    {
        >= 1e12 => Text($"{bytes / 1e12:F1} TB"),
        >= 1e9 => Text($"{bytes / 1e9:F1} GB"),
        >= 1e6 => Text($"{bytes / 1e6:F1} MB"),
        _ => Text($"{bytes:F0} bytes"),
    };

    // Sizes are ints in practice; a long product of two of them cannot overflow, but stay safe for longs.
    private static long SafeProduct(long a, long b) => (double)a * b > long.MaxValue ? long.MaxValue : a * b;

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
