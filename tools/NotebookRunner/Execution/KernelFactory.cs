using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace NotebookRunner.Execution;

/// <summary>
/// Builds the runner's kernel the way the stock <c>dotnet-interactive</c> tool builds its C# part
/// (KernelBuilder.CreateKernel in dotnet/interactive): a composite kernel with the C# kernel
/// (<c>#r "nuget:..."</c>, kernel helpers, <c>#!who</c>, value sharing), the HTML and value kernels,
/// <c>#!import</c>, and kernel extensions loaded from packages. F#, PowerShell and the connectors are
/// left out: the course's chapters are C#.
/// </summary>
internal static class KernelFactory
{
    /// <summary>Creates the kernel. The working directory must already be the chapter's folder.</summary>
    /// <param name="chapterPath">Full path of the chapter, which <c>#!import</c> refuses to import into itself.</param>
    /// <returns>The composite kernel, with C# as default.</returns>
    public static CompositeKernel Create(string chapterPath)
    {
        var csharp = new CSharpKernel()
            .UseNugetDirective((kernel, references) =>
            {
                kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                return Task.CompletedTask;
            })
            .UseKernelHelpers()
            .UseWho()
            .UseValueSharing();

        var composite = new CompositeKernel();
        composite.Add(csharp, ["c#", "C#"]);
        composite.Add(new HtmlKernel());
        composite.Add(new KeyValueStoreKernel().UseWho());
        StrictImport.Add(composite, chapterPath);
        PackageExtensions.Add(composite);
        composite.DefaultKernelName = csharp.Name;

        // As the stock tool does for notebook front ends: rich values as HTML, strings as text.
        Formatter.DefaultMimeType = HtmlFormatter.MimeType;
        Formatter.SetPreferredMimeTypesFor(typeof(string), PlainTextFormatter.MimeType);
        return composite;
    }
}
