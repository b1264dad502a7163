using System.Reflection;
using System.Runtime.Loader;

namespace AttentionVisually.Notebooks;

/// <summary>
/// Prepares a notebook kernel for the course; <c>notebooks/setup.dib</c> calls <see cref="Install"/> right after
/// referencing the library, before any chart is drawn.
/// </summary>
/// <remarks>
/// Plotly.NET 6 is built against FSharp.Core 10.1, but the stock .NET Interactive kernel (VS Code, dotnet-repl)
/// already holds FSharp.Core 10.0 in its default load context, and a second FSharp.Core cannot be loaded
/// next to it. The first chart call then fails with FileNotFoundException for FSharp.Core 10.1.0.0. The
/// handler installed here answers that request with the FSharp.Core already loaded (or the one the host
/// ships); the calls Plotly.NET makes exist in both.
/// </remarks>
public static class Setup
{
    private static int installed;

    /// <summary>
    /// Installs the FSharp.Core redirect and registers the course's display formatters. Safe to call again
    /// (re-running the set-up cell does nothing more).
    /// </summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref installed, 1) == 1) return;
        AssemblyLoadContext.Default.Resolving += ResolveFSharpCore;
        NotebookFormatters.Register();
    }

    /// <summary>True once <see cref="Install"/> has run in this process.</summary>
    public static bool IsInstalled => Volatile.Read(ref installed) == 1;

    [ThreadStatic]
    private static bool resolving;

    /// <summary>Answers a request for any FSharp.Core version with the one loaded (or shipped by the host).</summary>
    /// <param name="context">The load context that could not find it.</param>
    /// <param name="name">The requested assembly.</param>
    /// <returns>FSharp.Core, or null for any other assembly.</returns>
    internal static Assembly? ResolveFSharpCore(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "FSharp.Core" || resolving) return null;
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
        if (loaded is not null) return loaded;
        // Without a version the default context loads the host's own FSharp.Core. If it has none, that load raises
        // Resolving again: the flag makes this handler step aside instead of recursing.
        resolving = true;
        try { return context.LoadFromAssemblyName(new AssemblyName("FSharp.Core")); }
        catch (FileNotFoundException) { return null; }
        finally { resolving = false; }
    }
}
