using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Directives;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using NotebookRunner.Documents;

namespace NotebookRunner.Execution;

/// <summary>
/// <c>#!import FILE</c>: runs every cell of another notebook in the current kernel, like the stock magic
/// command, but stricter. The stock kernel goes on after an imported cell fails and reports nothing for a
/// runtime exception there; the runner stops at the first failed imported cell and fails the importing cell
/// with the imported file, cell number and error, so a broken <c>setup.dib</c> cannot pass unnoticed.
/// A relative path starts at the working directory, which is the notebook's folder (as in VS Code). A notebook
/// that imports itself, directly or through others, fails with the chain of imports instead of recursing until
/// the stack overflows.
/// </summary>
internal static class StrictImport
{
    /// <summary>Adds the directive to the root kernel.</summary>
    /// <param name="kernel">The root kernel.</param>
    /// <param name="chapterPath">Full path of the chapter the kernel runs (the first link of every import chain).</param>
    public static void Add(CompositeKernel kernel, string chapterPath)
    {
        var chain = new List<string> { Path.GetFullPath(chapterPath) };
        var directive = new KernelActionDirective("#!import")
        {
            Description = "Runs all the cells of another notebook (.dib) in this kernel",
            Parameters =
            {
                new KernelDirectiveParameter("--file")
                {
                    AllowImplicitName = true,
                    Required = true,
                    TypeHint = "file",
                },
            },
        };
        kernel.AddDirective<ImportDocument>(directive, (command, context) => ImportAsync(kernel, chain, command, context));
    }

    private static async Task ImportAsync(CompositeKernel kernel, List<string> chain, ImportDocument command, KernelInvocationContext context)
    {
        var file = new FileInfo(command.FilePath);
        if (!file.Exists)
        {
            context.Fail(command, message: $"#!import: '{command.FilePath}' not found (relative paths start at the notebook's folder, {Directory.GetCurrentDirectory()}).");
            return;
        }
        if (chain.Contains(file.FullName, StringComparer.Ordinal))
        {
            string cycle = string.Join(" → ", chain.SkipWhile(p => p != file.FullName).Append(file.FullName).Select(Path.GetFileName));
            context.Fail(command, message: $"#!import: import cycle: {cycle} (a notebook cannot import itself).");
            return;
        }
        ChapterDocument document;
        try
        {
            document = ChapterDocument.Load(file.FullName);
        }
        catch (ChapterFormatException e)
        {
            context.Fail(command, message: "#!import: " + e.Message);
            return;
        }
        chain.Add(file.FullName);
        try
        {
            await RunCellsAsync(kernel, file, document, command, context);
        }
        finally
        {
            chain.RemoveAt(chain.Count - 1);
        }
    }

    private static async Task RunCellsAsync(CompositeKernel kernel, FileInfo file, ChapterDocument document, ImportDocument command, KernelInvocationContext context)
    {
        foreach (var cell in document.Cells)
        {
            if (cell.IsMarkdown)
            {
                await kernel.SendAsync(new DisplayValue(new FormattedValue("text/markdown", cell.Code)));
                continue;
            }
            var submit = new SubmitCode(cell.Code, cell.KernelName);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await kernel.SendAsync(submit);
            ChildHost.ReportPhase(cell.Code, clock.Elapsed, imported: true);
            var failed = result.Events.OfType<CommandFailed>().FirstOrDefault();
            var error = result.Events.OfType<ErrorProduced>().FirstOrDefault();
            if (failed is not null || error is not null)
            {
                string message = failed?.Message ?? error!.Message;
                context.Fail(command, failed?.Exception, $"{file.Name} cell {cell.Number} failed: {message}");
                return;
            }
        }
    }
}
