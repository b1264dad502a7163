using System.Globalization;
using NotebookRunner.Execution;
using Spectre.Console;

namespace NotebookRunner;

/// <summary>
/// What the runner prints: progress while a chapter runs (a live bar on a terminal, one line per cell
/// otherwise), the details of every failure (chapter, cell number, first lines, error, trace), and a summary
/// table at the end.
/// </summary>
internal sealed class ConsoleReport(IAnsiConsole console, bool live)
{
    private readonly IAnsiConsole console = console;

    /// <summary>Whether progress is drawn as a live bar.</summary>
    public bool Live { get; } = live;

    /// <summary>Runs one chapter under a progress display.</summary>
    /// <param name="name">Chapter name.</param>
    /// <param name="codeCells">Number of code cells.</param>
    /// <param name="run">Runs the chapter, reporting to the observer it is given.</param>
    /// <returns>The chapter's result.</returns>
    public async Task<ChapterResult> RunChapterAsync(string name, int codeCells, Func<IChapterObserver, Task<ChapterResult>> run)
    {
        ChapterResult result;
        if (Live)
        {
            result = await console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(name), maxValue: Math.Max(1, codeCells));
                    var r = await run(new LiveObserver(task, name, codeCells));
                    task.Description = (r.Passed ? "[green]✓[/] " : "[red]✗[/] ") + Markup.Escape(name);
                    task.StopTask();
                    return r;
                });
        }
        else
        {
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]{Markup.Escape(name)}[/]: {codeCells} code cells"));
            result = await run(new LineObserver(console));
        }
        if (!result.Passed) Failure(result);
        return result;
    }

    /// <summary>Prints where and how a chapter failed.</summary>
    /// <param name="chapter">A chapter that did not pass.</param>
    public void Failure(ChapterResult chapter)
    {
        var cell = chapter.FirstFailure;
        var rows = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        rows.AddRow("[grey]chapter[/]", Markup.Escape(chapter.Path));
        if (cell is null)
        {
            rows.AddRow("[grey]error[/]", Markup.Escape(chapter.ChapterError ?? "failed"));
        }
        else
        {
            rows.AddRow("[grey]cell[/]", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{cell.Cell.Number} ({cell.Status.ToString().ToLowerInvariant()}, {cell.Duration.TotalSeconds:0.00} s)")));
            rows.AddRow("[grey]code[/]", Markup.Escape(cell.Cell.FirstLines(3)));
            rows.AddRow("[grey]error[/]", "[red]" + Markup.Escape(cell.Error ?? "failed") + "[/]");
            if (cell.Trace is not null) rows.AddRow("[grey]trace[/]", Markup.Escape(string.Join("\n", cell.Trace.Split('\n').Take(12))));
        }
        console.Write(new Panel(rows).Header("[red] failed [/]").BorderColor(Color.Red).Expand());
    }

    /// <summary>Prints the summary table.</summary>
    /// <param name="chapters">All results.</param>
    /// <param name="total">Wall time of the whole run.</param>
    public void Summary(IReadOnlyList<ChapterResult> chapters, TimeSpan total)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Notebook run")
            .AddColumn(new TableColumn("chapter").NoWrap()).AddColumn(new TableColumn("cells").RightAligned()).AddColumn(new TableColumn("ok").RightAligned())
            .AddColumn(new TableColumn("failed").RightAligned()).AddColumn(new TableColumn("not run").RightAligned())
            .AddColumn(new TableColumn("start").RightAligned()).AddColumn(new TableColumn("time").RightAligned()).AddColumn(new TableColumn("status").NoWrap());
        foreach (var c in chapters)
        {
            var code = c.CodeCells.ToList();
            table.AddRow(
                Markup.Escape(c.Name),
                N(code.Count),
                N(code.Count(x => x.Status == CellStatus.Passed)),
                N(code.Count(x => x.Status is CellStatus.Failed or CellStatus.TimedOut)),
                N(code.Count(x => x.Status == CellStatus.NotRun)),
                S(c.KernelStart),
                S(c.Duration),
                c.Passed ? "[green]passed[/]" : "[red]" + (c.ChapterError is not null && c.FirstFailure is null ? "error" : c.FirstFailure?.Status == CellStatus.TimedOut ? "timed out" : "failed") + "[/]");
        }
        int failed = chapters.Count(c => !c.Passed);
        table.Caption(string.Create(CultureInfo.InvariantCulture, $"{chapters.Count - failed} of {chapters.Count} chapters passed in {total.TotalSeconds:0.0} s"));
        console.Write(table);
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string S(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.0} s");

    private sealed class LiveObserver(ProgressTask task, string name, int codeCells) : IChapterObserver
    {
        private int done;

        public void KernelReady(ChapterResult chapter) => task.Description = Markup.Escape(name) + " [grey]kernel ready[/]";

        public void CellStarted(ChapterResult chapter, CellResult cell) =>
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{name} · {done}/{codeCells} cells · running cell {cell.Cell.Number}"));

        public void CellFinished(ChapterResult chapter, CellResult cell)
        {
            done++;
            task.Increment(1);
        }
    }

    private sealed class LineObserver(IAnsiConsole console) : IChapterObserver
    {
        public void KernelReady(ChapterResult chapter) =>
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  kernel ready in {chapter.KernelStart.TotalSeconds:0.0} s"));

        public void CellStarted(ChapterResult chapter, CellResult cell)
        {
        }

        public void CellFinished(ChapterResult chapter, CellResult cell)
        {
            string status = cell.Status == CellStatus.Passed ? "[green]ok[/]" : "[red]" + cell.Status.ToString().ToLowerInvariant() + "[/]";
            console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"  cell {cell.Cell.Number,3} {status} {cell.Duration.TotalSeconds,6:0.00} s  [grey]{Markup.Escape(Truncate(cell.Cell.FirstLines(1), 70))}[/]"));
        }

        private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
    }
}
