using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace AttentionVisually.Torch;

/// <summary>
/// Loads TorchSharp's native libraries once per process and turns a failure into one
/// <see cref="TorchUnavailableException"/> that says why and what to do. Every TorchSharp entry point of
/// the library calls <see cref="EnsureAvailable"/> first; nothing else in the library touches TorchSharp,
/// so a machine without working natives still runs the managed engine.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lazy<Exception?> LoadError = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when TorchSharp's natives loaded in this process.</summary>
    public static bool IsAvailable => LoadError.Value is null;

    /// <summary>Loads the natives on first use, then returns at once.</summary>
    /// <exception cref="TorchUnavailableException">The natives could not be loaded; the message says why and what to do.</exception>
    public static void EnsureAvailable()
    {
        if (LoadError.Value is { } cause)
        {
            throw Unavailable(cause, TorchSharpDirectory());
        }
    }

    /// <summary>Builds the exception thrown when loading failed (internal so its wording can be tested).</summary>
    /// <param name="cause">The loader's error.</param>
    /// <param name="torchSharpDirectory">The folder TorchSharp.dll was loaded from, where its natives must be.</param>
    internal static TorchUnavailableException Unavailable(Exception cause, string torchSharpDirectory)
    {
        Exception root = cause;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }
        string reason = root.Message.Split('\n', 2)[0].Trim();
        string lib = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string path = Path.Combine(torchSharpDirectory, lib);
        bool present = torchSharpDirectory.Length > 0 && File.Exists(path);
        string loaderError = present ? LoaderError(path) : "";
        string message =
            $"TorchSharp's native libraries could not be loaded: {reason} " +
            (loaderError.Length > 0 ? $"Loading {lib} directly fails with: {loaderError}. " : "") +
            $"TorchSharp.dll is in '{torchSharpDirectory}', and {lib} is {(present ? "there" : "not there")}. " +
            "What to do: build the repository with 'dotnet build Course.sln' (after ./build/setup.sh); on Linux the build " +
            "puts the natives next to TorchSharp.dll and, where the system libstdc++ is older than GCC 13's, a patched " +
            $"{lib}. Load AttentionVisually.dll from its own bin folder (lib/AttentionVisually/bin/<Configuration>/net10.0) so " +
            "those files sit beside TorchSharp.dll. The managed engine does not need TorchSharp and keeps working.";
        return new TorchUnavailableException(message, cause);
    }

    // The system loader's own words (e.g. a missing GLIBCXX version) say more than TorchSharp's summary.
    private static string LoaderError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "";
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            // .NET puts the dynamic loader's message (dlerror) on the last line.
            return e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        }
    }

    private static Exception? TryLoad()
    {
        try
        {
            Probe();
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException
                                      or EntryPointNotFoundException or BadImageFormatException or FileNotFoundException
                                      or FileLoadException)
        {
            return e;
        }
    }

    // Kept out of line so that a missing TorchSharp.dll surfaces here, inside the try, and not when the
    // caller is compiled.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Probe()
    {
        using torch.Tensor probe = torch.zeros(1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string TorchSharpDirectory()
    {
        try
        {
            return Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "";
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException)
        {
            return "";
        }
    }
}
