using NotebookRunner.Documents;

namespace NotebookRunner.Execution;

/// <summary>How a cell ended.</summary>
internal enum CellStatus
{
    /// <summary>Prose: rendered, not executed.</summary>
    Markdown,
    /// <summary>Ran without error.</summary>
    Passed,
    /// <summary>Compile error, exception, or an error reported by the kernel.</summary>
    Failed,
    /// <summary>Ran longer than the per-cell timeout; the kernel process was stopped.</summary>
    TimedOut,
    /// <summary>Not executed because an earlier cell failed.</summary>
    NotRun,
}

/// <summary>
/// One output of a cell, as the kernel produced it. <see cref="Kind"/> is <c>display</c> (formatted values
/// by MIME type in <see cref="Data"/>), <c>stdout</c>/<c>stderr</c> (<see cref="Text"/>), or <c>error</c>.
/// </summary>
internal sealed class CellOutput
{
    /// <summary>display, stdout, stderr or error.</summary>
    public string Kind { get; set; } = "display";

    /// <summary>Formatted values by MIME type (display outputs).</summary>
    public Dictionary<string, string> Data { get; set; } = [];

    /// <summary>Text of stream and error outputs.</summary>
    public string? Text { get; set; }

    /// <summary>Identifies a displayed value that a later update replaces.</summary>
    public string? ValueId { get; set; }
}

/// <summary>The result of one cell.</summary>
internal sealed class CellResult(Cell cell)
{
    /// <summary>The cell.</summary>
    public Cell Cell { get; } = cell;

    /// <summary>How it ended.</summary>
    public CellStatus Status { get; set; } = cell.IsMarkdown ? CellStatus.Markdown : CellStatus.NotRun;

    /// <summary>Wall time of the cell.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Outputs in the order produced.</summary>
    public List<CellOutput> Outputs { get; } = [];

    /// <summary>The error message (first line of the failure).</summary>
    public string? Error { get; set; }

    /// <summary>The rest of the failure: compiler diagnostics or the stack trace.</summary>
    public string? Trace { get; set; }

    /// <summary>Adds an output, or replaces an earlier display with the same value id.</summary>
    /// <param name="output">The output.</param>
    /// <param name="replace">True when the kernel updated a value it displayed earlier.</param>
    public void AddOutput(CellOutput output, bool replace)
    {
        if (replace && output.ValueId is not null)
        {
            int i = Outputs.FindIndex(o => o.ValueId == output.ValueId);
            if (i >= 0)
            {
                Outputs[i] = output;
                return;
            }
        }
        if (output.Kind is "stdout" or "stderr" && Outputs.Count > 0 && Outputs[^1].Kind == output.Kind)
        {
            Outputs[^1].Text += output.Text;
            return;
        }
        Outputs.Add(output);
    }
}

/// <summary>The result of one chapter.</summary>
internal sealed class ChapterResult
{
    /// <summary>Creates the result of a chapter that could be read.</summary>
    /// <param name="document">The chapter.</param>
    public ChapterResult(ChapterDocument document)
    {
        Document = document;
        Path = document.Path;
        Cells = document.Cells.Select(c => new CellResult(c)).ToList();
    }

    /// <summary>Creates the result of a chapter that could not be read.</summary>
    /// <param name="path">The file.</param>
    /// <param name="error">Why it could not be read.</param>
    public ChapterResult(string path, string error)
    {
        Path = path;
        ChapterError = error;
        Cells = [];
    }

    /// <summary>The chapter, when it could be read.</summary>
    public ChapterDocument? Document { get; }

    /// <summary>The .dib file.</summary>
    public string Path { get; }

    /// <summary>File name without extension.</summary>
    public string Name => System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>A failure of the chapter as a whole (unreadable file, kernel that did not start).</summary>
    public string? ChapterError { get; set; }

    /// <summary>One result per cell, markdown included.</summary>
    public List<CellResult> Cells { get; }

    /// <summary>Time to start the kernel process and build the kernel.</summary>
    public TimeSpan KernelStart { get; set; }

    /// <summary>Wall time of the whole chapter.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Code cells only.</summary>
    public IEnumerable<CellResult> CodeCells => Cells.Where(c => c.Status != CellStatus.Markdown);

    /// <summary>True when the chapter could be read and every code cell passed.</summary>
    public bool Passed => ChapterError is null && CodeCells.All(c => c.Status == CellStatus.Passed);

    /// <summary>The first cell that failed or timed out, if any.</summary>
    public CellResult? FirstFailure => Cells.FirstOrDefault(c => c.Status is CellStatus.Failed or CellStatus.TimedOut);
}
