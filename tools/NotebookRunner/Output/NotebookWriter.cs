using System.Globalization;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using NotebookRunner.Documents;
using NotebookRunner.Execution;

namespace NotebookRunner.Output;

/// <summary>
/// Writes an executed chapter as a Jupyter notebook (.ipynb) with its outputs, through
/// Microsoft.DotNet.Interactive.Documents, so VS Code and Jupyter open it as the stock kernel would have
/// left it. Cells that did not run keep no outputs; each code cell's metadata records status and time.
/// </summary>
internal static class NotebookWriter
{
    /// <summary>Writes the notebook.</summary>
    /// <param name="chapter">The chapter's result (possibly partial).</param>
    /// <param name="path">Target .ipynb path.</param>
    public static void Write(ChapterResult chapter, string path)
    {
        var document = new InteractiveDocument();
        foreach (var cell in chapter.Cells)
        {
            var outputs = cell.Outputs.Select(ToElement).ToArray();
            var element = new InteractiveDocumentElement(cell.Cell.Code, cell.Cell.KernelName, outputs);
            if (!cell.Cell.IsMarkdown)
            {
                element.Metadata = new Dictionary<string, object>
                {
                    ["course_runner"] = new Dictionary<string, object>
                    {
                        ["status"] = cell.Status.ToString().ToLowerInvariant(),
                        ["seconds"] = Math.Round(cell.Duration.TotalSeconds, 3).ToString(CultureInfo.InvariantCulture),
                    },
                };
            }
            document.Add(element);
        }
        // The kernel and language entries VS Code and Jupyter read to pick the .NET (C#) kernel.
        document.Metadata["kernelspec"] = new Dictionary<string, object> { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" };
        document.Metadata["language_info"] = new Dictionary<string, object> { ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp", ["name"] = "C#", ["pygments_lexer"] = "csharp" };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = File.Create(path);
        Notebook.Write(document, stream, KnownKernels.Infos());
    }

    private static InteractiveDocumentOutputElement ToElement(CellOutput output) => output.Kind switch
    {
        "stdout" or "stderr" => new TextElement(output.Text ?? "", output.Kind),
        "error" => ErrorFrom(output.Text ?? ""),
        _ => new DisplayElement(output.Data.ToDictionary(kv => kv.Key, kv => (object)kv.Value)),
    };

    private static ErrorElement ErrorFrom(string text)
    {
        var lines = text.Split('\n');
        return new ErrorElement("Error", lines[0], lines.Skip(1).ToArray());
    }
}
