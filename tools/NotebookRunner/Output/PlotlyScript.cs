using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace NotebookRunner.Output;

/// <summary>
/// plotly.js for the HTML pages, inlined so charts draw with no network. Plotly.NET carries the minified
/// script as an embedded resource; the runner reads it from the package's DLL as a file (it never loads
/// Plotly.NET, which would bring FSharp.Core 10.1 into the runner).
/// </summary>
internal static class PlotlyScript
{
    private static readonly Lazy<string> Script = new(Load);

    /// <summary>The minified plotly.js source.</summary>
    public static string Source => Script.Value;

    /// <summary>Where the copy of Plotly.NET.dll sits next to the runner (see NotebookRunner.csproj).</summary>
    public static string AssemblyPath => Path.Combine(AppContext.BaseDirectory, "plotly", "Plotly.NET.dll.bin");

    private static string Load()
    {
        if (!File.Exists(AssemblyPath))
            throw new FileNotFoundException($"plotly.js source not found: {AssemblyPath} (rebuild tools/NotebookRunner).", AssemblyPath);
        using var stream = File.OpenRead(AssemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            string name = metadata.GetString(resource.Name);
            if (!name.EndsWith(".min.js", StringComparison.Ordinal) || !resource.Implementation.IsNil) continue;
            var block = pe.GetSectionData(resources.RelativeVirtualAddress);
            var reader = block.GetReader((int)resource.Offset, resources.Size - (int)resource.Offset);
            int length = reader.ReadInt32();
            return Encoding.UTF8.GetString(reader.ReadBytes(length));
        }
        throw new InvalidDataException($"{AssemblyPath} has no embedded plotly .min.js resource.");
    }
}
