using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
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
    private string? text;
    private StringBuilder? builder;

    /// <summary>display, stdout, stderr or error.</summary>
    public string Kind { get; set; } = "display";

    /// <summary>Formatted values by MIME type (display outputs).</summary>
    public Dictionary<string, string> Data { get; set; } = [];

    /// <summary>Text of stream and error outputs.</summary>
    public string? Text
    {
        get => builder?.ToString() ?? text;
        set
        {
            text = value;
            builder = null;
        }
    }

    /// <summary>Identifies a displayed value that a later update replaces.</summary>
    public string? ValueId { get; set; }

    /// <summary>Appends to <see cref="Text"/> in amortized constant time per character (stream outputs grow line by line).</summary>
    /// <param name="more">Text to append.</param>
    public void Append(string more)
    {
        builder ??= new StringBuilder(text);
        builder.Append(more);
    }

    /// <summary>Characters this output holds (text, or all formatted values).</summary>
    [JsonIgnore]
    public long Size => (builder?.Length ?? text?.Length ?? 0) + Data.Sum(kv => (long)kv.Value.Length);
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

    /// <summary>
    /// Characters of output a cell keeps (text and formatted values together); past it, later outputs are dropped
    /// and one note at the end says how much. One million characters is far more than a chapter shows, and small
    /// enough that a cell printing without end cannot exhaust the runner's memory.
    /// </summary>
    public const long OutputLimit = 1_000_000;

    private long size;
    private long dropped;
    private CellOutput? truncationNote;

    /// <summary>True when some output was dropped because the cell passed <see cref="OutputLimit"/>.</summary>
    public bool Truncated => truncationNote is not null;

    /// <summary>Adds an output, or replaces an earlier display with the same value id; linear in the output's size.</summary>
    /// <param name="output">The output.</param>
    /// <param name="replace">True when the kernel updated a value it displayed earlier.</param>
    public void AddOutput(CellOutput output, bool replace)
    {
        long added = output.Size;
        int replaced = -1;
        if (replace && output.ValueId is not null) replaced = Outputs.FindLastIndex(o => o.ValueId == output.ValueId);
        long freed = replaced >= 0 ? Outputs[replaced].Size : 0;
        if (truncationNote is not null || size - freed + added > OutputLimit)
        {
            Drop(output, added, freed);
            return;
        }
        size += added - freed;
        if (replaced >= 0)
        {
            Outputs[replaced] = output;
        }
        else if (output.Kind is "stdout" or "stderr" && Outputs.Count > 0 && Outputs[^1].Kind == output.Kind && Outputs[^1].ValueId is null)
        {
            Outputs[^1].Append(output.Text ?? "");
        }
        else
        {
            Outputs.Add(output);
        }
    }

    private void Drop(CellOutput output, long added, long freed)
    {
        // Keep what fits of a text output, so the visible part runs right up to the limit.
        if (truncationNote is null && output.Kind is "stdout" or "stderr" && output.Text is { } text && freed == 0)
        {
            int room = (int)Math.Max(0, OutputLimit - size);
            if (room > 0)
            {
                AddOutput(new CellOutput { Kind = output.Kind, Text = text[..room] }, false);
                added -= room;
            }
        }
        dropped += added;
        if (truncationNote is null)
        {
            truncationNote = new CellOutput { Kind = "stderr" };
            Outputs.Add(truncationNote);
        }
        truncationNote.Text = string.Create(CultureInfo.InvariantCulture,
            $"\n[output truncated: the runner keeps the first {OutputLimit:N0} characters of a cell's output; {dropped:N0} more were dropped]\n");
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

    /// <summary>Time of the submissions that restore NuGet packages (<c>#r "nuget:…"</c>), imported ones included.</summary>
    public TimeSpan Restore { get; set; }

    /// <summary>Time of the submissions that load a library (<c>#r "….dll"</c>) and install its formatters, imported ones included.</summary>
    public TimeSpan Load { get; set; }

    /// <summary>Time of the other cells of imported notebooks (the shared set-up; the kernel's first compilation is there).</summary>
    public TimeSpan Setup { get; set; }

    /// <summary>Time of the code cells, less <see cref="Restore"/>, <see cref="Load"/> and <see cref="Setup"/>.</summary>
    public TimeSpan CellsTime
    {
        get
        {
            var t = TimeSpan.FromTicks(CodeCells.Sum(c => c.Duration.Ticks)) - Restore - Load - Setup;
            return t > TimeSpan.Zero ? t : TimeSpan.Zero;
        }
    }

    /// <summary>The slowest code cell, if any ran.</summary>
    public CellResult? SlowestCell => CodeCells.Where(c => c.Status != CellStatus.NotRun).MaxBy(c => c.Duration);

    /// <summary>What the kernel process wrote to its standard output or error outside any cell (native code, a crash).</summary>
    public CellOutput ProcessOutput { get; } = new() { Kind = "stderr" };

    /// <summary>Wall time of the whole chapter.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>Code cells only.</summary>
    public IEnumerable<CellResult> CodeCells => Cells.Where(c => c.Status != CellStatus.Markdown);

    /// <summary>True when the chapter could be read and every code cell passed.</summary>
    public bool Passed => ChapterError is null && CodeCells.All(c => c.Status == CellStatus.Passed);

    /// <summary>The first cell that failed or timed out, if any.</summary>
    public CellResult? FirstFailure => Cells.FirstOrDefault(c => c.Status is CellStatus.Failed or CellStatus.TimedOut);
}
