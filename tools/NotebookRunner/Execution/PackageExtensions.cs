using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Events;

namespace NotebookRunner.Execution;

/// <summary>
/// Loads kernel extensions that NuGet packages ship in <c>interactive-extensions/dotnet</c> (Plotly.NET.Interactive
/// ships its chart formatter there), following the stock tool: after each command, every newly added
/// package's folder is scanned; each DLL is loaded into the default load context, each
/// <see cref="IKernelExtension"/> in it is created and loaded, then an <c>extension.dib</c> script is run.
/// </summary>
internal static class PackageExtensions
{
    /// <summary>Installs the loader on the kernel.</summary>
    /// <param name="kernel">The root kernel.</param>
    public static void Add(CompositeKernel kernel)
    {
        var pending = new ConcurrentQueue<string>();
        var seenRoots = new HashSet<string>(StringComparer.Ordinal);
        var loadedAssemblies = new HashSet<string>(StringComparer.Ordinal);

        kernel.RegisterForDisposal(kernel.KernelEvents
            .OfType<PackageAdded>()
            .Where(p => p.PackageReference.PackageRoot is not null)
            .Subscribe(p => pending.Enqueue(p.PackageReference.PackageRoot)));

        kernel.AddMiddleware(async (command, context, next) =>
        {
            await next(command, context);
            while (pending.TryDequeue(out var root))
            {
                if (!seenRoots.Add(root)) continue;
                var folder = new DirectoryInfo(Path.Combine(root, "interactive-extensions", "dotnet"));
                if (!folder.Exists) continue;
                foreach (var dll in folder.GetFiles("*.dll", SearchOption.TopDirectoryOnly).OrderBy(f => f.Name, StringComparer.Ordinal))
                {
                    if (!loadedAssemblies.Add(AssemblyName.GetAssemblyName(dll.FullName).FullName)) continue;
                    await LoadAssemblyAsync(kernel, dll, context);
                }
                var script = new FileInfo(Path.Combine(folder.FullName, "extension.dib"));
                if (script.Exists)
                {
                    KernelInvocationContextExtensions.Display(context, $"Loading extension script from `{script.FullName}`");
                    await kernel.LoadAndRunInteractiveDocument(script, context.Command);
                }
            }
        });
    }

    private static async Task LoadAssemblyAsync(CompositeKernel kernel, FileInfo dll, KernelInvocationContext context)
    {
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(dll.FullName);
        var types = assembly.ExportedTypes
            .Where(t => !t.IsAbstract && !t.IsInterface && !t.IsGenericTypeDefinition && typeof(IKernelExtension).IsAssignableFrom(t))
            .ToArray();
        if (types.Length > 0) KernelInvocationContextExtensions.Display(context, $"Loading extensions from `{assembly.Location}`");
        foreach (var type in types)
        {
            try
            {
                var extension = (IKernelExtension)Activator.CreateInstance(type)!;
                await extension.OnLoadAsync(kernel);
                context.Publish(new KernelExtensionLoaded(extension, context.Command));
            }
            catch (Exception e)
            {
                context.Fail(context.Command, e, $"Failed to load kernel extension \"{type.Name}\" from {assembly.Location}: {e.Message}");
            }
        }
    }
}
